package dev.keywarden.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.auth.CreatedVirtualKey;
import dev.keywarden.auth.VirtualKeyInfo;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.auth.VirtualKeyFormat;
import dev.keywarden.config.ConfigException;
import dev.keywarden.log.Redactor;
import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.admin.VirtualKeyAdmin;
import dev.keywarden.metrics.SinceDuration;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.io.PrintWriter;
import java.nio.file.Files;
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
        description = {"Manage virtual keys (kw_...) and the provider keys (sk-ant-...) kept in the vault.",
                "Virtual keys are the credentials clients use instead of a provider key; provider keys are shown by"
                        + " fingerprint only."},
        subcommands = {
                KeysCommand.CreateVirtual.class,
                KeysCommand.RotateVirtual.class,
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
    static final class CreateVirtual extends VaultSubcommand {
        @Option(names = "--name", required = true, paramLabel = "NAME",
                description = "Who or what the key is for (a user, an app); shown in listings and audit records.")
        String name;
        @Option(names = "--principal", paramLabel = "PRINCIPAL",
                description = "Id (pr_...) or name of the principal the key belongs to (default: the principal named like"
                        + " the key, created as an app on the free tier when missing).")
        String principal;
        @Option(names = "--expires-in", paramLabel = "SPAN",
                description = "Refuse the key after this long, e.g. 12h, 30d or 4w (default: never expires).")
        String expiresIn;

        @Override
        int execute() {
            java.time.Duration lifetime;
            try {
                lifetime = expiresIn == null ? null : SinceDuration.parse(expiresIn, "--expires-in");
            } catch (IllegalArgumentException e) {
                err().println(spec.qualifiedName() + ": " + e.getMessage());
                return 2;
            }
            String id;
            String prefix;
            String key;
            Instant expiresAt;
            if (target.remote()) {
                ObjectNode body = new ObjectMapper().createObjectNode().put("name", name.strip());
                if (principal != null) {
                    body.put("principal", principal.strip());
                }
                if (expiresIn != null) {
                    body.put("expires_in", expiresIn.strip());
                }
                JsonNode r = target.client(err()).post("/admin/v1/virtual-keys", body);
                id = r.path("id").asText();
                prefix = r.path("prefix").asText();
                key = r.path("key").asText();
                expiresAt = r.path("expires_at").isTextual() ? Instant.parse(r.path("expires_at").asText()) : null;
            } else {
                try (StoreOptions.Session session = store.open()) {
                    CreatedVirtualKey created = session.keys().create(name, principal, lifetime);
                    id = created.id();
                    prefix = created.prefix();
                    key = created.key();
                    expiresAt = created.expiresAt();
                }
            }
            note("Created virtual key " + id + " (" + prefix + ") for \"" + name.strip() + "\""
                    + (expiresAt == null ? "" : ", expiring at " + ListKeys.format(expiresAt, ""))
                    + ". This is the only time the key is shown: store it now in a secret manager.");
            out().println(key);
            out().flush();
            return 0;
        }
    }

    @Command(name = "rotate-virtual", mixinStandardHelpOptions = true,
            description = {"Give a virtual key a new secret and print it once; the old secret keeps working for a grace period.",
                    "The key keeps its id, name, principal, budget and expiry. By id (vk_...) or prefix (kw_ + 8 characters).",
                    "The new key is alone on the last line of stdout."})
    static final class RotateVirtual extends VaultSubcommand {
        @Parameters(paramLabel = "ID|PREFIX", description = "The virtual key's id or prefix, as shown by: keywarden keys list")
        String idOrPrefix;

        @Option(names = "--grace", paramLabel = "SPAN", defaultValue = "24h",
                description = "How long the old secret keeps working, e.g. 1h, 24h or 7d; 0 refuses it at once (default: ${DEFAULT-VALUE}).")
        String grace;

        @Override
        int execute() {
            java.time.Duration period = VirtualKeyAdmin.grace(grace, "--grace");
            String argument = idOrPrefix.strip();
            String shown = Revoke.describe(argument);
            String id;
            String prefix;
            String key;
            Instant oldUntil;
            if (target.remote()) {
                String ref = VirtualKeyFormat.isWellFormed(argument) ? VirtualKeyFormat.displayPrefix(argument) : argument;
                AdminApiClient client = target.client(err());
                ObjectNode body = new ObjectMapper().createObjectNode().put("grace", grace.strip());
                JsonNode r = postOrNotFound(client, "/admin/v1/virtual-keys/" + URLEncoder.encode(ref, StandardCharsets.UTF_8)
                        + "/rotate", body, "virtual key", shown);
                if (r == null) {
                    return 1;
                }
                id = r.path("id").asText();
                prefix = r.path("prefix").asText();
                key = r.path("key").asText();
                oldUntil = Instant.parse(r.path("previous_valid_until").asText());
            } else {
                try (StoreOptions.Session session = store.open()) {
                    CreatedVirtualKey rotated;
                    try {
                        rotated = session.keys().rotate(argument, period);
                    } catch (VirtualKeyService.NoSuchKeyException e) {
                        err().println(spec.qualifiedName() + ": no virtual key has id or prefix " + shown + " in " + session.location());
                        return 1;
                    }
                    id = rotated.id();
                    prefix = rotated.prefix();
                    key = rotated.key();
                    oldUntil = rotated.previousValidUntil();
                }
            }
            note("Rotated virtual key " + id + ": new prefix " + prefix + "; the old secret "
                    + (period.isZero() ? "is refused from now on" : "keeps working until " + ListKeys.format(oldUntil, ""))
                    + ". This is the only time the new key is shown: store it now in a secret manager.");
            out().println(key);
            out().flush();
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List provider keys (when the vault is on) and virtual keys; never prints a key.",
                    "Provider keys (vault.kek other than none): id, label, environment, state, fingerprint"
                            + " (sk-ant-api03-...WXYZ), short SHA-256, priority, last use, rotation due date and an OVERDUE marker.",
                    "Virtual keys: name, id, prefix, created, last used, state (active, expired or revoked, with the"
                            + " expiry, the end of a rotation's grace period, and 'unused Nd' for keys unused for 30 days or more)."})
    static final class ListKeys extends VaultSubcommand {
        /** Active keys unused for at least this many days are marked in the table. */
        static final int DEFAULT_UNUSED_DAYS = 30;

        @Option(names = "--json", description = "Print {\"provider_keys\":[...],\"virtual_keys\":[...]} instead of tables.")
        boolean json;

        @Option(names = "--unused-days", paramLabel = "N",
                description = "List only virtual keys that are still valid and were not used for N days or more (never used: since"
                        + " created), e.g. to find keys to revoke.")
        Integer unusedDays;

        @Override
        int execute() throws Exception {
            if (unusedDays != null && unusedDays < 0) {
                throw new IllegalArgumentException("--unused-days must be 0 or more");
            }
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
                try (StoreOptions.Session session = store.openExisting()) {
                    keys = session.keys().list();
                    dir = session.dataDir();
                    where = session.location();
                }
                KeywardenConfig config = target.loadConfig(dir);
                if (config.vault().enabled() && !Files.exists(dev.keywarden.vault.crypto.VaultSeal.ringFile(config.dataDir()))) {
                    providerKeys = null;
                    vaultNote = "vault.kek " + config.vault().kek() + ": no vault yet (create it with keywarden vault init)";
                } else if (config.vault().enabled()) {
                    try (VaultTarget.LocalVault local = target.openLocal(dir, false, new LoggingSecurityEvents())) {
                        providerKeys = ProviderKeyOutput.toJson(local.vault().list());
                    }
                    vaultNote = "vault.kek " + config.vault().kek() + ", gateway key environment " + config.vault().keyEnvironment();
                } else {
                    providerKeys = null;
                    vaultNote = null;
                }
            }
            Instant now = Instant.now();
            if (unusedDays != null) {
                keys = keys.stream().filter(k -> k.state(now).equals("active") && k.unusedDays(now) >= unusedDays).toList();
            }
            PrintWriter out = out();
            if (json) {
                ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                ObjectNode root = mapper.createObjectNode();
                root.set("provider_keys", providerKeys == null ? mapper.createArrayNode() : providerKeys);
                root.set("virtual_keys", toJson(keys, now));
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
            if (keys.isEmpty() && unusedDays != null) {
                out.println("No virtual key in " + where + " has gone unused for " + unusedDays + " days or more.");
            } else if (keys.isEmpty()) {
                out.println("No virtual keys in " + where + "; create one with: keywarden keys create-virtual --name NAME");
            } else {
                int threshold = unusedDays == null ? DEFAULT_UNUSED_DAYS : unusedDays;
                printTable(out, keys, now, threshold);
                long unused = keys.stream().filter(k -> k.state(now).equals("active") && k.unusedDays(now) >= threshold).count();
                if (unused > 0 && unusedDays == null) {
                    out.println(unused + " virtual key(s) unused for " + threshold + " days or more; list them with"
                            + " keywarden keys list --unused-days " + threshold + " and revoke the ones nobody needs");
                }
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
                        k.hasNonNull("principal_id") ? k.get("principal_id").asText() : null,
                        instant(k.path("expires_at")), instant(k.path("previous_valid_until"))));
            }
            return keys;
        }

        private static Instant instant(JsonNode node) {
            if (node.isNull() || node.isMissingNode() || node.asText().isBlank()) {
                return null;
            }
            return Instant.parse(node.asText());
        }

        static ArrayNode toJson(List<VirtualKeyInfo> keys, Instant now) {
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
                o.put("expires_at", format(key.expiresAt(), null));
                o.put("previous_valid_until", format(key.previousValidUntil(), null));
                o.put("unused_days", key.unusedDays(now));
                o.put("state", key.state(now));
                o.put("principal_id", key.principalId());
            }
            return array;
        }

        static void printTable(PrintWriter out, List<VirtualKeyInfo> keys, Instant now, int unusedThreshold) {
            String[] header = {"NAME", "ID", "PREFIX", "CREATED", "LAST USED", "STATE"};
            List<String[]> rows = keys.stream().map(k -> new String[] {
                    k.name(), k.id(), k.prefix(), format(k.createdAt(), "-"), format(k.lastUsedAt(), "never"),
                    state(k, now, unusedThreshold)}).toList();
            ProviderKeyOutput.Table.print(out, header, rows);
        }

        /** {@code revoked T}, {@code expired T}, or {@code active} with the expiry, a rotation's grace and an unused marker. */
        static String state(VirtualKeyInfo k, Instant now, int unusedThreshold) {
            if (k.isRevoked()) {
                return "revoked " + format(k.revokedAt(), "");
            }
            if (k.isExpiredAt(now)) {
                return "expired " + format(k.expiresAt(), "");
            }
            StringBuilder s = new StringBuilder("active");
            if (k.expiresAt() != null) {
                s.append(", expires ").append(format(k.expiresAt(), ""));
            }
            if (k.inRotationGrace(now)) {
                s.append(", old secret valid until ").append(format(k.previousValidUntil(), ""));
            }
            long unused = k.unusedDays(now);
            if (unused >= unusedThreshold) {
                s.append(", unused ").append(unused).append('d');
            }
            return s.toString();
        }

        static String format(Instant time, String whenAbsent) {
            return time == null ? whenAbsent : time.truncatedTo(ChronoUnit.SECONDS).toString();
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke a provider key (pk_...) or a virtual key (vk_... or its kw_ prefix).",
                    "Provider keys: new calls stop using it at once; calls in flight finish first (up to 5 minutes)"
                            + " unless --now cuts them. A backup key of the same scope takes over.",
                    "Virtual keys: by id (vk_...) or prefix (kw_ + 8 characters); gateways sharing the database refuse it"
                            + " within seconds."})
    static final class Revoke extends VaultSubcommand {
        @Parameters(paramLabel = "ID|PREFIX", description = "The key's id (pk_... or vk_...) or a virtual key's prefix, as shown by: keywarden keys list")
        String idOrPrefix;

        @Option(names = "--now", description = "Provider keys: revoke immediately, cutting calls in flight on the key (incident response).")
        boolean now;

        @Option(names = "--force", description = "Provider keys: revoke even the last active key of its environment"
                + " (every proxy call then fails until another key is added).")
        boolean force;

        @Override
        int execute() {
            String argument = idOrPrefix.strip();
            if (argument.startsWith(ProviderKeyCommands.ID_PREFIX)) {
                return ProviderKeyCommands.revoke(this, argument, now, force);
            }
            String shown = describe(argument);
            if (target.remote()) {
                String ref = VirtualKeyFormat.isWellFormed(argument) ? VirtualKeyFormat.displayPrefix(argument) : argument;
                AdminApiClient client = target.client(err());
                if (postOrNotFound(client, "/admin/v1/virtual-keys/" + URLEncoder.encode(ref, StandardCharsets.UTF_8) + "/revoke",
                        null, "virtual key", shown) == null) {
                    return 1;
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
