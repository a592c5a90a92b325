package dev.keywarden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import dev.keywarden.testing.KeywardenJar;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code audit.mode: strict} holds across a crash: the gateway runs as its own process (the packaged
 * jar) under concurrent JSON and streaming load, is killed with SIGKILL in the middle of it, and is
 * started again on the same data directory. Every response a client saw complete — a 200 with its
 * whole body, or a stream up to its {@code message_stop} event — has its audit record.
 */
class StrictAuditCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("keywarden listening on (http://[^ ,]+)");

    @TempDir
    Path dir;
    private final List<Process> processes = new ArrayList<>();
    private FakeUpstream upstream;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (upstream != null) {
            upstream.close();
        }
    }

    private ProcessBuilder keywarden(Map<String, String> env, String... args) {
        return KeywardenJar.process(dir, env, args);
    }

    /** Starts {@code serve} and returns its base URI once it listens. */
    private URI serve(Map<String, String> env) throws Exception {
        Process p = keywarden(env, "serve").redirectErrorStream(true).start();
        processes.add(p);
        LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                r.lines().forEach(lines::add);
            } catch (IOException ignored) {
                // the process ended
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String line = lines.poll(1, TimeUnit.SECONDS);
            if (line != null) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    return URI.create(m.group(1));
                }
            }
        }
        throw new AssertionError("the gateway did not start; it said: " + lines);
    }

    @Test
    void everyResponseAClientSawCompleteHasItsRecordAfterAKill9() throws Exception {
        String providerKey = TestKeys.fakeProviderKey();
        upstream = FakeUpstream.start(FakeUpstreamOptions.defaults(providerKey));
        Path data = dir.resolve("data");
        Map<String, String> env = new HashMap<>();
        env.put("ANTHROPIC_API_KEY", providerKey);
        env.put("KEYWARDEN_UPSTREAM_URL", upstream.baseUri().toString());
        env.put("KEYWARDEN_LISTEN", "127.0.0.1:0");
        env.put("KEYWARDEN_ADMIN_LISTEN", "off");
        env.put("KEYWARDEN_DATA_DIR", data.toString());
        env.put("KEYWARDEN_AUDIT_MODE", "strict");
        env.put("KEYWARDEN_LIMITS", "off");
        env.put("KEYWARDEN_AUTH_FAILURES_PER_MINUTE", "0");
        Process create = keywarden(env, "keys", "create-virtual", "--name", "crash-client").redirectErrorStream(true).start();
        String created = new String(create.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(create.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String virtualKey = created.strip().lines().reduce((a, b) -> b).orElseThrow();

        URI gateway = serve(env);
        Set<String> completed = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        int clients = 24;
        CountDownLatch done = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            boolean stream = c % 2 == 1;
            Thread.ofVirtual().start(() -> {
                try {
                    while (!stop.get()) {
                        call(http, gateway, virtualKey, stream, completed);
                    }
                } finally {
                    done.countDown();
                }
            });
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (completed.size() < 300 && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        processes.get(0).destroyForcibly(); // SIGKILL, mid-load
        assertThat(processes.get(0).waitFor(10, TimeUnit.SECONDS)).isTrue();
        stop.set(true);
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        Set<String> seen = Set.copyOf(completed);
        assertThat(seen).as("the load ran").hasSizeGreaterThan(100);

        serve(env); // a restart opens the same store and keeps the chain going
        Process restarted = processes.get(1);
        restarted.destroy();
        assertThat(restarted.waitFor(30, TimeUnit.SECONDS)).isTrue();

        Set<String> recorded = new HashSet<>();
        try (Database db = Database.openSqlite(data)) {
            AuditStore store = new AuditStore(db);
            for (String chain : store.chains()) {
                store.forEach(chain, r -> {
                    if (r.kind().equals("call")) {
                        try {
                            recorded.add(JSON.readTree(r.body()).path("request_id").asText());
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                });
            }
        }
        Set<String> missing = new HashSet<>(seen);
        missing.removeAll(recorded);
        assertThat(missing).as("responses seen complete without an audit record (of %d seen)", seen.size()).isEmpty();
    }

    /** One call; its gateway request id goes into {@code completed} when the client saw the response complete. */
    private static void call(HttpClient http, URI gateway, String key, boolean stream, Set<String> completed) {
        HttpRequest request = HttpRequest.newBuilder(gateway.resolve("/v1/messages")).timeout(Duration.ofSeconds(10))
                .header("x-api-key", key).header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("crash test", stream))).build();
        try {
            HttpResponse<InputStream> r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            String id = r.headers().firstValue("keywarden-request-id").orElse(null);
            try (InputStream in = r.body()) {
                if (r.statusCode() != 200 || id == null) {
                    in.readAllBytes();
                    return;
                }
                if (stream ? sawMessageStop(in) : sawWholeMessage(in)) {
                    completed.add(id);
                }
            }
        } catch (IOException e) {
            // the gateway went away: this response was not seen complete
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Whole body read to its end (Content-Length satisfied) and it is a message. */
    private static boolean sawWholeMessage(InputStream in) throws IOException {
        JsonNode body = JSON.readTree(in.readAllBytes());
        return body != null && "message".equals(body.path("type").asText());
    }

    /** The client dispatched a {@code message_stop} event: its event line, data and the blank line ending it. */
    private static boolean sawMessageStop(InputStream in) throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        boolean inStop = false;
        String line;
        while ((line = r.readLine()) != null) {
            if (line.equals("event: message_stop")) {
                inStop = true;
            } else if (inStop && line.isEmpty()) {
                return true;
            }
        }
        return false;
    }
}
