package dev.keywarden.scan;

/** Shannon entropy of a string, in bits per character. */
final class Entropy {
    private Entropy() {
    }

    static double shannon(String s) {
        if (s.isEmpty()) {
            return 0;
        }
        java.util.Map<Character, Integer> counts = new java.util.HashMap<>();
        for (int i = 0; i < s.length(); i++) {
            counts.merge(s.charAt(i), 1, Integer::sum);
        }
        double entropy = 0;
        double n = s.length();
        for (int c : counts.values()) {
            double p = c / n;
            entropy -= p * Math.log(p);
        }
        return entropy / Math.log(2);
    }
}
