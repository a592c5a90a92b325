package dev.keywarden.cli;

import dev.keywarden.config.ConfigException;
import dev.keywarden.log.Redactor;
import picocli.CommandLine;

/**
 * Turns failures of a command into one line on stderr and a non-zero exit code. Configuration
 * mistakes ({@link ConfigException}) exit 2 with the message that names the setting; anything
 * else exits 1 with a redacted message (never a stack trace unless KEYWARDEN_DEBUG is set).
 */
final class StartupErrorHandler implements CommandLine.IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parseResult) {
        if (ex instanceof ConfigException ce) {
            cl.getErr().println("keywarden: configuration error: " + Redactor.redact(ce.getMessage()));
            return 2;
        }
        cl.getErr().println("keywarden: " + Redactor.redact(String.valueOf(ex.getMessage())));
        if (System.getenv("KEYWARDEN_DEBUG") != null) {
            ex.printStackTrace(cl.getErr());
        }
        return 1;
    }
}
