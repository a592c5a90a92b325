package dev.keywarden.testing;

import dev.keywarden.app.GatewayApp;
import dev.keywarden.config.ConfigLoader;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A real gateway (the same composition as {@code keywarden serve}) in front of a real fake
 * upstream, both on ephemeral loopback ports, with a fresh data directory and one virtual key.
 * Every response fetched through {@link #send} is kept so canary tests can search them all.
 */
public final class TestGateway implements AutoCloseable {

    /** The fake upstream's control headers, which a gateway forwards only when told to. */
    public static final String FAKE_CONTROL_HEADERS = "x-fake-*";

    public final FakeUpstream upstream;
    public final GatewayApp gateway;
    public final String providerKey;
    public final String virtualKey;
    public final Path dataDir;
    private final List<ExchangeRecord> records = new CopyOnWriteArrayList<>();
    private final List<String> seen = Collections.synchronizedList(new ArrayList<>());
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestGateway(Map<String, String> env, String providerKey, String upstreamKey, URI upstreamOverride) throws IOException {
        this(Files.createTempDirectory("kw-test-"), env, providerKey, upstreamKey, upstreamOverride);
    }

    private TestGateway(Path dataDir, Map<String, String> env, String providerKey, String upstreamKey, URI upstreamOverride)
            throws IOException {
        this.providerKey = providerKey;
        this.dataDir = dataDir;
        this.upstream = FakeUpstream.start(FakeUpstreamOptions.defaults(upstreamKey));
        Map<String, String> all = new HashMap<>();
        all.put("ANTHROPIC_API_KEY", providerKey);
        all.put("KEYWARDEN_UPSTREAM_URL", (upstreamOverride != null ? upstreamOverride : upstream.baseUri()).toString());
        all.put("KEYWARDEN_LISTEN", "127.0.0.1:0");
        all.put("KEYWARDEN_ADMIN_LISTEN", "127.0.0.1:0");
        all.put("KEYWARDEN_DATA_DIR", dataDir.toString());
        // rate limits and the address lockout are tested on their own (limits tests); off unless a test asks
        all.put("KEYWARDEN_LIMITS", "off");
        all.put("KEYWARDEN_AUTH_FAILURES_PER_MINUTE", "0");
        // the fake upstream's test controls (x-fake-scenario, x-fake-latency-ms…) travel through the gateway
        all.put("KEYWARDEN_UPSTREAM_FORWARD_HEADERS", FAKE_CONTROL_HEADERS);
        // the start-up key check is tested on its own (app/StartupKeyVerificationIT); off unless a test asks, so the
        // fake upstream's request log holds the test's calls only
        all.put("KEYWARDEN_UPSTREAM_VERIFY_KEY_AT_START", "false");
        all.putAll(env);
        try {
            dev.keywarden.config.KeywardenConfig config = ConfigLoader.from(all, dataDir).load();
            initVaultIfAbsent(config, all);
            this.gateway = GatewayApp.start(config, List.of(records::add));
        } catch (RuntimeException refused) {
            upstream.close();
            throw refused;
        }
        this.virtualKey = gateway.virtualKeys().create("test-client").key();
    }

    /**
     * What an operator does once before the first start with {@code vault.kek} set: {@code keywarden vault
     * init} (with the configured passphrase). Serve itself never creates a vault.
     */
    public static void initVaultIfAbsent(dev.keywarden.config.KeywardenConfig config, Map<String, String> env) {
        if (config.demoMode() || !config.vault().enabled()
                || Files.exists(dev.keywarden.vault.crypto.VaultSeal.ringFile(config.dataDir()))) {
            return;
        }
        char[] passphrase = config.vault().passphrase().map(p -> p.reveal().toCharArray()).orElse(null);
        try (dev.keywarden.store.Database db = dev.keywarden.store.Database.open(config)) {
            dev.keywarden.vault.VaultInitializer.initialize(config, db, passphrase, env, e -> { });
        }
    }

    /** A gateway whose provider key is {@code providerKey}, which the fake upstream accepts. */
    public static TestGateway start(String providerKey, Map<String, String> env) throws IOException {
        return new TestGateway(env, providerKey, providerKey, null);
    }

    public static TestGateway start(Map<String, String> env) throws IOException {
        return start(TestKeys.fakeProviderKey(), env);
    }

    /**
     * A gateway on an existing data directory (a restart: the store, server secret and audit anchor are
     * those a previous gateway left there); it makes a virtual key of its own as usual.
     */
    public static TestGateway startIn(Path dataDir, Map<String, String> env) throws IOException {
        String key = TestKeys.fakeProviderKey();
        return new TestGateway(dataDir, env, key, key, null);
    }

    /** A gateway configured with one key while the fake upstream accepts only another. */
    public static TestGateway withWrongProviderKey(Map<String, String> env) throws IOException {
        return new TestGateway(env, TestKeys.fakeProviderKey(), TestKeys.fakeProviderKey(), null);
    }

    /** A gateway pointed at {@code upstreamUrl} instead of the fake upstream. */
    public static TestGateway pointedAt(URI upstreamUrl, Map<String, String> env) throws IOException {
        return new TestGateway(env, TestKeys.fakeProviderKey(), TestKeys.fakeProviderKey(), upstreamUrl);
    }

    public URI uri(String path) {
        return gateway.baseUri().resolve(path);
    }

    public HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(20))
                .header("x-api-key", virtualKey).header("anthropic-version", "2023-06-01")
                .header("content-type", "application/json");
    }

    public HttpResponse<byte[]> send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        seen.add(r.headers().map() + "\n" + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        return r;
    }

    public HttpResponse<byte[]> postMessages(String json) throws IOException, InterruptedException {
        return send(request("/v1/messages").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** Everything clients received through {@link #send}: headers and bodies as text. */
    public List<String> responsesSeen() {
        return List.copyOf(seen);
    }

    /** Exchange records reported so far. */
    public List<ExchangeRecord> records() {
        return List.copyOf(records);
    }

    /** Waits until a record with {@code requestId} (the gateway's id) has been reported. */
    public ExchangeRecord awaitRecord(java.util.function.Predicate<ExchangeRecord> match) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            for (ExchangeRecord r : records) {
                if (match.test(r)) {
                    return r;
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no matching exchange record within 10 s; have " + records);
    }

    public static String messageBody(String text, boolean stream) {
        return "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"messages\":[{\"role\":\"user\",\"content\":\""
                + text + "\"}]" + (stream ? ",\"stream\":true" : "") + "}";
    }

    @Override
    public void close() {
        gateway.close();
        upstream.close();
    }
}
