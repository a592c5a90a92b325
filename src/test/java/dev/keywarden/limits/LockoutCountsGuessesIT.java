package dev.keywarden.limits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.auth.VirtualKeyFormat;
import dev.keywarden.testing.TestGateway;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The address lockout counts guesses, not mistakes: a backend that keeps using a spent token (or a revoked
 * key) is refused each time but does not lock out the other clients on its address; unknown keys do.
 */
class LockoutCountsGuessesIT {

    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void overspendingAFiveUseTokenFiftyTimesLocksNobodyOutButTwentyUnknownKeysDo() throws Exception {
        TestGateway gw = TestGateway.start(Map.of("KEYWARDEN_AUTH_FAILURES_PER_MINUTE", "20"));
        try (gw) {
            String other = gw.gateway.virtualKeys().create("other-client").key();
            HttpResponse<byte[]> minted = gw.send(HttpRequest.newBuilder(gw.uri("/v1/keywarden/tokens"))
                    .timeout(Duration.ofSeconds(20)).header("x-api-key", gw.virtualKey).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"max_uses\":5}")).build());
            assertThat(minted.statusCode()).isEqualTo(201);
            String token = JSON.readTree(minted.body()).get("token").asText();

            for (int i = 0; i < 5; i++) {
                assertThat(status(gw, token)).isEqualTo(200);
            }
            for (int i = 0; i < 50; i++) {
                assertThat(status(gw, token)).as("overspend %d", i).isEqualTo(401);
            }
            String revoked = gw.gateway.virtualKeys().create("retired").key();
            assertThat(gw.gateway.virtualKeys().revoke(VirtualKeyFormat.displayPrefix(revoked))).isTrue();
            for (int i = 0; i < 25; i++) {
                assertThat(status(gw, revoked)).isEqualTo(401);
            }
            assertThat(status(gw, other)).as("another client's valid key on the same address").isEqualTo(200);

            for (int i = 0; i < 20; i++) {
                assertThat(status(gw, VirtualKeyFormat.generate())).as("guess %d", i).isEqualTo(401);
            }
            assertThat(status(gw, other)).as("twenty unknown keys lock the address out, valid keys included").isEqualTo(429);
        }
    }

    /** One call on a connection of its own (a 401 before the body is read closes the connection). */
    static int status(TestGateway gw, String key) throws Exception {
        byte[] body = TestGateway.messageBody("hi", false).getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", gw.gateway.port()), 5000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + key
                    + "\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            return Integer.parseInt(status.substring(9, 12));
        }
    }
}
