package dev.keywarden.e2e;

import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.users.Role;
import dev.keywarden.users.UserService;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web UI and the {@code keywarden-web} library in a real browser: runs {@code e2e/browser.test.mjs}
 * (Playwright driving Debian's Chromium) against a live gateway with the fake upstream, a local account, an
 * in-process OpenID Connect provider and the prompt-injection guard blocking; and the library's own Node tests
 * ({@code clients/keywarden-web/test/}). Needs Node.js and {@code /usr/bin/chromium}; without them the tests are
 * skipped, unless KEYWARDEN_REQUIRE_SERVICES is set (CI), where they fail instead. Screenshots of every page go to
 * {@code target/screenshots/}; the first page load and the UI's JavaScript size are printed as {@code BENCH} lines.
 */
class BrowserIT {

    static final String PASSWORD = "amber lantern orchard";

    @Test
    void webUiAndKeywardenWebWorkInChromium() throws Exception {
        Path e2e = NodeE2e.prepared();
        Path chromium = NodeE2e.chromium();
        MockOAuth2Server idp = new MockOAuth2Server();
        idp.start();
        // the gateway's redirect URI must be configured before the gateway's port is known: it names this forwarder,
        // which sends the browser on to the gateway's real callback (a plain 302, as a reverse proxy would)
        AtomicReference<URI> gateway = new AtomicReference<>();
        HttpServer forwarder = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        forwarder.createContext("/api/oidc/callback", exchange -> {
            exchange.getResponseHeaders().add("location", gateway.get().resolve(exchange.getRequestURI().toString()).toString());
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        forwarder.start();
        String redirect = "http://127.0.0.1:" + forwarder.getAddress().getPort() + "/api/oidc/callback";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("KEYWARDEN_OIDC_ISSUER", idp.issuerUrl("default").toString());
        env.put("KEYWARDEN_OIDC_CLIENT_ID", "keywarden-browser-test");
        env.put("KEYWARDEN_OIDC_CLIENT_SECRET", "browser-test-client-secret-not-real");
        env.put("KEYWARDEN_OIDC_REDIRECT_URI", redirect);
        env.put("KEYWARDEN_OIDC_JIT", "on");
        env.put("KEYWARDEN_GUARD_INJECTION", "block");
        env.put("KEYWARDEN_LOGIN_FAILURES_PER_ADDRESS", "0");
        env.put("KEYWARDEN_VAULT_KEK", "local");
        env.put("KEYWARDEN_BYOK_ENABLED", "true");
        try (TestGateway gw = TestGateway.start(env); SessionChatStandIn chat = SessionChatStandIn.start(gw)) {
            gateway.set(gw.gateway.baseUri());
            gw.gateway.users().users().add(new UserService.NewUser("alice", "Alice Example", Role.USER, null, null, null),
                    PASSWORD.toCharArray(), "test");
            gw.gateway.users().users().add(new UserService.NewUser("bea", "Bea Byok", Role.USER, null, null, null),
                    PASSWORD.toCharArray(), "test");
            // three fake user keys (generated now) the fake upstream accepts, one per BYOK mode
            List<String> byokKeys = List.of(TestKeys.fakeProviderKey(), TestKeys.fakeProviderKey(), TestKeys.fakeProviderKey());
            byokKeys.forEach(gw.upstream::acceptKey);
            long started = System.nanoTime();
            NodeE2e.Result run = NodeE2e.run(e2e, List.of("node", "--test", "--test-reporter=spec", "browser.test.mjs"), Map.of(
                    "KEYWARDEN_BASE_URL", gw.gateway.baseUri().toString(),
                    "KEYWARDEN_VIRTUAL_KEY", gw.virtualKey,
                    "KEYWARDEN_USER", "alice",
                    "KEYWARDEN_PASSWORD", PASSWORD,
                    "KEYWARDEN_BYOK_USER", "bea",
                    "KEYWARDEN_BYOK_KEYS", String.join(",", byokKeys),
                    "KEYWARDEN_OPERATOR_KEY_SHA256", FakeUpstream.fingerprintOf(gw.providerKey),
                    "KEYWARDEN_SESSION_CHAT", chat.uri().toString(),
                    "KEYWARDEN_SCREENSHOTS", NodeE2e.basedir().resolve("target/screenshots").toString(),
                    "KEYWARDEN_CHROMIUM", chromium.toString()), false, 300);
            System.out.println("[BrowserIT] browser tests took " + Duration.ofNanos(System.nanoTime() - started).toMillis() + " ms");
            assertThat(run.exit()).as("node --test browser.test.mjs failed:\n%s", run.output()).isZero();
            assertThat(measured(run.output(), "load event (\\d+) ms")).as("first page load, ms").isLessThan(1000);
            assertThat(measured(run.output(), "UI JavaScript (\\d+) bytes")).as("the UI's own JavaScript").isLessThan(200 * 1024);
            assertThat(gw.upstream.awaitCancelledStreams(2, Duration.ofSeconds(10)))
                    .as("Stop in the UI and abort() in the library cancelled their streams upstream").isTrue();
            assertThat(gw.gateway.users().users().list()).as("the OIDC sign-in created its user")
                    .anyMatch(u -> u.username() != null && !u.username().equals("alice"));
        } finally {
            forwarder.stop(0);
            idp.shutdown();
        }
    }

    @Test
    void keywardenWebLibraryTestsPassInNode() throws Exception {
        NodeE2e.prepared();
        Path library = NodeE2e.basedir().resolve("clients/keywarden-web");
        NodeE2e.Result run = NodeE2e.run(library, List.of("node", "--test", "--test-reporter=spec", "test/"), Map.of(), true, 120);
        assertThat(run.exit()).as("node --test in clients/keywarden-web failed:\n%s", run.output()).isZero();
        assertThat(measured(run.output(), "tests (\\d+)")).as("tests run").isPositive();
        assertThat(measured(run.output(), "fail (\\d+)")).as("tests failed").isZero();
    }

    private static long measured(String output, String pattern) {
        Matcher m = Pattern.compile(pattern).matcher(output);
        assertThat(m.find()).as("the run printed %s", pattern).isTrue();
        return Long.parseLong(m.group(1));
    }
}
