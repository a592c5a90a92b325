package dev.keywarden.scan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.format.AdminTokenFormat;
import dev.keywarden.format.ChecksummedFormat;
import java.util.Base64;
import java.util.Locale;

/**
 * An offline check that tells a real credential from a lookalike of the same shape, named in the
 * rules file by {@code validate:}. Never contacts any service.
 */
public enum Validator {
    /** Accepts every candidate. */
    NONE {
        @Override
        public boolean isValid(String secret) {
            return true;
        }
    },
    /** A Keywarden virtual key whose CRC32 checksum matches ({@link ChecksummedFormat#VIRTUAL_KEY}). */
    KW_VIRTUAL_KEY {
        @Override
        public boolean isValid(String secret) {
            return ChecksummedFormat.VIRTUAL_KEY.isWellFormed(secret);
        }
    },
    /**
     * A Keywarden admin token: the current shape with a matching CRC32 checksum
     * ({@link AdminTokenFormat#isWellFormed}), or the shape issued before the checksum (43 base64url
     * characters, no offline check possible) when it looks random (Shannon entropy of at least 3.5 bits
     * per character, which placeholders such as {@code kwadm_xxxx…} do not reach).
     */
    KW_ADMIN_TOKEN {
        @Override
        public boolean isValid(String secret) {
            if (AdminTokenFormat.isWellFormed(secret)) {
                return true;
            }
            return AdminTokenFormat.isLegacyShaped(secret)
                    && Entropy.shannon(secret.substring(AdminTokenFormat.PREFIX.length())) >= 3.5;
        }
    },
    /** A JWT whose header and payload decode from base64url to JSON objects and whose header names an {@code alg}. */
    JWT {
        private static final ObjectMapper JSON = new ObjectMapper();

        @Override
        public boolean isValid(String secret) {
            String[] parts = secret.split("\\.");
            if (parts.length != 3) {
                return false;
            }
            try {
                JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
                JsonNode payload = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
                return header != null && header.isObject() && header.has("alg") && payload != null && payload.isObject();
            } catch (Exception e) {
                return false;
            }
        }
    };

    /** True when {@code secret} passes the check. */
    public abstract boolean isValid(String secret);

    /** The validator named {@code name} in a rules file ({@code kw-virtual-key}, {@code kw-admin-token}, {@code jwt}); null or blank = {@link #NONE}. */
    public static Validator named(String name) {
        if (name == null || name.isBlank()) {
            return NONE;
        }
        try {
            return valueOf(name.strip().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown validator '" + name + "'; use kw-virtual-key, kw-admin-token or jwt");
        }
    }
}
