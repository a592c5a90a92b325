package dev.keywarden.guard;

import java.util.List;
import java.util.Locale;

/** Model allow-lists: model ids or globs where {@code *} matches any run of characters ({@code claude-haiku-*}). */
final class ModelGlobs {

    private ModelGlobs() {
    }

    /** True when {@code model} matches one of {@code globs} (case-insensitive). */
    static boolean allows(List<String> globs, String model) {
        String m = model.toLowerCase(Locale.ROOT);
        for (String g : globs) {
            if (matches(g, 0, m, 0)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String g, int gi, String s, int si) {
        while (gi < g.length()) {
            char c = g.charAt(gi);
            if (c == '*') {
                for (int k = si; k <= s.length(); k++) {
                    if (matches(g, gi + 1, s, k)) {
                        return true;
                    }
                }
                return false;
            }
            if (si >= s.length() || s.charAt(si) != c) {
                return false;
            }
            gi++;
            si++;
        }
        return si == s.length();
    }
}
