package dev.keywarden.guard;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * Finds every occurrence of every one of a set of literals in one left-to-right pass: an Aho–Corasick
 * automaton compiled to a transition table (one array read per character; characters that occur in no
 * literal share one column). Reports overlapping occurrences, case-sensitively, each with the literal's id
 * (its index in the list) and the end of the occurrence; occurrences come in order of their end.
 * Immutable and thread-safe once built.
 */
final class LiteralAutomaton {

    /** Receives one occurrence: the literal's id and the end of the occurrence (exclusive). */
    interface Hit {
        void accept(int literal, int end);
    }

    private final char[] columnOf;
    private final int columns;
    private final int[] next;
    /** The literal that ends at each state, or -1. */
    private final int[] own;
    /** The nearest state on the failure chain (excluding itself) at which a literal ends, or -1. */
    private final int[] outputLink;

    private LiteralAutomaton(char[] columnOf, int columns, int[] next, int[] own, int[] outputLink) {
        this.columnOf = columnOf;
        this.columns = columns;
        this.next = next;
        this.own = own;
        this.outputLink = outputLink;
    }

    static LiteralAutomaton of(List<String> literals) {
        char[] columnOf = new char[Character.MAX_VALUE + 1];
        int columns = 1; // column 0: every character no literal has
        int states = 1;
        for (String literal : literals) {
            if (literal.isEmpty()) {
                throw new IllegalArgumentException("an empty literal would match everywhere");
            }
            states += literal.length();
            for (int i = 0; i < literal.length(); i++) {
                char c = literal.charAt(i);
                if (columnOf[c] == 0) {
                    if (columns == Character.MAX_VALUE) {
                        throw new IllegalArgumentException("too many distinct characters");
                    }
                    columnOf[c] = (char) columns++;
                }
            }
        }
        int[] go = new int[states * columns];
        Arrays.fill(go, -1);
        int[] own = new int[states];
        Arrays.fill(own, -1);
        int used = 1;
        for (int id = 0; id < literals.size(); id++) {
            String literal = literals.get(id);
            int s = 0;
            for (int i = 0; i < literal.length(); i++) {
                int slot = s * columns + columnOf[literal.charAt(i)];
                if (go[slot] < 0) {
                    go[slot] = used++;
                }
                s = go[slot];
            }
            if (own[s] < 0) {
                own[s] = id; // a repeated literal keeps its first id
            }
        }
        int[] fail = new int[used];
        int[] outputLink = new int[used];
        Arrays.fill(outputLink, -1);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        for (int c = 0; c < columns; c++) {
            int t = go[c];
            if (t < 0) {
                go[c] = 0;
            } else {
                fail[t] = 0;
                queue.add(t);
            }
        }
        while (!queue.isEmpty()) {
            int s = queue.poll();
            int f = fail[s];
            outputLink[s] = own[f] >= 0 ? f : outputLink[f];
            for (int c = 0; c < columns; c++) {
                int slot = s * columns + c;
                int t = go[slot];
                if (t < 0) {
                    go[slot] = go[f * columns + c]; // complete the table: the failure state's move
                } else {
                    fail[t] = go[f * columns + c];
                    queue.add(t);
                }
            }
        }
        return new LiteralAutomaton(columnOf, columns, Arrays.copyOf(go, used * columns), Arrays.copyOf(own, used), outputLink);
    }

    /** Calls {@code hit} for every occurrence of every literal in {@code text}, in order of their end. */
    void scan(String text, Hit hit) {
        int s = 0;
        for (int i = 0; i < text.length(); i++) {
            s = next[s * columns + columnOf[text.charAt(i)]];
            for (int t = own[s] >= 0 ? s : outputLink[s]; t >= 0; t = outputLink[t]) {
                hit.accept(own[t], i + 1);
            }
        }
    }
}
