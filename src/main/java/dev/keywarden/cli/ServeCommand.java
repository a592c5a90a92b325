package dev.keywarden.cli;

import picocli.CommandLine.Command;

/** Placeholder: being built (issue 2). */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Not built yet.")
public final class ServeCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("keywarden serve: not built yet");
        return 1;
    }
}
