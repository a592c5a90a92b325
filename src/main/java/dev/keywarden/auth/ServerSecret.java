package dev.keywarden.auth;

import dev.keywarden.audit.ChainKey;
import dev.keywarden.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-side HMAC key under which client credentials are hashed before they are stored or
 * looked up, so a copy of the database alone cannot be used to check guessed keys.
 *
 * <p>It comes from {@code KEYWARDEN_SERVER_SECRET} (base64, at least 32 bytes) when that is set,
 * otherwise from {@code <data dir>/server-secret}, which is generated (32 bytes from
 * {@link SecureRandom}, mode 0600) on first use. Every process sharing a database must use the same
 * secret. The secret is never logged, printed or returned; {@link #toString()} hides it.
 * {@link #hmac} is safe to call from many threads at once.
 */
public final class ServerSecret implements ChainKey {

    /** Environment variable that supplies the secret as base64. */
    public static final String ENV_VAR = "KEYWARDEN_SERVER_SECRET";
    /** Name of the generated secret file inside the data directory. */
    public static final String FILE_NAME = "server-secret";

    static final int MIN_BYTES = 32;
    private static final String ALGORITHM = "HmacSHA256";
    private static final Logger LOG = LoggerFactory.getLogger(ServerSecret.class);

    /** Initialised once and never updated, only cloned: a {@link Mac} is not thread-safe. */
    private final Mac prototype;

    private ServerSecret(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            this.prototype = mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot compute " + ALGORITHM, e);
        } finally {
            Arrays.fill(key, (byte) 0);
        }
    }

    /**
     * The secret from {@code base64} when it is non-blank (as read from {@link #ENV_VAR}), otherwise the
     * one in {@code dataDir/server-secret}, generated there if absent.
     */
    public static ServerSecret resolve(String base64, Path dataDir) {
        return base64 != null && !base64.isBlank() ? fromBase64(base64) : loadOrCreate(dataDir);
    }

    /**
     * The secret encoded as base64 (standard or URL-safe alphabet, padding optional).
     *
     * @throws IllegalArgumentException naming {@value #ENV_VAR} when the value is not base64 or
     *         decodes to fewer than 32 bytes; the message never contains the value
     */
    public static ServerSecret fromBase64(String base64) {
        byte[] key = decode(base64);
        if (key == null || key.length < MIN_BYTES) {
            int got = key == null ? -1 : key.length;
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
            throw new IllegalArgumentException(ENV_VAR + " must be base64 of at least " + MIN_BYTES + " random bytes ("
                    + (got < 0 ? "it is not valid base64" : "it decodes to " + got + " bytes")
                    + "); generate one with: openssl rand -base64 32");
        }
        return new ServerSecret(key);
    }

    /**
     * Reads {@code dataDir/server-secret}, or creates it (and {@code dataDir}, mode 0700) with 32 new
     * random bytes when it does not exist. Two processes racing to create it end up with the same secret.
     *
     * @throws IllegalStateException naming the file when it cannot be read, written or is corrupt
     */
    public static ServerSecret loadOrCreate(Path dataDir) {
        Path file = dataDir.toAbsolutePath().normalize().resolve(FILE_NAME);
        try {
            return load(file);
        } catch (NoSuchFileException absent) {
            return create(file);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the server secret " + file + ": " + reason(e), e);
        }
    }

    private static ServerSecret load(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        byte[] key = decode(text);
        if (key == null || key.length < MIN_BYTES) {
            throw new IllegalStateException("the server secret " + file + " is corrupt: expected base64 of at least "
                    + MIN_BYTES + " bytes; restore it from a backup (replacing it invalidates every virtual key)");
        }
        if (PrivateFiles.isAccessibleToOthers(file)) {
            LOG.warn("the server secret {} can be read by other users; restrict it with: chmod 600 {}", file, file);
        }
        return new ServerSecret(key);
    }

    private static ServerSecret create(Path file) {
        byte[] key = new byte[MIN_BYTES];
        new SecureRandom().nextBytes(key);
        byte[] encoded = (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
        try {
            PrivateFiles.createDirectories(file.getParent());
            if (!PrivateFiles.writeNewFile(file, encoded)) {
                Arrays.fill(key, (byte) 0);
                return load(file); // another process created it first: use theirs
            }
        } catch (IOException e) {
            Arrays.fill(key, (byte) 0);
            throw new IllegalStateException("cannot create the server secret " + file + ": " + reason(e), e);
        } finally {
            Arrays.fill(encoded, (byte) 0);
        }
        LOG.info("generated a new server secret in {}", file);
        return new ServerSecret(key);
    }

    /**
     * HMAC-SHA-256 of the UTF-8 bytes of {@code message} under this secret.
     */
    @Override
    public byte[] hmac(String message) {
        Mac mac;
        try {
            mac = (Mac) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException(ALGORITHM + " of this JDK's provider cannot be cloned", e);
        }
        return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] decode(String base64) {
        if (base64 == null) {
            return null;
        }
        String normalized = base64.strip().replace('-', '+').replace('_', '/');
        try {
            return Base64.getDecoder().decode(normalized);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String reason(IOException e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    @Override
    public String toString() {
        return "ServerSecret[hidden]";
    }
}
