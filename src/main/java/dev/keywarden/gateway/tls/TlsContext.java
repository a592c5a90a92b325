package dev.keywarden.gateway.tls;

import dev.keywarden.config.ConfigException;
import dev.keywarden.config.TlsConfig;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The TLS side of one listener: Jetty's {@link SslContextFactory.Server} with the PEM chain and key of a
 * {@link TlsConfig}, and a watcher that serves a changed pair without a restart.
 *
 * <p>Guarantees: only TLS 1.3 and 1.2; on TLS 1.2 only forward-secret AEAD suites (ECDHE with AES-GCM or
 * ChaCha20-Poly1305, the Mozilla "intermediate" list), ordered so HTTP/2's own rules hold; renegotiation off. The
 * files are checked every {@code reload_interval} by content (SHA-256 of both), so a renewal that keeps the file
 * names and times is still seen; a new pair that is incomplete or inconsistent (a certificate written before its key)
 * is not used — the listener keeps serving the previous one and says so once per change — and is retried at the next
 * check. New connections get the new certificate; open ones keep theirs.
 */
public final class TlsContext implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TlsContext.class);

    /** The protocols served. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** TLS 1.3's suites, then TLS 1.2's forward-secret AEAD suites. */
    static final String[] CIPHERS = {
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"};

    private final TlsConfig config;
    private final SslContextFactory.Server factory;
    private final char[] password;
    private final ScheduledExecutorService watcher;
    private volatile String served;
    private volatile String refused;

    private TlsContext(TlsConfig config, SslContextFactory.Server factory, char[] password, String served) {
        this.config = config;
        this.factory = factory;
        this.password = password;
        this.served = served;
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "keywarden-tls-reload");
            t.setDaemon(true);
            return t;
        });
        long every = config.reloadInterval().toMillis();
        watcher.scheduleWithFixedDelay(this::check, every, every, TimeUnit.MILLISECONDS);
    }

    /** Loads {@code config}'s files (a {@link ConfigException} when unusable) and starts watching them. */
    public static TlsContext open(TlsConfig config) {
        char[] password = randomPassword();
        byte[] cert = PemKeyStore.read(config.cert(), config.certSetting());
        byte[] key = PemKeyStore.read(config.key(), config.keySetting());
        PemKeyStore.Loaded loaded = PemKeyStore.load(config, cert, key, password);
        SslContextFactory.Server f = new SslContextFactory.Server();
        f.setKeyStore(loaded.keyStore());
        f.setKeyStorePassword(new String(password));
        f.setKeyManagerPassword(new String(password));
        f.setIncludeProtocols(PROTOCOLS);
        f.setIncludeCipherSuites(CIPHERS);
        f.setCipherComparator(HTTP2Cipher.COMPARATOR);
        f.setUseCipherSuitesOrder(true);
        f.setRenegotiationAllowed(false);
        warnIfExpiring(config, loaded.leaf());
        return new TlsContext(config, f, password, digest(cert, key));
    }

    /** Jetty's factory, for the listener's {@code SslConnectionFactory}. */
    public SslContextFactory.Server factory() {
        return factory;
    }

    /** Checks the files now: reloads when their contents changed and form a usable pair. */
    void check() {
        byte[] cert;
        byte[] key;
        try {
            cert = PemKeyStore.read(config.cert(), config.certSetting());
            key = PemKeyStore.read(config.key(), config.keySetting());
        } catch (ConfigException e) {
            refuseOnce("unreadable", e.getMessage());
            return;
        }
        String now = digest(cert, key);
        if (now.equals(served)) {
            return;
        }
        try {
            PemKeyStore.Loaded loaded = PemKeyStore.load(config, cert, key, password);
            factory.reload(f -> f.setKeyStore(loaded.keyStore()));
            served = now;
            refused = null;
            X509Certificate leaf = loaded.leaf();
            LOG.info("TLS certificate reloaded from {}: {} (valid until {})", config.cert(),
                    leaf.getSubjectX500Principal().getName(), leaf.getNotAfter().toInstant());
            warnIfExpiring(config, leaf);
        } catch (ConfigException e) {
            refuseOnce(now, e.getMessage());
        } catch (Exception e) {
            refuseOnce(now, "cannot reload the TLS context (" + e.getClass().getSimpleName() + ")");
        }
    }

    private void refuseOnce(String version, String why) {
        if (!version.equals(refused)) {
            refused = version;
            LOG.warn("TLS files changed but are not usable yet; still serving the previous certificate: {}", why);
        }
    }

    private static void warnIfExpiring(TlsConfig config, X509Certificate leaf) {
        Instant notAfter = leaf.getNotAfter().toInstant();
        if (notAfter.isBefore(Instant.now())) {
            LOG.warn("TLS certificate in {} expired at {}: clients will refuse it; renew it (it is re-read without a restart)",
                    config.cert(), notAfter);
        } else if (notAfter.isBefore(Instant.now().plusSeconds(14 * 24 * 3600))) {
            LOG.warn("TLS certificate in {} expires at {}: renew it (it is re-read without a restart)", config.cert(), notAfter);
        }
    }

    private static String digest(byte[] cert, byte[] key) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(cert);
            md.update((byte) 0);
            md.update(key);
            return Base64.getEncoder().encodeToString(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static char[] randomPassword() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b).toCharArray();
    }

    @Override
    public void close() {
        watcher.shutdownNow();
        Arrays.fill(password, '\0');
    }
}
