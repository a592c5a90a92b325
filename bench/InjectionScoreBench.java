// Cost of prompt-injection scoring per call (guard/InjectionScorer with the shipped rules), for a short
// and a longer prompt. Run by hand after building the jar:
//   java -cp target/keywarden.jar bench/InjectionScoreBench.java
import dev.keywarden.guard.InjectionScorer;

public class InjectionScoreBench {
    public static void main(String[] args) {
        InjectionScorer scorer = InjectionScorer.builtIn();
        String[] texts = {"Hello from the benchmark",
                "Can you summarise this article about the history of the Roman empire and its main emperors, in five bullet points?"};
        int n = 200_000;
        for (String text : texts) {
            for (int i = 0; i < n; i++) {
                scorer.score(text); // warm-up
            }
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                scorer.score(text);
            }
            System.out.printf("%d characters: %.1f us per score (%,d calls)%n", text.length(), (System.nanoTime() - start) / 1e3 / n, n);
        }
    }
}
