package dev.keywarden.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerSecretTest {

    @TempDir
    Path tmp;

    /** RFC 4231 test case 7: 131-byte key of 0xaa, larger-than-block-size data. */
    @Test
    void hmacIsHmacSha256OfTheUtf8Message() {
        byte[] key = new byte[131];
        Arrays.fill(key, (byte) 0xaa);
        ServerSecret secret = ServerSecret.fromBase64(Base64.getEncoder().encodeToString(key));
        String data = "This is a test using a larger than block-size key and a larger than block-size data."
                + " The key needs to be hashed before being used by the HMAC algorithm.";
        assertThat(HexFormat.of().formatHex(secret.hmac(data)))
                .isEqualTo("9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
    }

    @Test
    void urlSafeUnpaddedBase64IsAcceptedToo() {
        byte[] key = new byte[33];
        Arrays.fill(key, (byte) 0xfb);
        String standard = Base64.getEncoder().encodeToString(key);
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(key);
        assertThat(ServerSecret.fromBase64(urlSafe).hmac("m")).isEqualTo(ServerSecret.fromBase64(standard).hmac("m"));
    }

    @Test
    void shortSecretIsRefusedNamingTheVariableWithoutTheValue() {
        String shortValue = Base64.getEncoder().encodeToString("only-twenty-bytes-xx".getBytes());
        assertThatThrownBy(() -> ServerSecret.fromBase64(shortValue))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KEYWARDEN_SERVER_SECRET")
                .hasMessageContaining("at least 32")
                .hasMessageContaining("20 bytes")
                .hasMessageNotContaining(shortValue);
    }

    @Test
    void nonBase64SecretIsRefusedNamingTheVariableWithoutTheValue() {
        String garbage = "not base64 at all!!! ".repeat(4);
        assertThatThrownBy(() -> ServerSecret.fromBase64(garbage))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("KEYWARDEN_SERVER_SECRET")
                .hasMessageContaining("not valid base64")
                .hasMessageNotContaining("not base64 at all");
    }

    @Test
    void generatedSecretFileIsOwnerOnlyThirtyTwoBytesAndReusedNextTime() throws Exception {
        Path dataDir = tmp.resolve("data");
        ServerSecret first = ServerSecret.loadOrCreate(dataDir);
        Path file = dataDir.resolve(ServerSecret.FILE_NAME);

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir))).isEqualTo("rwx------");
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);
        assertThat(ServerSecret.loadOrCreate(dataDir).hmac("x")).isEqualTo(first.hmac("x"));
    }

    @Test
    void differentDataDirectoriesGetDifferentSecrets() {
        assertThat(ServerSecret.loadOrCreate(tmp.resolve("a")).hmac("x"))
                .isNotEqualTo(ServerSecret.loadOrCreate(tmp.resolve("b")).hmac("x"));
    }

    @Test
    void resolvePrefersTheSuppliedValueAndCreatesNoFile() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        String base64 = Base64.getEncoder().encodeToString(key);
        ServerSecret secret = ServerSecret.resolve(base64, tmp.resolve("data"));
        assertThat(secret.hmac("x")).isEqualTo(ServerSecret.fromBase64(base64).hmac("x"));
        assertThat(tmp.resolve("data").resolve(ServerSecret.FILE_NAME)).doesNotExist();
        assertThat(ServerSecret.resolve("  ", tmp.resolve("data")).hmac("x")).isNotEqualTo(secret.hmac("x"));
        assertThat(tmp.resolve("data").resolve(ServerSecret.FILE_NAME)).exists();
    }

    @Test
    void corruptSecretFileFailsNamingTheFile() throws Exception {
        Path dataDir = Files.createDirectory(tmp.resolve("data"));
        Path file = Files.writeString(dataDir.resolve(ServerSecret.FILE_NAME), "c2hvcnQ=\n");
        assertThatThrownBy(() -> ServerSecret.loadOrCreate(dataDir))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("corrupt");
        assertThat(file).hasContent("c2hvcnQ=\n");
    }

    @Test
    void toStringNeverShowsTheSecret() {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 'A');
        String base64 = Base64.getEncoder().encodeToString(key);
        assertThat(ServerSecret.fromBase64(base64).toString()).doesNotContain(base64).doesNotContain("AAAA");
    }

    @Test
    void hmacGivesTheSameAnswerFromManyThreadsAtOnce() throws Exception {
        ServerSecret secret = ServerSecret.loadOrCreate(tmp);
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            messages.add("message-" + i);
        }
        List<byte[]> expected = messages.stream().map(secret::hmac).toList();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Boolean>> tasks = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                tasks.add(() -> {
                    for (int round = 0; round < 200; round++) {
                        for (int i = 0; i < messages.size(); i++) {
                            if (!Arrays.equals(secret.hmac(messages.get(i)), expected.get(i))) {
                                return false;
                            }
                        }
                    }
                    return true;
                });
            }
            for (Future<Boolean> result : pool.invokeAll(tasks)) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
