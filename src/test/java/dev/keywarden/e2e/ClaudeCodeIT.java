package dev.keywarden.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.testing.EgressTrap;
import dev.keywarden.testing.TeeProxy;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.upstream.fake.RecordedExchange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Claude Code ({@code @anthropic-ai/claude-code}, pinned in {@code e2e/package.json}) as a real
 * client of a gateway on the fake upstream: {@code claude -p} in print mode with its default model
 * and settings, a fresh {@code HOME}, non-essential traffic disabled and every connection beyond
 * loopback sent to an {@link EgressTrap} (none is expected). A {@link TeeProxy} between Claude Code
 * and the gateway records what Claude Code put on the wire, so each test also proves the gateway
 * forwarded it unchanged: same path and query ({@code ?beta=true}), the same body bytes (its
 * mid-conversation {@code "role":"system"} message included), and the same value for every header
 * the API uses.
 *
 * <p>What Claude Code 2.1.328 does at start, as these tests observe it: with non-essential traffic
 * disabled it sends only {@code POST /v1/messages?beta=true} (streaming) to the base URL — no
 * {@code count_tokens}, {@code models} or OAuth calls; without that setting it also connects to
 * {@code api.anthropic.com} directly (telemetry and settings, never through the base URL).
 */
class ClaudeCodeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SIMULATED = "This is a simulated reply from Keywarden's fake upstream.";

    private static Path e2e;
    private static List<String> claude;
    private static TestGateway gw;
    private static TeeProxy tee;
    private static EgressTrap trap;

    @TempDir
    Path home;
    @TempDir
    Path work;

    @BeforeAll
    static void start() throws Exception {
        e2e = NodeE2e.prepared();
        claude = claudeCommand(e2e);
        gw = TestGateway.start(Map.of());
        tee = TeeProxy.start(gw.gateway.baseUri());
        trap = EgressTrap.start();
    }

    @AfterAll
    static void stop() {
        if (trap != null) {
            trap.close();
        }
        if (tee != null) {
            tee.close();
        }
        if (gw != null) {
            gw.close();
        }
    }

    @BeforeEach
    void clear() {
        gw.upstream.clearExchanges();
        tee.clear();
    }

    /**
     * {@code node_modules/.bin/claude} is the native binary once the package's postinstall has
     * linked it from the platform package (an optional dependency on the npm registry; nothing is
     * downloaded from elsewhere); if install scripts were not run, the package's own wrapper finds
     * and starts the same binary.
     */
    private static List<String> claudeCommand(Path e2e) throws IOException {
        Path bin = e2e.resolve("node_modules/.bin/claude").toRealPath();
        try (InputStream in = Files.newInputStream(bin)) {
            byte[] magic = in.readNBytes(4);
            if (magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F') {
                return List.of(bin.toString());
            }
        }
        return List.of("node", e2e.resolve("node_modules/@anthropic-ai/claude-code/cli-wrapper.cjs").toString());
    }

    private NodeE2e.Result claude(Map<String, String> credential, String... args) throws Exception {
        Map<String, String> env = new HashMap<>(credential);
        env.put("HOME", home.toString());
        env.put("ANTHROPIC_BASE_URL", tee.baseUri().toString());
        env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
        env.put("DISABLE_NONESSENTIAL_TRAFFIC", "1");
        for (String proxy : List.of("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy")) {
            env.put(proxy, trap.proxyUrl());
        }
        env.put("NO_PROXY", "127.0.0.1,localhost");
        env.put("no_proxy", "127.0.0.1,localhost");
        env.put("LANG", "C.UTF-8");
        env.put("TERM", "dumb");
        List<String> command = new ArrayList<>(claude);
        command.addAll(List.of(args));
        return NodeE2e.run(work, command, env, true, 180);
    }

    private static Map<String, String> authToken() {
        return Map.of("ANTHROPIC_AUTH_TOKEN", gw.virtualKey);
    }

    @Test
    void printModeWithTheDefaultModelAndAnAuthTokenGetsTheSimulatedAnswer() throws Exception {
        NodeE2e.Result run = claude(authToken(), "-p", "hello from claude code");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains(SIMULATED + " You said: hello from claude code");
        List<TeeProxy.Request> sent = assertForwardedUnchanged();
        TeeProxy.Request first = sent.get(0);
        assertThat(first.method() + " " + first.target()).isEqualTo("POST /v1/messages?beta=true");
        assertThat(first.header("authorization")).isEqualTo("Bearer " + gw.virtualKey);
        assertThat(roles(first)).as("Claude Code's default model gets a mid-conversation system message").contains("system");
        assertThat(gw.upstream.exchanges()).allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
        assertThat(trap.attempts()).as("no connection beyond loopback").isEmpty();
    }

    @Test
    void printModeWithAnApiKeyGetsTheSimulatedAnswer() throws Exception {
        NodeE2e.Result run = claude(Map.of("ANTHROPIC_API_KEY", gw.virtualKey), "-p", "hello with an api key");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains(SIMULATED + " You said: hello with an api key");
        List<TeeProxy.Request> sent = assertForwardedUnchanged();
        assertThat(sent.get(0).header("x-api-key")).isEqualTo(gw.virtualKey);
        assertThat(trap.attempts()).isEmpty();
    }

    @Test
    void aToolCallRoundTripsThroughTheGateway() throws Exception {
        Path note = work.resolve("note.txt");
        Files.writeString(note, "KW-NOTE-4711 kept in a file\n");
        String prompt = "fake:tool_use Read " + JSON.writeValueAsString(Map.of("file_path", note.toString()));

        NodeE2e.Result run = claude(authToken(), "-p", prompt, "--allowedTools", "Read");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains(SIMULATED + " The tool returned:").contains("KW-NOTE-4711 kept in a file");
        List<RecordedExchange> up = messages(gw.upstream.exchanges());
        assertThat(up).hasSizeGreaterThanOrEqualTo(2);
        assertThat(up.get(0).responseBodyText()).contains("\"type\":\"tool_use\"").contains("\"name\":\"Read\"")
                .contains("\"stop_reason\":\"tool_use\"");
        JsonNode followUp = JSON.readTree(up.get(1).requestBody());
        JsonNode last = followUp.path("messages").get(followUp.path("messages").size() - 1);
        assertThat(last.toString()).contains("\"type\":\"tool_result\"").contains("KW-NOTE-4711");
        assertForwardedUnchanged();
        assertThat(trap.attempts()).isEmpty();
    }

    /**
     * For a model it believes has mid-conversation system messages generally available, Claude Code
     * sends one without any beta; the fake refuses it as the API does without the beta, the gateway
     * relays the API's words, and Claude Code recognises them and resends without the message.
     */
    @Test
    void claudeCodeRecoversFromTheApisRefusalOfASystemMessageBecauseTheGatewayKeepsItsWords() throws Exception {
        NodeE2e.Result run = claude(authToken(), "--model", "claude-opus-4-8", "-p", "recover please");

        assertThat(run.exit()).as(run.output()).isZero();
        assertThat(run.output()).contains(SIMULATED + " You said: recover please");
        List<RecordedExchange> up = messages(gw.upstream.exchanges());
        assertThat(up).extracting(RecordedExchange::status).containsExactly(400, 200);
        assertThat(up.get(0).responseBodyText()).contains("Unexpected role \\\"system\\\"").contains("input message role");
        assertThat(roles(up.get(0).requestBody())).contains("system");
        assertThat(roles(up.get(1).requestBody())).doesNotContain("system");
        assertForwardedUnchanged();
    }

    // ------------------------------------------------------------------------------------------

    private static List<RecordedExchange> messages(List<RecordedExchange> all) {
        return all.stream().filter(e -> e.path().equals("/v1/messages")).toList();
    }

    private static List<String> roles(TeeProxy.Request r) throws IOException {
        return roles(r.body());
    }

    private static List<String> roles(byte[] body) throws IOException {
        List<String> roles = new ArrayList<>();
        JSON.readTree(body).path("messages").forEach(m -> roles.add(m.path("role").asText()));
        return roles;
    }

    /**
     * Every request Claude Code sent reached upstream, in order, with the same method, path and
     * query, the same body bytes and the same values of the headers the API uses; its credential
     * was replaced by the provider key and nothing else was added.
     */
    private static List<TeeProxy.Request> assertForwardedUnchanged() {
        List<TeeProxy.Request> sent = tee.requests();
        List<RecordedExchange> up = gw.upstream.exchanges();
        assertThat(sent).as("Claude Code sent at least one request").isNotEmpty();
        assertThat(up).as("every request Claude Code sent was forwarded: %s",
                sent.stream().map(r -> r.method() + " " + r.target()).toList()).hasSameSizeAs(sent);
        for (int i = 0; i < sent.size(); i++) {
            TeeProxy.Request c = sent.get(i);
            RecordedExchange u = up.get(i);
            assertThat(u.method() + " " + u.path() + (u.query() == null ? "" : "?" + u.query()))
                    .isEqualTo(c.method() + " " + c.target());
            assertThat(u.requestBody()).as("body of request %d forwarded byte for byte", i).isEqualTo(c.body());
            for (Map.Entry<String, List<String>> h : c.headers().entrySet()) {
                String name = h.getKey();
                if (apiHeader(name)) {
                    assertThat(u.headers().get(name)).as("header %s", name).isEqualTo(h.getValue());
                } else if (!List.of("host", "content-length", "accept-encoding", "x-api-key").contains(name)) {
                    assertThat(u.headers()).as("header %s stays at the gateway", name).doesNotContainKey(name);
                }
            }
            assertThat(u.header("x-api-key")).isEqualTo(gw.providerKey);
            assertThat(u.header("authorization")).isNull();
        }
        return sent;
    }

    private static boolean apiHeader(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.startsWith("anthropic-") || n.startsWith("x-stainless-") || List.of("content-type", "accept", "user-agent").contains(n);
    }
}
