package dev.keywarden.cli;

import picocli.CommandLine.Command;

/** Placeholder: being built (issue 2). */
@Command(name = "fake-upstream", mixinStandardHelpOptions = true, description = "Not built yet.")
public final class FakeUpstreamCommand implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("keywarden fake-upstream: not built yet");
        return 1;
    }
}
