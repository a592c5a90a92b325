// Cost of prompt-injection scoring (guard/InjectionScorer with the shipped rules): short prompts, 100 kB of
// new text (throughput in MB/s), and a 100 kB conversation whose history was already scored (each call pays
// the hashing of the history and the scoring of one new turn). CPU time of the benchmark thread, median of
// the rounds. Run by hand after building the jar:
//   java -cp target/keywarden.jar bench/InjectionScoreBench.java [ROUNDS]
import dev.keywarden.guard.InjectionScorer;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

public class InjectionScoreBench {

    private static final ThreadMXBean CPU = ManagementFactory.getThreadMXBean();

    /** Sentences and code an agent conversation is made of: prose, code, logs, tool output. */
    private static final String[] PIECES = {
        "Can you summarise this article about the history of the Roman empire and its main emperors, in five bullet points?",
        "The build failed again; here is the output of the test runner, please tell me which assertion broke and why.",
        "I refactored the parser so that it reads the whole file once and keeps the offsets of each line in an array.",
        "Our users in Germany and France report that the checkout page times out when they pay with a card.",
        "Please ignore the typos in my previous message, I was typing on my phone while waiting for the train.",
        "Write a function that merges two sorted lists without allocating more than one new list.",
        "The meeting notes say the new task for this sprint is the migration of the billing service to PostgreSQL 17.",
        "public static int[] merge(int[] a, int[] b) {\n    int[] out = new int[a.length + b.length];\n    int i = 0, j = 0, k = 0;\n"
                + "    while (i < a.length && j < b.length) out[k++] = a[i] <= b[j] ? a[i++] : b[j++];\n    return out;\n}",
        "2026-12-07T19:44:28Z INFO  request_id=req_01HZ status=200 latency_ms=41 model=claude-sonnet route=/v1/messages",
        "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_01\",\"content\":\"total 48\\ndrwxr-xr-x  5 dev dev 4096 src\\n-rw-r--r-- 1 dev dev 812 pom.xml\"}",
        "Wie kann ich in Excel leere Zellen ignorieren, wenn ich den Mittelwert berechne?",
        "Peux-tu résumer ce texte en trois phrases pour la réunion de demain matin ?",
        "def parse(line):\n    key, _, value = line.partition('=')\n    return key.strip(), value.strip()\n",
        "The previous version of the service cached tokens for an hour; the new one validates them on every call.",
        "Translate the release notes into Spanish and keep the product names in English.",
    };

    static String text(Random random, int chars) {
        StringBuilder sb = new StringBuilder(chars + 200);
        while (sb.length() < chars) {
            sb.append(PIECES[random.nextInt(PIECES.length)]).append(random.nextInt(4) == 0 ? "\n\n" : " ");
        }
        return sb.substring(0, chars);
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 21;
        InjectionScorer scorer = InjectionScorer.builtIn();
        Random random = new Random(16);

        String[] shortTexts = {"Hello from the benchmark",
                "Can you summarise this article about the history of the Roman empire and its main emperors, in five bullet points?"};
        for (String t : shortTexts) {
            int n = 100_000;
            for (int i = 0; i < n; i++) {
                scorer.score(t + i); // warm-up, distinct texts: no cache hit
            }
            long start = CPU.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) {
                scorer.score(t + " " + i);
            }
            System.out.printf("%d characters, new text: %.1f us per score%n", t.length(), (CPU.getCurrentThreadCpuTime() - start) / 1e3 / n);
        }

        // 100 kB of text never seen before (a unique first line defeats the cache)
        for (int i = 0; i < 20; i++) {
            scorer.score("warm-up " + i + "\n" + text(random, 100_000));
        }
        double[] fresh = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            String t = "round " + r + "\n" + text(random, 100_000);
            long start = CPU.getCurrentThreadCpuTime();
            scorer.score(t);
            fresh[r] = (CPU.getCurrentThreadCpuTime() - start) / 1e6;
        }
        double ms = median(fresh);
        System.out.printf("100 kB of new text: %.2f ms (median of %d), %.1f MB/s%n", ms, rounds, 0.1 / (ms / 1000));

        // a 100 kB conversation of 50 turns of 2 kB, resent with one more short turn on every call
        List<String> turns = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            turns.add("turn " + i + " " + text(random, 2_000));
        }
        turns.forEach(scorer::score);
        double[] seen = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            String next = "And one more question, number " + r + ": how do I make that loop faster?";
            long start = CPU.getCurrentThreadCpuTime();
            for (String t : turns) {
                scorer.score(t);
            }
            scorer.score(next);
            seen[r] = (CPU.getCurrentThreadCpuTime() - start) / 1e6;
        }
        System.out.printf("100 kB conversation (50 turns) already seen + 1 new turn: %.3f ms (median of %d)%n", median(seen), rounds);
    }
}
