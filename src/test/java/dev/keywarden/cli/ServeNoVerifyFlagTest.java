package dev.keywarden.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.InputStream;
import java.nio.file.Files;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ServeNoVerifyFlagTest {

    private static ServeCommand parsed(String... args) throws Exception {
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs(args);
        serve.store.context(CliContext.of(Map.of("KEYWARDEN_DATA_DIR", Files.createTempDirectory("kw-noverify-").toString()),
                InputStream.nullInputStream()));
        return serve;
    }

    @Test
    void noVerifyTurnsTheStartUpKeyCheckOffAndItIsOnWithoutTheFlag() throws Exception {
        assertThat(parsed("--no-verify").loader().load().upstream().verifyKeyAtStart()).isFalse();
        assertThat(parsed().loader().load().upstream().verifyKeyAtStart()).isTrue();
    }
}
