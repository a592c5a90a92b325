package dev.keywarden.cli;

import picocli.CommandLine.Command;

/** Placeholder: being built (issue 2). */
@Command(name = "keys", mixinStandardHelpOptions = true, description = "Not built yet.")
public final class KeysCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("keywarden keys: not built yet");
        return 1;
    }
}
