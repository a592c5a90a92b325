package dev.keywarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.testing.TestGateway;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Slow clients are cut and do not crowd out normal ones: {@code server.header_timeout} (3 s here) for a
 * header block sent a byte a second by 1,000 connections at once, {@code server.min_body_rate} for a body
 * that trickles.
 */
class SlowClientsIT {

    static final int SLOW = 1_000;
    static final long HEADER_TIMEOUT_MS = 3_000;
    static final byte[] REQUEST_HEAD = ("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: kw_slow\r\n"
            + "content-type: application/json\r\ncontent-length: 2\r\n\r\n{}").getBytes(StandardCharsets.US_ASCII);

    @Test
    void aThousandConnectionsSendingHeadersAByteASecondAreCutAfterTheDeadlineWhileNormalCallsSucceedPromptly()
            throws Exception {
        TestGateway gw = TestGateway.start(Map.of("KEYWARDEN_HEADER_TIMEOUT", HEADER_TIMEOUT_MS + "ms"));
        try (gw) {
            assertThat(gw.postMessages(TestGateway.messageBody("warm up", false)).statusCode()).isEqualTo(200);
            List<SocketChannel> slow = new ArrayList<>(SLOW);
            for (int i = 0; i < SLOW; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", gw.gateway.port()));
                ch.configureBlocking(false);
                slow.add(ch);
            }
            long[] closedAfterMs = new long[SLOW];
            java.util.Arrays.fill(closedAfterMs, -1);
            long start = System.nanoTime();
            for (SocketChannel ch : slow) {
                ch.write(ByteBuffer.wrap(REQUEST_HEAD, 0, 1));
            }

            List<Long> normalMillis = new CopyOnWriteArrayList<>();
            List<Integer> normalStatus = new CopyOnWriteArrayList<>();
            Thread normal = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 10; i++) {
                        long t0 = System.nanoTime();
                        HttpResponse<byte[]> r = gw.postMessages(TestGateway.messageBody("normal " + i, false));
                        normalMillis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                        normalStatus.add(r.statusCode());
                        Thread.sleep(300);
                    }
                } catch (Exception e) {
                    normalStatus.add(-1);
                }
            });

            ByteBuffer probe = ByteBuffer.allocate(256);
            int sent = 1;
            long deadline = start + TimeUnit.MILLISECONDS.toNanos(HEADER_TIMEOUT_MS + 6_000);
            while (System.nanoTime() < deadline && java.util.Arrays.stream(closedAfterMs).anyMatch(t -> t < 0)) {
                Thread.sleep(100);
                long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                boolean drip = elapsedMs >= sent * 1000L && sent < REQUEST_HEAD.length - 4;
                for (int i = 0; i < SLOW; i++) {
                    if (closedAfterMs[i] >= 0) {
                        continue;
                    }
                    SocketChannel ch = slow.get(i);
                    try {
                        probe.clear();
                        if (ch.read(probe) < 0) {
                            closedAfterMs[i] = elapsedMs;
                            continue;
                        }
                        if (drip) {
                            ch.write(ByteBuffer.wrap(REQUEST_HEAD, sent, 1));
                        }
                    } catch (IOException reset) {
                        closedAfterMs[i] = elapsedMs;
                    }
                }
                if (drip) {
                    sent++;
                }
            }
            normal.join(TimeUnit.SECONDS.toMillis(20));
            for (SocketChannel ch : slow) {
                ch.close();
            }

            assertThat(normalStatus).hasSize(10).containsOnly(200);
            assertThat(normalMillis).as("normal calls while 1,000 slow connections are open").allSatisfy(
                    ms -> assertThat(ms).isLessThan(3_000));
            assertThat(java.util.Arrays.stream(closedAfterMs).filter(ms -> ms < 0).count()).as("slow connections never cut")
                    .isZero();
            assertThat(java.util.Arrays.stream(closedAfterMs).min().orElseThrow()).as("none before the deadline")
                    .isGreaterThanOrEqualTo(HEADER_TIMEOUT_MS - 100);
            assertThat(java.util.Arrays.stream(closedAfterMs).max().orElseThrow()).as("all soon after it")
                    .isLessThan(HEADER_TIMEOUT_MS + 4_000);
        }
    }

    @Test
    void aBodyThatTricklesBelowTheMinimumRateIsCutAndRecordedAs408() throws Exception {
        TestGateway gw = TestGateway.start(Map.of("KEYWARDEN_MIN_BODY_RATE", "1KB"));
        try (gw; Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", gw.gateway.port()), 5000);
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " + gw.virtualKey
                    + "\r\nanthropic-version: 2023-06-01\r\ncontent-type: application/json\r\ncontent-length: 4000\r\n"
                    + "user-agent: trickle\r\n\r\n{").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long start = System.nanoTime();
            Thread dripper = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 60; i++) {
                        Thread.sleep(250);
                        out.write(' ');
                        out.flush();
                    }
                } catch (Exception cut) {
                    // the server closed the connection
                }
            });
            InputStream in = s.getInputStream();
            long closedAfter;
            try {
                in.readAllBytes();
            } catch (IOException reset) {
                // a reset also means cut
            }
            closedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            dripper.interrupt();
            assertThat(closedAfter).as("cut once the 5 s grace is over, not before").isBetween(4_900L, 8_000L);
            assertThat(gw.awaitRecord(r -> "trickle".equals(r.userAgent())).status()).isEqualTo(408);
            // a normal call on the same gateway is unaffected
            assertThat(gw.postMessages(TestGateway.messageBody("after", false)).statusCode()).isEqualTo(200);
        }
    }
}
