package dev.keywarden.cli;

import dev.keywarden.config.ConfigException;
import dev.keywarden.log.Redactor;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of every vault and provider-key command: the {@code --data-dir}, {@code --config},
 * {@code --admin-url} and {@code --admin-token-file} options, and one error convention: a failed
 * operation prints one line {@code keywarden <command>: <what failed and how to fix it>} on stderr and
 * exits 1; configuration mistakes exit 2 (through {@link StartupErrorHandler}).
 *
 * <p>Guarantee: error lines pass through {@link Redactor}, so even a message that unexpectedly
 * held a key-shaped string would not print it.
 */
abstract class VaultSubcommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Mixin
    VaultTarget target;

    @Override
    public final Integer call() throws Exception {
        target.config = store.config;
        try {
            return execute();
        } catch (ConfigException e) {
            throw e;
        } catch (RuntimeException e) {
            err().println(spec.qualifiedName() + ": " + Redactor.redact(String.valueOf(e.getMessage())));
            if (System.getenv("KEYWARDEN_DEBUG") != null) {
                e.printStackTrace(err()); // as StartupErrorHandler does
            }
            err().flush();
            return 1;
        }
    }

    /** Runs the command; a {@link RuntimeException} becomes one error line and exit 1. */
    abstract int execute() throws Exception;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /**
     * POSTs {@code body} to {@code path} on the gateway's admin API. A 404 prints one line "no
     * {@code what} has id or prefix {@code shown} on the gateway at URL" and returns null (exit 1 for the
     * caller); other failures throw {@link AdminApiException}.
     */
    com.fasterxml.jackson.databind.JsonNode postOrNotFound(AdminApiClient client, String path,
                                                           com.fasterxml.jackson.databind.JsonNode body, String what, String shown) {
        try {
            com.fasterxml.jackson.databind.JsonNode reply = client.post(path, body);
            return reply == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : reply;
        } catch (AdminApiException e) {
            if (e.status() == 404) {
                err().println(spec.qualifiedName() + ": no " + what + " has id or prefix " + shown + " on the gateway at "
                        + client.baseUri());
                return null;
            }
            throw e;
        }
    }

    /** Prints a progress note on stderr (stdout stays for results). */
    void note(String line) {
        err().println(line);
        err().flush();
    }
}
