package dev.keywarden.gateway.tls;

import dev.keywarden.config.ConfigException;
import dev.keywarden.config.TlsConfig;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * A listener's certificate chain and private key, read from PEM files into an in-memory key store.
 *
 * <p>Guarantees: the chain holds at least one certificate and the key is the private half of the first one's public
 * key (proved by signing and verifying a test message); an encrypted key, a file without the expected PEM block or
 * a key for another certificate is refused with one line naming the setting and the file — never quoting the key
 * file's contents. Parsing is Bouncy Castle's ({@code bcpkix}); the key store is PKCS#12 in memory only.
 */
public final class PemKeyStore {

    /** The alias of the one key entry. */
    static final String ALIAS = "keywarden";

    private PemKeyStore() {
    }

    /** The key material of a loaded pair: the key store (protected by {@code password}) and its chain. */
    public record Loaded(KeyStore keyStore, List<X509Certificate> chain) {
        /** The server certificate (the first of the chain). */
        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    /** Reads {@code tls}'s two files; {@link ConfigException} (one line) when they are unusable. */
    public static Loaded load(TlsConfig tls, char[] password) {
        return load(tls, read(tls.cert(), tls.certSetting()), read(tls.key(), tls.keySetting()), password);
    }

    static Loaded load(TlsConfig tls, byte[] certPem, byte[] keyPem, char[] password) {
        List<X509Certificate> chain = chain(tls, certPem);
        PrivateKey key = key(tls, keyPem);
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new ConfigException(tls.keySetting() + ": " + tls.key() + " is not the private key of the certificate in "
                    + tls.cert() + "; give the key that was issued with that certificate");
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, key, password, chain.toArray(new Certificate[0]));
            return new Loaded(ks, List.copyOf(chain));
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException(tls.certSetting() + ": cannot build a key store from " + tls.cert() + " and " + tls.key()
                    + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The bytes of {@code file}; one line naming {@code setting} when it cannot be read. */
    static byte[] read(Path file, String setting) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConfigException(setting + ": cannot read " + file + " (" + e.getClass().getSimpleName()
                    + "); give a readable PEM file");
        }
    }

    private static List<X509Certificate> chain(TlsConfig tls, byte[] pem) {
        List<X509Certificate> out = new ArrayList<>();
        JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    out.add(converter.getCertificate(holder));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new ConfigException(tls.certSetting() + ": " + tls.cert() + " is not a valid PEM certificate chain ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (out.isEmpty()) {
            throw new ConfigException(tls.certSetting() + ": " + tls.cert() + " holds no certificate; give a PEM file with"
                    + " -----BEGIN CERTIFICATE----- blocks, the server certificate first, then its intermediates");
        }
        return out;
    }

    private static PrivateKey key(TlsConfig tls, byte[] pem) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
                if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
                    throw new ConfigException(tls.keySetting() + ": " + tls.key() + " is encrypted; give the unencrypted key"
                            + " (e.g. openssl pkey -in KEY -out KEY.pem) in an owner-readable file");
                }
                // anything else (EC PARAMETERS, a certificate in the same file) is skipped
            }
        } catch (ConfigException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // the parser's message may quote the file: only its type is named
            throw new ConfigException(tls.keySetting() + ": " + tls.key() + " is not a valid PEM private key ("
                    + e.getClass().getSimpleName() + ")");
        }
        throw new ConfigException(tls.keySetting() + ": " + tls.key() + " holds no private key; give a PEM file with a"
                + " -----BEGIN PRIVATE KEY----- (or RSA / EC PRIVATE KEY) block");
    }

    private static boolean matches(PrivateKey key, PublicKey pub) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null || !algorithm(pub, key)) {
            return false;
        }
        try {
            byte[] probe = "keywarden-tls-key-check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] sig = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(pub);
            verifier.update(probe);
            return verifier.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static boolean algorithm(PublicKey pub, PrivateKey key) {
        String p = pub.getAlgorithm().equals("ECDSA") ? "EC" : pub.getAlgorithm();
        String k = key.getAlgorithm().equals("ECDSA") ? "EC" : key.getAlgorithm();
        return p.equals(k) || (p.startsWith("Ed") && k.startsWith("Ed"));
    }
}
