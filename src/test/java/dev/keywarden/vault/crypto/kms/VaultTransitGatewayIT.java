package dev.keywarden.vault.crypto.kms;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.cli.Main;
import dev.keywarden.testing.TestGateway;
import dev.keywarden.testing.TestKeys;
import dev.keywarden.upstream.fake.FakeUpstream;
import dev.keywarden.upstream.fake.FakeUpstreamOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keywarden serve} (the packaged jar, in its own process so {@code VAULT_TOKEN} comes from a
 * real process environment) with {@code vault.kek=vault-transit} against a local stand-in of Vault's
 * Transit HTTP API backed by a real AES key: the provider key is imported into the vault, wrapped
 * through Transit, and serves plain and streaming calls end to end. Only a stand-in was used, never
 * a real Vault server.
 */
class VaultTransitGatewayIT {

    @TempDir
    Path dir;
    private Process process;
    private FakeUpstream fake;
    private KmsStandIn.VaultTransit transit;

    @AfterEach
    void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        if (fake != null) {
            fake.close();
        }
        if (transit != null) {
            transit.close();
        }
    }

    @Test
    void aGatewayWhoseKekIsVaultTransitServesACallEndToEnd() throws Exception {
        String token = "hvs." + TestKeys.random(24);
        String providerKey = TestKeys.fakeProviderKey();
        transit = new KmsStandIn.VaultTransit(token);
        fake = FakeUpstream.start(FakeUpstreamOptions.defaults(providerKey));
        Path dataDir = dir.resolve("data");
        String virtualKey = createVirtualKey(dataDir);
        int port = freePort();
        Path log = dir.resolve("serve.log");

        Map<String, String> env = Map.of(
                "KEYWARDEN_LISTEN", "127.0.0.1:" + port,
                "KEYWARDEN_ADMIN_LISTEN", "off",
                "KEYWARDEN_DATA_DIR", dataDir.toString(),
                "KEYWARDEN_UPSTREAM_URL", fake.baseUri().toString(),
                "ANTHROPIC_API_KEY", providerKey,
                "KEYWARDEN_VAULT_KEK", "vault-transit",
                "KEYWARDEN_VAULT_KMS_KEY", transit.url() + "/v1/transit/keys/kw",
                "VAULT_TOKEN", token);
        ProcessBuilder init = new ProcessBuilder(dev.keywarden.testing.KeywardenJar.command("vault", "init"))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("init.log").toFile());
        init.environment().keySet().removeIf(k -> k.startsWith("KEYWARDEN_") || k.startsWith("ANTHROPIC_") || k.startsWith("VAULT_"));
        init.environment().putAll(env);
        Process initProcess = init.start();
        assertThat(initProcess.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(initProcess.exitValue()).as(Files.readString(dir.resolve("init.log"))).isZero();
        assertThat(Files.readString(dir.resolve("init.log"))).contains("Created a new vault (vault.kek vault-transit)")
                .doesNotContain(token);

        ProcessBuilder pb = new ProcessBuilder(dev.keywarden.testing.KeywardenJar.command("serve"))
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("KEYWARDEN_") || k.startsWith("ANTHROPIC_") || k.startsWith("VAULT_"));
        pb.environment().putAll(env);
        process = pb.start();
        URI base = URI.create("http://127.0.0.1:" + port);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        awaitHealthy(http, base, log);

        List<HttpResponse<String>> answers = new ArrayList<>();
        for (boolean stream : new boolean[] {false, true}) {
            answers.add(http.send(HttpRequest.newBuilder(base.resolve("/v1/messages")).timeout(Duration.ofSeconds(20))
                    .header("x-api-key", virtualKey).header("anthropic-version", "2023-06-01")
                    .header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("via transit", stream))).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }

        assertThat(answers).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(200));
        assertThat(answers.get(1).body()).contains("event: message_stop");
        assertThat(fake.exchanges()).filteredOn(e -> e.path().equals("/v1/messages")).hasSize(2)
                .allSatisfy(e -> assertThat(e.apiKeySha256()).isEqualTo(FakeUpstream.fingerprintOf(providerKey)));
        assertThat(transit.requests).isNotEmpty().allSatisfy(h -> {
            assertThat(h.get("x-vault-token")).isEqualTo(token);
            assertThat(h.get(":path")).matches("/v1/transit/(encrypt|decrypt)/kw");
        });
        assertThat(transit.requests).anySatisfy(h -> assertThat(h.get(":path")).isEqualTo("/v1/transit/encrypt/kw"));
        String output = Files.readString(log);
        assertThat(output).contains("imported ANTHROPIC_API_KEY into the vault")
                .doesNotContain(providerKey).doesNotContain(token);
    }

    private static String createVirtualKey(Path dataDir) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        var cli = Main.commandLine();
        cli.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cli.setErr(new PrintWriter(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertThat(cli.execute("keys", "create-virtual", "--name", "transit-it", "--data-dir", dataDir.toString())).isZero();
        String[] lines = out.toString(StandardCharsets.UTF_8).strip().split("\n");
        String key = lines[lines.length - 1].strip();
        assertThat(key).startsWith("kw_");
        return key;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitHealthy(HttpClient http, URI base, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("keywarden serve exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                if (http.send(HttpRequest.newBuilder(base.resolve("/healthz")).GET().build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("keywarden serve did not become healthy within 60 s:\n" + Files.readString(log));
    }
}
