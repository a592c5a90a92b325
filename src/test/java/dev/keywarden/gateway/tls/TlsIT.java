package dev.keywarden.gateway.tls;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.core.http.StreamResponse;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import dev.keywarden.config.ConfigException;
import dev.keywarden.testing.TestCertificates;
import dev.keywarden.testing.TestGateway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The client and admin listeners over TLS with a certificate chain made at test time (root → intermediate → server;
 * clients trust the root only): HTTP/2 by ALPN and HTTP/1.1, the official Java SDK, curl {@code --http2}, TLS 1.2+
 * with forward-secret suites only, HSTS, a renewed certificate served without a restart, h2c only when asked, and
 * one-line start-up errors for unusable files.
 */
class TlsIT {

    @TempDir
    static Path dir;
    static TestCertificates certs;
    static TestCertificates.ServerFiles serverFiles;
    static TestGateway gw;

    @BeforeAll
    static void start() throws Exception {
        certs = TestCertificates.create();
        serverFiles = certs.issueServer(dir, "gateway");
        TestCertificates.ServerFiles admin = certs.issueServer(dir, "admin");
        gw = TestGateway.start(Map.of("KEYWARDEN_TLS_CERT", serverFiles.cert().toString(), "KEYWARDEN_TLS_KEY",
                serverFiles.key().toString(), "KEYWARDEN_ADMIN_TLS_CERT", admin.cert().toString(), "KEYWARDEN_ADMIN_TLS_KEY",
                admin.key().toString()));
    }

    @AfterAll
    static void stop() {
        if (gw != null) {
            gw.close();
        }
    }

    static HttpClient client(HttpClient.Version version) throws Exception {
        return HttpClient.newBuilder().sslContext(certs.clientContext()).version(version).connectTimeout(Duration.ofSeconds(5)).build();
    }

    static HttpRequest messages(URI base, String key) {
        return HttpRequest.newBuilder(base.resolve("/v1/messages")).timeout(Duration.ofSeconds(20)).header("x-api-key", key)
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("over TLS", false))).build();
    }

    @Test
    void theListenerServesHttpsWithHttp2ByAlpnAndHttp11AndSendsItsChainAndHsts() throws Exception {
        URI base = gw.gateway.baseUri();
        assertThat(base.getScheme()).isEqualTo("https");
        HttpResponse<String> h2 = client(HttpClient.Version.HTTP_2).send(messages(base, gw.virtualKey), HttpResponse.BodyHandlers.ofString());
        assertThat(h2.statusCode()).isEqualTo(200);
        assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(h2.body()).contains("\"type\":\"message\"");
        assertThat(h2.headers().firstValue("strict-transport-security")).contains("max-age=31536000");
        HttpResponse<String> h1 = client(HttpClient.Version.HTTP_1_1).send(HttpRequest.newBuilder(base.resolve("/chat")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(h1.statusCode()).isEqualTo(200);
        assertThat(h1.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
        assertThat(h1.headers().firstValue("strict-transport-security")).contains("max-age=31536000");
        assertThat(h1.headers().firstValue("content-security-policy")).isPresent();
    }

    @Test
    void aStreamArrivesWholeOverHttp2() throws Exception {
        HttpRequest stream = HttpRequest.newBuilder(gw.gateway.baseUri().resolve("/v1/messages")).header("x-api-key", gw.virtualKey)
                .header("anthropic-version", "2023-06-01").header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(TestGateway.messageBody("stream over h2", true))).build();
        HttpResponse<String> r = client(HttpClient.Version.HTTP_2).send(stream, HttpResponse.BodyHandlers.ofString());
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.headers().firstValue("content-type").orElse("")).startsWith("text/event-stream");
        assertThat(r.body()).contains("event: message_start").contains("event: message_stop");
    }

    @Test
    void theOfficialJavaSdkWorksOverTls() throws Exception {
        AnthropicClient sdk = AnthropicOkHttpClient.builder().baseUrl(gw.gateway.baseUri().toString()).apiKey(gw.virtualKey)
                .sslSocketFactory(certs.clientContext().getSocketFactory()).trustManager(certs.trustManager()).maxRetries(0).build();
        try {
            MessageCreateParams params = MessageCreateParams.builder().model("claude-sonnet-4-5").maxTokens(64)
                    .addUserMessage("Java SDK over TLS").build();
            Message m = sdk.messages().create(params);
            assertThat(m.content()).isNotEmpty();
            List<RawMessageStreamEvent> events = new ArrayList<>();
            try (StreamResponse<RawMessageStreamEvent> s = sdk.messages().createStreaming(params)) {
                s.stream().forEach(events::add);
            }
            assertThat(events).anyMatch(e -> e.isMessageStop());
        } finally {
            sdk.close();
        }
    }

    @Test
    void curlNegotiatesHttp2ThroughTls() throws Exception {
        Path root = certs.writeRoot(dir);
        List<String> out = curl(List.of("--http2", "--cacert", root.toString(), "-H", "x-api-key: " + gw.virtualKey,
                "-H", "anthropic-version: 2023-06-01", "-H", "content-type: application/json",
                "--data", TestGateway.messageBody("curl over h2", false),
                gw.gateway.baseUri().resolve("/v1/messages").toString()));
        assertThat(out.get(0)).as("curl -w '%%{http_version} %%{http_code}'").isEqualTo("2 200");
    }

    @Test
    void onlyTls12AndNewerWithForwardSecretAeadSuitesAreAccepted() throws Exception {
        SSLSocketFactory f = certs.clientContext().getSocketFactory();
        int port = gw.gateway.port();
        try (SSLSocket ok = (SSLSocket) f.createSocket("127.0.0.1", port)) {
            ok.setEnabledProtocols(new String[]{"TLSv1.2"});
            ok.startHandshake();
            assertThat(ok.getSession().getProtocol()).isEqualTo("TLSv1.2");
            assertThat(ok.getSession().getCipherSuite()).startsWith("TLS_ECDHE_").containsAnyOf("_GCM_", "_CHACHA20_");
        }
        try (SSLSocket tls13 = (SSLSocket) f.createSocket("127.0.0.1", port)) {
            tls13.startHandshake();
            assertThat(tls13.getSession().getProtocol()).isEqualTo("TLSv1.3");
        }
        for (String weak : List.of("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA")) {
            try (SSLSocket s = (SSLSocket) f.createSocket("127.0.0.1", port)) {
                s.setEnabledProtocols(new String[]{"TLSv1.2"});
                s.setEnabledCipherSuites(new String[]{weak});
                assertThatThrownBy(s::startHandshake).as(weak).isInstanceOf(SSLHandshakeException.class);
            }
        }
    }

    @Test
    void theAdminListenerServesHttpsToo() throws Exception {
        URI admin = gw.gateway.adminUri().orElseThrow();
        assertThat(admin.getScheme()).isEqualTo("https");
        HttpResponse<String> r = client(HttpClient.Version.HTTP_2).send(HttpRequest.newBuilder(admin.resolve("/admin/v1/admin-tokens")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("no admin token").isEqualTo(401);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }

    @Test
    void aRenewedCertificateIsServedWithoutARestartAndABrokenOneIsNot(@TempDir Path own) throws Exception {
        TestCertificates.ServerFiles first = certs.issueServer(own, "renewing");
        try (TestGateway renewing = TestGateway.start(Map.of("KEYWARDEN_TLS_CERT", first.cert().toString(),
                "KEYWARDEN_TLS_KEY", first.key().toString(), "KEYWARDEN_TLS_RELOAD_INTERVAL", "1s", "KEYWARDEN_ADMIN_LISTEN", "off"))) {
            int port = renewing.gateway.port();
            assertThat(servedSerial(port)).isEqualTo(first.leaf().getSerialNumber());

            // a half-written renewal (a new certificate with the old key) is not served
            TestCertificates.ServerFiles next = certs.issueServer(own, "next");
            Files.copy(next.cert(), first.cert(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Thread.sleep(2500);
            assertThat(servedSerial(port)).as("mismatched pair ignored").isEqualTo(first.leaf().getSerialNumber());
            assertThat(client(HttpClient.Version.HTTP_2).send(messages(renewing.gateway.baseUri(), renewing.virtualKey),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            // the key arrives: the new certificate is served, no restart
            Files.copy(next.key(), first.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            BigInteger served = servedSerial(port);
            while (!served.equals(next.leaf().getSerialNumber()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
                served = servedSerial(port);
            }
            assertThat(served).isEqualTo(next.leaf().getSerialNumber());
            assertThat(client(HttpClient.Version.HTTP_2).send(messages(renewing.gateway.baseUri(), renewing.virtualKey),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void h2cIsServedOnAPlainListenerOnlyWhenAsked() throws Exception {
        try (TestGateway plain = TestGateway.start(Map.of("KEYWARDEN_ADMIN_LISTEN", "off"));
             TestGateway h2c = TestGateway.start(Map.of("KEYWARDEN_H2C", "on", "KEYWARDEN_ADMIN_LISTEN", "off"))) {
            HttpClient upgrading = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
            assertThat(upgrading.send(messages(plain.gateway.baseUri(), plain.virtualKey), HttpResponse.BodyHandlers.ofString())
                    .version()).isEqualTo(HttpClient.Version.HTTP_1_1);
            HttpResponse<String> r = upgrading.send(HttpRequest.newBuilder(h2c.gateway.baseUri().resolve("/v1/models"))
                    .header("x-api-key", h2c.virtualKey).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.version()).as("Upgrade: h2c").isEqualTo(HttpClient.Version.HTTP_2);
            List<String> prior = curl(List.of("--http2-prior-knowledge", "-H", "x-api-key: " + h2c.virtualKey,
                    h2c.gateway.baseUri().resolve("/v1/models").toString()));
            assertThat(prior.get(0)).isEqualTo("2 200");
        }
    }

    @Test
    void unusableTlsFilesStopStartUpWithOneLineNamingTheSetting(@TempDir Path own) throws Exception {
        TestCertificates.ServerFiles a = certs.issueServer(own, "a");
        TestCertificates.ServerFiles b = certs.issueServer(own, "b");
        Map<String, String> onlyCert = Map.of("KEYWARDEN_TLS_CERT", a.cert().toString());
        assertThatThrownBy(() -> TestGateway.start(onlyCert)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.key (KEYWARDEN_TLS_KEY): is missing while server.tls.cert is set");
        Map<String, String> wrongKey = Map.of("KEYWARDEN_TLS_CERT", a.cert().toString(), "KEYWARDEN_TLS_KEY", b.key().toString());
        assertThatThrownBy(() -> TestGateway.start(wrongKey)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.key (KEYWARDEN_TLS_KEY): " + b.key() + " is not the private key of the certificate");
        Path garbage = Files.writeString(own.resolve("garbage.crt"), "not a certificate\n");
        Map<String, String> notPem = Map.of("KEYWARDEN_TLS_CERT", garbage.toString(), "KEYWARDEN_TLS_KEY", a.key().toString());
        assertThatThrownBy(() -> TestGateway.start(notPem)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.cert (KEYWARDEN_TLS_CERT): " + garbage + " holds no certificate");
        Map<String, String> missing = Map.of("KEYWARDEN_TLS_CERT", own.resolve("nope.crt").toString(), "KEYWARDEN_TLS_KEY",
                a.key().toString());
        assertThatThrownBy(() -> TestGateway.start(missing)).isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.cert (KEYWARDEN_TLS_CERT): cannot read");
        for (Map<String, String> env : List.of(onlyCert, wrongKey, notPem, missing)) {
            try {
                TestGateway.start(env).close();
            } catch (ConfigException e) {
                assertThat(e.getMessage()).doesNotContain("\n").doesNotContain("PRIVATE KEY-----");
            }
        }
    }

    static BigInteger servedSerial(int port) throws Exception {
        try (SSLSocket s = (SSLSocket) certs.clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.startHandshake();
            return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /** Runs curl with {@code -sS -o /dev/null -w '%{http_version} %{http_code}'}; skips the test when curl is missing. */
    static List<String> curl(List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_version} %{http_code}\\n",
                "--max-time", "20"));
        command.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            assertThat(System.getenv("KEYWARDEN_REQUIRE_SERVICES")).as("curl is required in CI").isNull();
            Assumptions.abort("curl is not installed: curl --http2 check skipped");
            return List.of();
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("curl: %s", out).isZero();
        return out.lines().toList();
    }
}
