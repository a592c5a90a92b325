package dev.keywarden.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * TLS of one listener ({@code server.tls.*} or {@code admin.tls.*}): a PEM certificate chain and its PEM private key,
 * re-read when they change. Both files are given (never one without the other); the files themselves are read and
 * checked when the listener starts.
 *
 * @param cert           PEM file: the server certificate first, then its intermediates
 * @param key            PEM file: the unencrypted private key (PKCS#8, or PKCS#1 RSA / SEC1 EC)
 * @param reloadInterval how often the files are checked for a change
 * @param certSetting    how messages name the certificate setting ({@code server.tls.cert (KEYWARDEN_TLS_CERT)})
 * @param keySetting     how messages name the key setting
 */
public record TlsConfig(Path cert, Path key, Duration reloadInterval, String certSetting, String keySetting) {

    public TlsConfig {
        Objects.requireNonNull(cert, "cert");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(reloadInterval, "reloadInterval");
        Objects.requireNonNull(certSetting, "certSetting");
        Objects.requireNonNull(keySetting, "keySetting");
    }

    /** The pair of settings of one listener; empty when neither is given, an error naming the missing one otherwise. */
    static java.util.Optional<TlsConfig> parse(Values values, Setting cert, Setting key, Duration reload, Path workingDir) {
        java.util.Optional<String> c = values.text(cert);
        java.util.Optional<String> k = values.text(key);
        if (c.isEmpty() && k.isEmpty()) {
            return java.util.Optional.empty();
        }
        if (c.isEmpty()) {
            throw Values.error(cert, "is missing while " + key.path() + " is set; give the PEM certificate chain too (or neither)");
        }
        if (k.isEmpty()) {
            throw Values.error(key, "is missing while " + cert.path() + " is set; give the PEM private key too (or neither)");
        }
        return java.util.Optional.of(new TlsConfig(workingDir.resolve(c.get()), workingDir.resolve(k.get()), reload,
                cert.label(), key.label()));
    }
}
