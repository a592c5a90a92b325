package dev.keywarden.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads the vault passphrase, never from a command-line flag (flags end up in shell history and
 * process listings): from {@code KEYWARDEN_VAULT_PASSPHRASE} when set, else from a no-echo prompt
 * when a terminal is attached, else from the first line of standard input.
 *
 * <p>Guarantee: the passphrase is returned as a {@code char[]} the caller zeroes; intermediate
 * buffers are zeroed here, and no message ever contains it.
 */
final class PassphraseInput {

    static final String ENV = "KEYWARDEN_VAULT_PASSPHRASE";
    private static final int MAX_BYTES = 4096;

    private PassphraseInput() {
    }

    /**
     * @throws IllegalStateException when no passphrase is available or it is empty (message says how to give one)
     */
    static char[] read(CliContext context, String prompt) {
        String fromEnv = context.env(ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv.toCharArray();
        }
        char[] passphrase;
        if (context.interactive()) {
            passphrase = System.console().readPassword("%s", prompt);
        } else {
            passphrase = firstLine(context.stdin());
        }
        if (passphrase == null || passphrase.length == 0) {
            throw new IllegalStateException("no vault passphrase given: type it at the prompt, pipe it as the first line "
                    + "of standard input, or set " + ENV);
        }
        return passphrase;
    }

    /**
     * Reads the passphrase for a NEW vault: from {@code KEYWARDEN_VAULT_PASSPHRASE} (or {@code configured},
     * {@code vault.passphrase} from the configuration) for scripts, else typed twice at a no-echo prompt
     * (refused when the two differ), else the first line of standard input.
     *
     * @throws IllegalStateException when none is given, it is empty, or the two entries differ
     */
    static char[] readNew(CliContext context, java.util.Optional<char[]> configured) {
        String fromEnv = context.env(ENV);
        if (fromEnv != null && !fromEnv.isEmpty()) {
            return fromEnv.toCharArray();
        }
        if (configured.isPresent() && configured.get().length > 0) {
            return configured.get();
        }
        char[] passphrase;
        if (context.interactive()) {
            passphrase = System.console().readPassword("%s", "New vault passphrase: ");
            char[] again = System.console().readPassword("%s", "Same passphrase again: ");
            try {
                if (passphrase == null || again == null || !sameChars(passphrase, again)) {
                    if (passphrase != null) {
                        Arrays.fill(passphrase, '\0');
                    }
                    throw new IllegalStateException("the two passphrases differ: nothing was created; run the command again");
                }
            } finally {
                if (again != null) {
                    Arrays.fill(again, '\0');
                }
            }
        } else {
            passphrase = firstLine(context.stdin());
        }
        if (passphrase == null || passphrase.length == 0) {
            throw new IllegalStateException("no passphrase given for the new vault: type it twice at the prompt, pipe it as"
                    + " the first line of standard input, or set " + ENV);
        }
        return passphrase;
    }

    /** Whether {@code a} and {@code b} hold the same characters, in time that depends only on their lengths. */
    static boolean sameChars(char[] a, char[] b) {
        int diff = a.length ^ b.length;
        for (int i = 0; i < Math.min(a.length, b.length); i++) {
            diff |= a[i] ^ b[i];
        }
        return diff == 0;
    }

    /** The first line of {@code in} (without the line break) as UTF-8 characters; null at end of input. */
    static char[] firstLine(InputStream in) {
        return firstLine(in, "the vault passphrase");
    }

    /** As {@link #firstLine(InputStream)}; {@code what} names the value in messages (e.g. "the password"). */
    static char[] firstLine(InputStream in, String what) {
        byte[] buffer = new byte[MAX_BYTES];
        int length = 0;
        try {
            int b;
            boolean any = false;
            while ((b = in.read()) != -1) {
                any = true;
                if (b == '\n') {
                    break;
                }
                if (length == MAX_BYTES) {
                    throw new IllegalStateException(what + " on standard input is longer than " + MAX_BYTES + " bytes");
                }
                buffer[length++] = (byte) b;
            }
            if (!any) {
                return null;
            }
            if (length > 0 && buffer[length - 1] == '\r') {
                length--;
            }
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(buffer, 0, length));
            char[] out = new char[chars.remaining()];
            chars.get(out);
            Arrays.fill(chars.array(), '\0');
            return out;
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(what + " on standard input is not valid UTF-8");
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + what + " from standard input (" + e.getClass().getSimpleName() + ")");
        } finally {
            Arrays.fill(buffer, (byte) 0);
        }
    }
}
