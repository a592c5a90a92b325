import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load at a fixed rate: one POST every 1/RATE seconds, evenly spaced (no bursts), each on
 * its own virtual thread over a pooled HTTP/1.1 client. Latency is measured from the moment a
 * request was scheduled, so a slow server cannot hide queueing (no coordinated omission).
 * With BURST &gt; 1 the same average rate arrives in bursts: BURST requests scheduled at the same
 * instant every BURST/RATE seconds (bursty arrivals, "BURST connections in phase").
 * Usage: java bench/FixedRate.java URL RATE SECONDS [WARMUP_SECONDS] [BURST]
 * (env BENCH_KEY, BENCH_BODY; optional BENCH_HEADERS: extra "name: value" headers separated by '|';
 * optional BENCH_ACCEPT: the accept header).
 * Prints: rate, p50, p90, p99, p99.9 in milliseconds, and the count of non-200 answers.
 */
public class FixedRate {
    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[0]);
        int rate = Integer.parseInt(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int burst = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                .header("content-type", "application/json").header("anthropic-version", "2023-06-01")
                .header("x-api-key", System.getenv("BENCH_KEY"))
                .POST(HttpRequest.BodyPublishers.ofString(System.getenv("BENCH_BODY")));
        String accept = System.getenv("BENCH_ACCEPT");
        if (accept != null && !accept.isEmpty()) {
            builder.header("accept", accept);
        }
        String extra = System.getenv("BENCH_HEADERS");
        for (String h : extra == null ? new String[0] : extra.split("\\|")) {
            int colon = h.indexOf(':');
            if (colon > 0) {
                builder.header(h.substring(0, colon).strip(), h.substring(colon + 1).strip());
            }
        }
        HttpRequest request = builder.build();
        run(client, request, rate, warmup, burst, false);
        run(client, request, rate, seconds, burst, true);
        System.exit(0);
    }

    static void run(HttpClient client, HttpRequest request, int rate, int seconds, int burst, boolean report) throws Exception {
        int n = rate * seconds;
        long[] latencies = new long[n];
        AtomicInteger errors = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(n);
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime() + 10_000_000L;
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < n; i++) {
                long scheduled = start + (i / burst) * burst * interval;
                long wait;
                while ((wait = scheduled - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(Math.min(wait, 200_000));
                }
                int k = i;
                threads.execute(() -> {
                    try {
                        HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        if (r.statusCode() != 200) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    latencies[k] = System.nanoTime() - scheduled;
                    done.countDown();
                });
            }
            done.await(60, TimeUnit.SECONDS);
        }
        if (report) {
            Arrays.sort(latencies);
            double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("rate %d/s%s for %d s: p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  p99.9 %.3f ms  errors %d%n",
                    rate, burst > 1 ? " in bursts of " + burst : "", seconds, ms(latencies, 0.50), ms(latencies, 0.90), ms(latencies, 0.99), ms(latencies, 0.999), errors.get());
        }
    }

    static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
    }
}
