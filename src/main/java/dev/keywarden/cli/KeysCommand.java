package dev.keywarden.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.auth.CreatedVirtualKey;
import dev.keywarden.auth.VirtualKeyInfo;
import dev.keywarden.auth.VirtualKeyFormat;
import dev.keywarden.config.ConfigException;
import dev.keywarden.log.Redactor;
import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.config.KeywardenConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keywarden keys}: virtual keys (create, list, revoke) and the provider keys of the vault
 * (list, add from a secret source, rotate without downtime, revoke gracefully or now, activate),
 * on the local store or, with {@code --admin-url}, on a running gateway.
 *
 * <p>Guarantees: a new virtual key is printed once, alone on the last line of stdout; no other
 * command ever prints a key; provider keys are only ever shown by fingerprint and never travel
 * through the CLI's arguments (they are named by a secret source such as {@code env:VAR}).
 */
@Command(name = "keys", mixinStandardHelpOptions = true,
        description = {"Manage virtual keys (kw_...), the credentials clients use instead of a provider key,",
                "and the provider keys (sk-ant-...) kept in the vault, shown by fingerprint only."},
        subcommands = {
                KeysCommand.CreateVirtual.class,
                KeysCommand.ListKeys.class,
                KeysCommand.Revoke.class,
                BudgetCommands.ForKey.class,
                ProviderKeyCommands.Add.class,
                ProviderKeyCommands.Rotate.class,
                ProviderKeyCommands.Activate.class
        })
public final class KeysCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
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
        @Option(names = "--principal", paramLabel = "PRINCIPAL",
                description = "Id (pr_...) or name of the principal the key belongs to (default: the principal named like"
                        + " the key, created as an app on the free tier when missing).")
        String principal;

        @Override
        public Integer call() {
            try (StoreOptions.Session session = store.open()) {
                CreatedVirtualKey created = session.keys().create(name, principal);
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
            description = {"List provider keys (when the vault is on: vault.kek other than none) and virtual keys.",
                    "Provider keys: id, label, environment, state, fingerprint (sk-ant-api03-...WXYZ), short SHA-256,",
                    "priority, last use, rotation due date and an OVERDUE marker. Virtual keys: name, id, prefix,",
                    "created, last used, state. Never prints a key."})
    static final class ListKeys extends VaultSubcommand {
        @Option(names = "--json", description = "Print {\"provider_keys\":[...],\"virtual_keys\":[...]} instead of tables.")
        boolean json;

        @Override
        int execute() throws Exception {
            JsonNode providerKeys;
            String vaultNote;
            List<VirtualKeyInfo> keys;
            String where;
            if (target.remote()) {
                AdminApiClient client = target.client(err());
                where = "the gateway at " + client.baseUri();
                JsonNode provider = providerKeysOf(client);
                providerKeys = provider;
                vaultNote = provider == null ? null : "the gateway at " + client.baseUri();
                keys = virtualKeysOf(client.get("/admin/v1/virtual-keys").path("data"));
            } else {
                Path dir;
                try (StoreOptions.Session session = store.open()) {
                    keys = session.keys().list();
                    dir = session.dataDir();
                    where = session.location();
                }
                KeywardenConfig config = target.loadConfig(dir);
                if (config.vault().enabled()) {
                    try (VaultTarget.LocalVault local = target.openLocal(dir, false, new LoggingSecurityEvents())) {
                        providerKeys = ProviderKeyOutput.toJson(local.vault().list());
                    }
                    vaultNote = "vault.kek " + config.vault().kek() + ", gateway key environment " + config.vault().keyEnvironment();
                } else {
                    providerKeys = null;
                    vaultNote = null;
                }
            }
            PrintWriter out = out();
            if (json) {
                ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ObjectNode root = mapper.createObjectNode();
                root.set("provider_keys", providerKeys == null ? mapper.createArrayNode() : providerKeys);
                root.set("virtual_keys", toJson(keys));
                out.println(mapper.writeValueAsString(root));
                out.flush();
                return 0;
            }
            if (providerKeys != null) {
                out.println("PROVIDER KEYS (" + vaultNote + ")");
                if (providerKeys.isEmpty()) {
                    out.println("No provider keys in the vault; add one with: keywarden keys add --from-env VAR");
                } else {
                    ProviderKeyOutput.printTable(out, providerKeys);
                    long overdue = 0;
                    for (JsonNode k : providerKeys) {
                        overdue += k.path("overdue").asBoolean() ? 1 : 0;
                    }
                    if (overdue > 0) {
                        out.println(overdue + " provider key(s) OVERDUE for rotation; rotate with: "
                                + "keywarden keys rotate --from ID --new-from-env VAR");
                    }
                }
                out.println();
                out.println("VIRTUAL KEYS");
            }
            if (keys.isEmpty()) {
                out.println("No virtual keys in " + where + "; create one with: keywarden keys create-virtual --name NAME");
            } else {
                printTable(out, keys);
            }
            out.flush();
            return 0;
        }

        /** The gateway's provider keys, or null when its vault is off (the endpoints do not exist then). */
        private static JsonNode providerKeysOf(AdminApiClient client) {
            try {
                return client.get("/admin/v1/provider-keys").path("data");
            } catch (AdminApiException e) {
                if (e.status() == 404) {
                    return null;
                }
                throw e;
            }
        }

        /** Virtual keys as the admin API lists them (record fields, ISO-8601 times). */
        static List<VirtualKeyInfo> virtualKeysOf(JsonNode data) {
            List<VirtualKeyInfo> keys = new ArrayList<>();
            for (JsonNode k : data) {
                keys.add(new VirtualKeyInfo(k.path("name").asText(), k.path("id").asText(), k.path("prefix").asText(),
                        instant(k.path("created_at")), instant(k.path("last_used_at")), instant(k.path("revoked_at")),
                        k.hasNonNull("principal_id") ? k.get("principal_id").asText() : null));
            }
            return keys;
        }

        private static Instant instant(JsonNode node) {
            if (node.isNull() || node.isMissingNode() || node.asText().isBlank()) {
                return null;
            }
            return Instant.parse(node.asText());
        }

        static ArrayNode toJson(List<VirtualKeyInfo> keys) {
            ObjectMapper mapper = new ObjectMapper();
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
                o.put("principal_id", key.principalId());
            }
            return array;
        }

        static void printTable(PrintWriter out, List<VirtualKeyInfo> keys) {
            String[] header = {"NAME", "ID", "PREFIX", "CREATED", "LAST USED", "STATE"};
            List<String[]> rows = keys.stream().map(k -> new String[] {
                    k.name(), k.id(), k.prefix(), format(k.createdAt(), "-"), format(k.lastUsedAt(), "never"),
                    k.isRevoked() ? "revoked " + format(k.revokedAt(), "") : "active"}).toList();
            ProviderKeyOutput.Table.print(out, header, rows);
        }

        private static String format(Instant time, String whenAbsent) {
            return time == null ? whenAbsent : time.truncatedTo(ChronoUnit.SECONDS).toString();
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke a key.",
                    "Provider keys (ids pk_...): new calls stop using it at once; calls in flight finish first",
                    "(up to 5 minutes) unless --now cuts them. A backup key of the same scope takes over.",
                    "Virtual keys: by id (vk_...) or prefix (kw_ + 8 characters); gateways sharing the database",
                    "refuse it within seconds."})
    static final class Revoke extends VaultSubcommand {
        @Parameters(paramLabel = "ID|PREFIX", description = "The key's id (pk_... or vk_...) or a virtual key's prefix, as shown by: keywarden keys list")
        String idOrPrefix;

        @Option(names = "--now", description = "Provider keys: revoke immediately, cutting calls in flight on the key (incident response).")
        boolean now;

        @Override
        int execute() {
            String argument = idOrPrefix.strip();
            if (argument.startsWith(ProviderKeyCommands.ID_PREFIX)) {
                return ProviderKeyCommands.revoke(this, argument, now);
            }
            String shown = describe(argument);
            if (target.remote()) {
                String ref = VirtualKeyFormat.isWellFormed(argument) ? VirtualKeyFormat.displayPrefix(argument) : argument;
                AdminApiClient client = target.client(err());
                try {
                    client.post("/admin/v1/virtual-keys/" + URLEncoder.encode(ref, StandardCharsets.UTF_8) + "/revoke", (JsonNode) null);
                } catch (AdminApiException e) {
                    if (e.status() == 404) {
                        err().println(spec.qualifiedName() + ": no virtual key has id or prefix " + shown + " on the gateway at "
                                + client.baseUri());
                        return 1;
                    }
                    throw e;
                }
            } else {
                try (StoreOptions.Session session = store.open()) {
                    if (!session.keys().revoke(idOrPrefix)) {
                        err().println(spec.qualifiedName() + ": no virtual key has id or prefix "
                                + shown + " in " + session.location());
                        return 1;
                    }
                }
            }
            out().println("Revoked virtual key " + shown + ".");
            out().flush();
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
