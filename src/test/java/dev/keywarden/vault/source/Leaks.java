package dev.keywarden.vault.source;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** Asserts that an exception, its causes and its printed stack trace hold none of the given secrets. */
final class Leaks {

    private Leaks() {
    }

    static void assertNoSecretIn(Throwable t, String... secrets) {
        StringWriter printed = new StringWriter();
        t.printStackTrace(new PrintWriter(printed));
        for (String secret : secrets) {
            assertThat(printed.toString()).as("printed exception").doesNotContain(secret);
            for (Throwable c = t; c != null; c = c.getCause()) {
                assertThat(String.valueOf(c.getMessage())).doesNotContain(secret);
                assertThat(c.toString()).doesNotContain(secret);
            }
        }
    }
}
