package dev.keywarden.testing;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

/**
 * Certificates made at test time with Bouncy Castle: a root CA, an intermediate CA under it, and server certificates
 * for {@code 127.0.0.1} / {@code localhost} issued by the intermediate. Clients trust the root only, so a server
 * that did not send its chain (leaf + intermediate) would be refused. Nothing is committed; keys live in a temp dir.
 */
public final class TestCertificates {

    private final KeyPair rootKey;
    private final X509Certificate root;
    private final KeyPair intermediateKey;
    private final X509Certificate intermediate;

    private TestCertificates() throws Exception {
        rootKey = ecKey();
        root = sign(new X500Name("CN=Keywarden Test Root"), rootKey, new X500Name("CN=Keywarden Test Root"), rootKey, true, null);
        intermediateKey = ecKey();
        intermediate = sign(new X500Name("CN=Keywarden Test Intermediate"), intermediateKey, new X500Name("CN=Keywarden Test Root"),
                rootKey, true, null);
    }

    /** A new root and intermediate. */
    public static TestCertificates create() throws Exception {
        return new TestCertificates();
    }

    /** The files of one server certificate: {@code cert} (leaf then intermediate) and {@code key} (PKCS#8). */
    public record ServerFiles(Path cert, Path key, X509Certificate leaf) {
    }

    /** Issues a server certificate for 127.0.0.1 and localhost and writes its chain and key into {@code dir}. */
    public ServerFiles issueServer(Path dir, String name) throws Exception {
        KeyPair key = ecKey();
        GeneralNames san = new GeneralNames(new GeneralName[]{new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.dNSName, "localhost")});
        X509Certificate leaf = sign(new X500Name("CN=" + name), key, new X500Name("CN=Keywarden Test Intermediate"),
                intermediateKey, false, san);
        Path cert = dir.resolve(name + ".crt");
        Path keyFile = dir.resolve(name + ".key");
        Files.writeString(cert, pem(leaf) + pem(intermediate));
        Files.writeString(keyFile, pem(new JcaPKCS8Generator(key.getPrivate(), null)));
        return new ServerFiles(cert, keyFile, leaf);
    }

    /** The root in PEM (for {@code curl --cacert}). */
    public Path writeRoot(Path dir) throws IOException {
        Path p = dir.resolve("root.crt");
        Files.writeString(p, pem(root));
        return p;
    }

    /** A trust manager that trusts the root only. */
    public X509TrustManager trustManager() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setCertificateEntry("root", root);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        return (X509TrustManager) tmf.getTrustManagers()[0];
    }

    /** A client TLS context that trusts the root only. */
    public SSLContext clientContext() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[]{trustManager()}, new SecureRandom());
        return ctx;
    }

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X500Name subject, KeyPair subjectKey, X500Name issuer, KeyPair issuerKey, boolean ca,
                                        GeneralNames san) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, new BigInteger(64, new SecureRandom()),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(30))), subject, subjectKey.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ca) {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        } else {
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addExtension(Extension.subjectAlternativeName, false, san);
        }
        X509CertificateHolder holder = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey.getPrivate()));
        return new JcaX509CertificateConverter().getCertificate(holder);
    }

    static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }
}
