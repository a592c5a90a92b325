package dev.keywarden.vault.crypto;

import com.nulabinc.zxcvbn.Feedback;
import com.nulabinc.zxcvbn.Strength;
import com.nulabinc.zxcvbn.Zxcvbn;
import java.nio.CharBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The strength rule for a new vault passphrase: at least {@value #MIN_LENGTH} characters and a
 * zxcvbn score of {@value #MIN_SCORE} of 4 (an estimated 10^10 guesses or more, Dropbox's zxcvbn
 * through its Java port). A passphrase vault's key ring can be attacked offline by anyone holding a
 * copy of the ring file; Argon2id slows each guess, the passphrase must supply the rest.
 *
 * <p>Guarantee: no message ever contains the passphrase or a part of it (zxcvbn's warnings and
 * suggestions are fixed sentences).
 */
public final class PassphraseStrength {

    public static final int MIN_LENGTH = 12;
    public static final int MIN_SCORE = 4;

    private PassphraseStrength() {
    }

    /**
     * Refuses a passphrase that breaks the rule, saying why and how to choose a better one.
     *
     * @throws VaultException when it is too short or too easy to guess
     */
    public static void requireStrong(char[] passphrase) {
        if (passphrase.length < MIN_LENGTH) {
            throw new VaultException("the passphrase is too short for a vault (" + passphrase.length + " characters, at least "
                    + MIN_LENGTH + " needed): choose four or more random words, or let a password manager generate it");
        }
        char[] copy = passphrase.clone(); // Strength.wipe() zeroes what it measured
        Strength strength = new Zxcvbn().measure(CharBuffer.wrap(copy));
        try {
            if (strength.getScore() < MIN_SCORE) {
                List<String> why = new ArrayList<>();
                Feedback feedback = strength.getFeedback();
                String warning = feedback.getWarning(Locale.ENGLISH);
                if (warning != null && !warning.isBlank()) {
                    why.add(warning.strip());
                }
                feedback.getSuggestions(Locale.ENGLISH).stream().filter(s -> s != null && !s.isBlank()).map(String::strip)
                        .forEach(why::add);
                throw new VaultException("the passphrase is too easy to guess for a vault (strength " + strength.getScore()
                        + " of 4, " + MIN_SCORE + " needed" + (why.isEmpty() ? "" : ": " + String.join(" ", why))
                        + "): choose four or more random words, or let a password manager generate it");
            }
        } finally {
            strength.wipe();
            java.util.Arrays.fill(copy, '\0');
        }
    }
}
