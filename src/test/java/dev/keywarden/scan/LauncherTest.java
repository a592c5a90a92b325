package dev.keywarden.scan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.cli.Main;
import java.util.List;
import org.junit.jupiter.api.Test;

class LauncherTest {

    @Test
    void theUnsafeOptionIsPassedOnlyToJdksThatKnowIt() {
        assertThat(Launcher.jvmOptions(21)).isEmpty();
        assertThat(Launcher.jvmOptions(22)).isEmpty();
        assertThat(Launcher.jvmOptions(23)).containsExactly("--sun-misc-unsafe-memory-access=allow");
        assertThat(Launcher.jvmOptions(25)).containsExactly("--sun-misc-unsafe-memory-access=allow");
    }

    @Test
    void theHookStartsKeywardenWithTheSameOptionsAsTheLauncher() {
        List<String> command = Launcher.current(Main.class);
        assertThat(command.subList(1, 1 + Launcher.jvmOptions().size())).isEqualTo(Launcher.jvmOptions());
        assertThat(command.getFirst()).endsWith("java");
    }
}
