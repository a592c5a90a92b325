package dev.keywarden.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.auth.CreatedVirtualKey;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyInfo;
import dev.keywarden.auth.VirtualKeyFormat;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.config.ConfigException;
import dev.keywarden.log.Redactor;
import dev.keywarden.store.Database;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keywarden keys}: create, list and revoke virtual keys in the data directory's database.
 * A new key is printed once, alone on the last line of stdout; no other command ever prints a key.
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Create, list and revoke virtual keys (kw_...): the credentials clients use instead of a provider key.",
        subcommands = {
                KeysCommand.CreateVirtual.class,
                KeysCommand.ListKeys.class,
                KeysCommand.Revoke.class
        })
public final class KeysCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    /**
     * Where the keys live, shared by every {@code keys} subcommand. The one place that resolves the
     * data directory and server secret for the CLI: {@code --data-dir}, else {@code KEYWARDEN_DATA_DIR},
     * else {@code ./data}; the secret from {@code KEYWARDEN_SERVER_SECRET}, else the data directory.
     */
    static final class StoreOptions {
        static final String DATA_DIR_ENV = "KEYWARDEN_DATA_DIR";
        static final String DEFAULT_DATA_DIR = "data";

        @Option(names = "--data-dir", paramLabel = "DIR",
                description = "Directory holding keywarden.db and server-secret (default: $KEYWARDEN_DATA_DIR, else ./data).")
        Path dataDir;

        Path resolveDataDir() {
            return resolveDataDir(dataDir, System::getenv);
        }

        static Path resolveDataDir(Path option, UnaryOperator<String> env) {
            if (option != null) {
                return option;
            }
            String fromEnv = env.apply(DATA_DIR_ENV);
            return Path.of(fromEnv == null || fromEnv.isBlank() ? DEFAULT_DATA_DIR : fromEnv.strip());
        }

        /** Opens the database and the key service; close the returned session when done. */
        Session open() {
            Path dir = resolveDataDir();
            ServerSecret secret;
            try {
                secret = ServerSecret.resolve(System.getenv(ServerSecret.ENV_VAR), dir);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
            Database database = Database.openSqlite(dir);
            try {
                return new Session(dir, database, VirtualKeyService.open(database, secret));
            } catch (RuntimeException e) {
                database.close();
                throw e;
            }
        }
    }

    /** An open database and key service for the length of one command. */
    record Session(Path dataDir, Database database, VirtualKeyService keys) implements AutoCloseable {
        @Override
        public void close() {
            try {
                keys.close();
            } finally {
                database.close();
            }
        }
    }

    @Command(name = "create-virtual", mixinStandardHelpOptions = true,
            description = {"Create a virtual key and print it once, alone on the last line of stdout.",
                    "It cannot be shown again: only a keyed hash of it is stored."})
    static final class CreateVirtual implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "Who or what the key is for (a user, an app); shown in listings and audit records.")
        String name;

        @Override
        public Integer call() {
            try (Session session = store.open()) {
                CreatedVirtualKey created = session.keys().create(name);
                PrintWriter err = spec.commandLine().getErr();
                err.println("Created virtual key " + created.id() + " (" + created.prefix() + ") for \"" + name.strip()
                        + "\". This is the only time the key is shown: store it now in a secret manager.");
                err.flush();
                PrintWriter out = spec.commandLine().getOut();
                out.println(created.key());
                out.flush();
                return 0;
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List virtual keys: name, id, prefix, created, last used, state. Never prints a key.")
    static final class ListKeys implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Option(names = "--json", description = "Print a JSON array instead of a table.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            List<VirtualKeyInfo> keys;
            Path dir;
            try (Session session = store.open()) {
                keys = session.keys().list();
                dir = session.dataDir();
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(toJson(keys));
            } else if (keys.isEmpty()) {
                out.println("No virtual keys in " + dir.toAbsolutePath().normalize()
                        + "; create one with: keywarden keys create-virtual --name NAME");
            } else {
                printTable(out, keys);
            }
            out.flush();
            return 0;
        }

        static String toJson(List<VirtualKeyInfo> keys) throws Exception {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ArrayNode array = mapper.createArrayNode();
            for (VirtualKeyInfo key : keys) {
                ObjectNode o = array.addObject();
                o.put("name", key.name());
                o.put("id", key.id());
                o.put("prefix", key.prefix());
                o.put("created_at", format(key.createdAt(), null));
                o.put("last_used_at", format(key.lastUsedAt(), null));
                o.put("revoked_at", format(key.revokedAt(), null));
                o.put("state", key.state());
            }
            return mapper.writeValueAsString(array);
        }

        static void printTable(PrintWriter out, List<VirtualKeyInfo> keys) {
            String[] header = {"NAME", "ID", "PREFIX", "CREATED", "LAST USED", "STATE"};
            List<String[]> rows = keys.stream().map(k -> new String[] {
                    k.name(), k.id(), k.prefix(), format(k.createdAt(), "-"), format(k.lastUsedAt(), "never"),
                    k.isRevoked() ? "revoked " + format(k.revokedAt(), "") : "active"}).toList();
            int[] widths = new int[header.length];
            for (int i = 0; i < header.length; i++) {
                widths[i] = header[i].length();
                for (String[] row : rows) {
                    widths[i] = Math.max(widths[i], row[i].length());
                }
            }
            printRow(out, header, widths);
            rows.forEach(row -> printRow(out, row, widths));
        }

        private static void printRow(PrintWriter out, String[] cells, int[] widths) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < cells.length; i++) {
                line.append(i == cells.length - 1 ? cells[i] : String.format("%-" + widths[i] + "s  ", cells[i]));
            }
            out.println(line.toString().stripTrailing());
        }

        private static String format(Instant time, String whenAbsent) {
            return time == null ? whenAbsent : time.truncatedTo(ChronoUnit.SECONDS).toString();
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke a virtual key by id (vk_...) or prefix (kw_ + 8 characters).",
                    "Gateways sharing the database refuse it within seconds."})
    static final class Revoke implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        StoreOptions store;
        @Parameters(paramLabel = "ID|PREFIX", description = "The key's id or prefix, as shown by: keywarden keys list")
        String idOrPrefix;

        @Override
        public Integer call() {
            String shown = describe(idOrPrefix.strip());
            try (Session session = store.open()) {
                if (!session.keys().revoke(idOrPrefix)) {
                    spec.commandLine().getErr().println("keywarden keys revoke: no virtual key has id or prefix "
                            + shown + " in " + session.dataDir().toAbsolutePath().normalize());
                    return 1;
                }
            }
            spec.commandLine().getOut().println("Revoked virtual key " + shown + ".");
            return 0;
        }

        /** The argument as it may be echoed: a full key (or anything longer than a prefix) is never repeated. */
        static String describe(String argument) {
            if (VirtualKeyFormat.isWellFormed(argument)) {
                return VirtualKeyFormat.displayPrefix(argument) + "...";
            }
            boolean harmless = argument.length() <= VirtualKeyFormat.DISPLAY_PREFIX_LENGTH
                    && argument.chars().noneMatch(Character::isISOControl);
            return harmless ? argument : Redactor.redact(argument);
        }
    }
}
