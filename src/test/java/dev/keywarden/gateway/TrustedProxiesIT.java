package dev.keywarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.audit.AuditStore;
import dev.keywarden.store.Database;
import dev.keywarden.testing.TestGateway;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code server.trusted_proxies} end to end: the client address the lockout and the audit trail use is the
 * one a trusted proxy forwarded, and a forwarding header from any other peer changes nothing. Sources are
 * distinct loopback addresses: 127.0.0.2 is the trusted proxy, 127.0.0.3 a client that forges headers.
 */
class TrustedProxiesIT {

    static final String PROXY = "127.0.0.2";
    static final String FORGER = "127.0.0.3";
    static final String BAD_KEY = "kw_" + "x".repeat(40);

    static TestGateway start() throws Exception {
        return TestGateway.start(Map.of("KEYWARDEN_LIMITS", "on", "KEYWARDEN_AUTH_FAILURES_PER_MINUTE", "5",
                "KEYWARDEN_TRUSTED_PROXIES", PROXY + "/32"));
    }

    @Test
    void aForgedForwardedForFromAnUntrustedPeerIsIgnoredByTheAuditRecordAndTheLockout() throws Exception {
        TestGateway gw = start();
        try (gw) {
            assertThat(status(gw, FORGER, gw.virtualKey, "198.51.100.1", "ua-forged")).isEqualTo(200);
            for (int i = 0; i < 5; i++) {
                assertThat(status(gw, FORGER, BAD_KEY, "198.51.100." + (10 + i), "ua-guess")).isEqualTo(401);
            }
            assertThat(status(gw, FORGER, gw.virtualKey, "198.51.100.99", "ua-after"))
                    .as("a new forged address per guess does not escape the lockout of the real peer").isEqualTo(429);
            assertThat(status(gw, PROXY, gw.virtualKey, null, "ua-proxy")).as("other peers are served").isEqualTo(200);
            assertThat(gw.records()).filteredOn(r -> "ua-forged".equals(r.userAgent()))
                    .singleElement().satisfies(r -> assertThat(r.clientAddress()).isEqualTo(FORGER));
        }
        List<String> trail = trail(gw);
        assertThat(trail).filteredOn(b -> b.contains("ua-forged")).singleElement()
                .satisfies(b -> assertThat(b).contains("\"client_address\":\"" + FORGER + "\""));
        assertThat(trail).anySatisfy(b -> assertThat(b).contains("auth.lockout", FORGER));
        assertThat(trail).noneSatisfy(b -> assertThat(b).contains("198.51.100."));
    }

    @Test
    void aTrustedProxysForwardedForIsTheClientInTheAuditRecordAndTheLockout() throws Exception {
        TestGateway gw = start();
        try (gw) {
            // 1.1.1.1 was written by the client itself; the proxy appended the address it saw
            assertThat(status(gw, PROXY, gw.virtualKey, "1.1.1.1, 203.0.113.9", "ua-proxied")).isEqualTo(200);
            for (int i = 0; i < 5; i++) {
                assertThat(status(gw, PROXY, BAD_KEY, "203.0.113.66", "ua-guess")).isEqualTo(401);
            }
            assertThat(status(gw, PROXY, gw.virtualKey, "203.0.113.66", "ua-locked"))
                    .as("the guessing client is locked out, whatever key it sends").isEqualTo(429);
            assertThat(status(gw, PROXY, gw.virtualKey, "203.0.113.77", "ua-neighbour"))
                    .as("another client behind the same proxy is served").isEqualTo(200);
            assertThat(status(gw, PROXY, gw.virtualKey, null, "ua-proxy-itself")).as("so is the proxy").isEqualTo(200);
            assertThat(gw.records()).filteredOn(r -> "ua-proxied".equals(r.userAgent()))
                    .singleElement().satisfies(r -> assertThat(r.clientAddress()).isEqualTo("203.0.113.9"));
        }
        List<String> trail = trail(gw);
        assertThat(trail).filteredOn(b -> b.contains("ua-proxied")).singleElement()
                .satisfies(b -> assertThat(b).contains("\"client_address\":\"203.0.113.9\""));
        assertThat(trail).filteredOn(b -> b.contains("ua-neighbour")).singleElement()
                .satisfies(b -> assertThat(b).contains("\"client_address\":\"203.0.113.77\""));
        assertThat(trail).anySatisfy(b -> assertThat(b).contains("auth.lockout", "203.0.113.66"));
        assertThat(trail).noneSatisfy(b -> assertThat(b).contains("auth.lockout", PROXY));
    }

    /** The closed gateway's audit trail (its queue is drained on close), record bodies in order. */
    static List<String> trail(TestGateway gw) {
        List<String> bodies = new ArrayList<>();
        try (Database db = Database.openSqlite(gw.dataDir)) {
            new AuditStore(db).forEachSince("", r -> bodies.add(r.body()));
        }
        return bodies;
    }

    /** One request from {@code source} (a loopback address), with an {@code X-Forwarded-For} when not null. */
    static int status(TestGateway gw, String source, String key, String forwardedFor, String userAgent) throws Exception {
        byte[] body = TestGateway.messageBody("hello", false).getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
            s.connect(new InetSocketAddress("127.0.0.1", gw.gateway.port()), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + key
                    + (forwardedFor == null ? "" : "\r\nX-Forwarded-For: " + forwardedFor)
                    + "\r\nuser-agent: " + userAgent
                    + "\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }
}
