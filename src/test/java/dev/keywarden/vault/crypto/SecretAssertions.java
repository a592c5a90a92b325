package dev.keywarden.vault.crypto;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;

/** Proves that an error text holds no secret in any common encoding. */
public final class SecretAssertions {

    private SecretAssertions() {
    }

    public static void assertNoSecretIn(Throwable error, byte[]... secrets) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            String text = String.valueOf(t.getMessage()) + " " + t;
            for (byte[] secret : secrets) {
                assertThat(text)
                        .doesNotContain(new String(secret, StandardCharsets.UTF_8))
                        .doesNotContain(Base64.getEncoder().encodeToString(secret))
                        .doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(secret))
                        .doesNotContainIgnoringCase(HexFormat.of().formatHex(secret));
            }
        }
    }
}
