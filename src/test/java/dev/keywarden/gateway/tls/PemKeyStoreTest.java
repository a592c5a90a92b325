package dev.keywarden.gateway.tls;

import dev.keywarden.config.ConfigException;
import dev.keywarden.config.TlsConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link PemKeyStore} on the key formats operators actually have, made by the {@code openssl} command line at test
 * time (skipped without it): PKCS#8, PKCS#1 RSA and SEC1 EC (with its EC PARAMETERS block); an encrypted key is refused
 * in one line that names the setting and quotes nothing from the file.
 */
class PemKeyStoreTest {

    @TempDir
    Path dir;

    static TlsConfig tls(Path cert, Path key) {
        return new TlsConfig(cert, key, Duration.ofMinutes(1), "server.tls.cert (KEYWARDEN_TLS_CERT)", "server.tls.key (KEYWARDEN_TLS_KEY)");
    }

    void openssl(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("openssl is not installed: real-world PEM formats not checked");
            return;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("openssl %s: %s", command, out).isZero();
    }

    Path selfSigned(String key) throws Exception {
        openssl("req", "-x509", "-key", key, "-subj", "/CN=localhost", "-days", "2", "-out", key + ".crt");
        return dir.resolve(key + ".crt");
    }

    @Test
    void pkcs8AndPkcs1RsaAndSec1EcKeysLoad() throws Exception {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "pkcs8.key");
        openssl("genrsa", "-traditional", "-out", "rsa.key", "2048");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-out", "sec1.key");
        assertThat(Files.readString(dir.resolve("pkcs8.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Files.readString(dir.resolve("rsa.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.readString(dir.resolve("sec1.key"))).startsWith("-----BEGIN EC PARAMETERS-----");
        for (String key : List.of("pkcs8.key", "rsa.key", "sec1.key")) {
            PemKeyStore.Loaded loaded = PemKeyStore.load(tls(selfSigned(key), dir.resolve(key)), "pw".toCharArray());
            assertThat(loaded.chain()).as(key).hasSize(1);
            assertThat(loaded.keyStore().isKeyEntry(PemKeyStore.ALIAS)).as(key).isTrue();
        }
    }

    @Test
    void anEncryptedKeyIsRefusedInOneLineWithoutQuotingIt() throws Exception {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "plain.key");
        Path cert = selfSigned("plain.key");
        openssl("pkey", "-in", "plain.key", "-aes256", "-passout", "pass:secret-pass", "-out", "enc.key");
        String encrypted = Files.readString(dir.resolve("enc.key"));
        assertThatThrownBy(() -> PemKeyStore.load(tls(cert, dir.resolve("enc.key")), "pw".toCharArray()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.tls.key (KEYWARDEN_TLS_KEY): " + dir.resolve("enc.key") + " is encrypted")
                .hasMessageNotContaining("\n")
                .hasMessageNotContaining(encrypted.lines().skip(1).findFirst().orElseThrow());
    }

    @Test
    void aKeyFileHoldingOnlyACertificateIsRefused() throws Exception {
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "k.key");
        Path cert = selfSigned("k.key");
        assertThatThrownBy(() -> PemKeyStore.load(tls(cert, cert), "pw".toCharArray()))
                .hasMessageStartingWith("server.tls.key (KEYWARDEN_TLS_KEY): " + cert + " holds no private key");
    }
}
