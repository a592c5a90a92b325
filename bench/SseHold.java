import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Opens N concurrent streaming Messages calls and keeps them open while they stream (the fake
 * upstream paces them), then reports how many were established, completed and failed.
 * Usage: java bench/SseHold.java URL STREAMS SECONDS_TO_WAIT   (key in env BENCH_KEY)
 * Prints "established N" once every stream has received message_start, then "done ...".
 */
public class SseHold {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int streams = Integer.parseInt(args[1]);
        int waitSeconds = Integer.parseInt(args[2]);
        String key = System.getenv("BENCH_KEY");
        String body = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":256,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hold this stream open\"}]}";
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(30)).build();
        CountDownLatch established = new CountDownLatch(streams);
        CountDownLatch finished = new CountDownLatch(streams);
        AtomicInteger completed = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger events = new AtomicInteger();
        AtomicInteger open = new AtomicInteger();
        AtomicInteger maxOpen = new AtomicInteger();
        long start = System.nanoTime();
        try (var threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < streams; i++) {
                threads.submit(() -> {
                    boolean started = false;
                    try {
                        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(waitSeconds + 60))
                                .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
                                .header("x-api-key", key).header("x-fake-scenario", "slow")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                        HttpResponse<java.io.InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException("status " + response.statusCode());
                        }
                        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                            String line;
                            boolean stopped = false;
                            while ((line = lines.readLine()) != null) {
                                if (line.startsWith("event: ")) {
                                    events.incrementAndGet();
                                    if (!started && line.equals("event: message_start")) {
                                        started = true;
                                        maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
                                        established.countDown();
                                    } else if (line.equals("event: message_stop")) {
                                        stopped = true;
                                    } else if (line.equals("event: error")) {
                                        throw new IllegalStateException("error event");
                                    }
                                }
                            }
                            if (!stopped) {
                                throw new IllegalStateException("stream ended without message_stop");
                            }
                            completed.incrementAndGet();
                        }
                    } catch (Exception e) {
                        if (failed.incrementAndGet() <= 5) {
                            System.out.println("stream failed: " + e);
                        }
                        if (!started) {
                            established.countDown();
                        }
                    } finally {
                        if (started) {
                            open.decrementAndGet();
                        }
                        finished.countDown();
                    }
                    return null;
                });
            }
            boolean all = established.await(120, TimeUnit.SECONDS);
            System.out.printf("established %d streams in %.1f s, %d open at once (failed so far %d)%n",
                    streams - established.getCount() - failed.get(), (System.nanoTime() - start) / 1e9, open.get(), failed.get());
            System.out.flush();
            if (!all) {
                System.out.println("not all streams started within 120 s");
            }
            finished.await(waitSeconds, TimeUnit.SECONDS);
            System.out.printf("done: completed %d, failed %d, still open %d, at most %d open at once, events %d%n",
                    completed.get(), failed.get(), finished.getCount(), maxOpen.get(), events.get());
            System.exit(failed.get() == 0 && finished.getCount() == 0 ? 0 : 1);
        }
    }
}
