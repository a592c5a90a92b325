package dev.keywarden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.vault.KeyRotation;
import dev.keywarden.vault.ProviderKeyView;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The provider-key subcommands of {@code keywarden keys}: add, rotate, activate (and the provider
 * branch of revoke). A key is never an argument: it is named by a secret source ({@code env:VAR},
 * {@code file:/path}, {@code vault-kv:...}), read by whoever acts (this process locally, the gateway
 * with {@code --admin-url}), sealed at once, and afterwards shown only by fingerprint.
 */
final class ProviderKeyCommands {

    static final String ID_PREFIX = "pk_";

    private ProviderKeyCommands() {
    }

    /** Exactly one of {@code --from-env VAR} and {@code --from-source SPEC}. */
    static final class Source {
        @Option(names = "--from-env", paramLabel = "VAR", required = true,
                description = "Read the key from environment variable VAR (same as --from-source env:VAR).")
        String env;

        @Option(names = "--from-source", paramLabel = "SPEC", required = true,
                description = {"Read the key from a secret source: env:VAR, file:/path, dotenv:NAME[@path] (development),",
                        "vault-kv:mount/path#field, aws-sm:secret-id[#jsonField], gcp-sm:projects/P/secrets/S[/versions/V]."})
        String spec;

        String spec() {
            return env != null ? "env:" + env.strip() : spec.strip();
        }
    }

    /** Exactly one of {@code --new-from-env VAR} and {@code --new-from-source SPEC}. */
    static final class NewSource {
        @Option(names = "--new-from-env", paramLabel = "VAR", required = true,
                description = "Read the new key from environment variable VAR.")
        String env;

        @Option(names = "--new-from-source", paramLabel = "SPEC", required = true,
                description = "Read the new key from a secret source (env:VAR, file:/path, vault-kv:..., aws-sm:..., gcp-sm:...).")
        String spec;

        String spec() {
            return env != null ? "env:" + env.strip() : spec.strip();
        }
    }

    static final String REMOTE_SOURCE_NOTE = "With --admin-url the GATEWAY reads the source (its environment, its files, "
            + "its secrets-manager credentials): the key never travels over the admin API.";

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = {"Add a provider key to the vault from a secret source; it becomes active.",
                    "Unless --no-verify, it is first checked with a free count_tokens call upstream: a rejected key",
                    "is stored as revoked (never used), an unverifiable one stays pending (keywarden keys activate).",
                    REMOTE_SOURCE_NOTE})
    static final class Add extends VaultSubcommand {
        @ArgGroup(exclusive = true, multiplicity = "1")
        Source source;

        @Option(names = "--label", paramLabel = "LABEL", defaultValue = "primary",
                description = "A name for the key, e.g. primary or backup (default: ${DEFAULT-VALUE}).")
        String label;

        @Option(names = "--scope", paramLabel = "ROUTES", defaultValue = "*",
                description = "Routes that may use the key, comma-separated, e.g. /v1/messages (default: all).")
        String scope;

        @Option(names = "--priority", paramLabel = "N", defaultValue = "0",
                description = "Lower is preferred; a higher number makes a backup (default: ${DEFAULT-VALUE}).")
        int priority;

        @Option(names = "--rotation-days", paramLabel = "N",
                description = "Rotation policy in days (default: 90 dev, 60 staging, 30 prod).")
        Integer rotationDays;

        @Option(names = "--no-verify", description = "Do not check the key upstream before activating it.")
        boolean noVerify;

        @Override
        int execute() {
            if (rotationDays != null && rotationDays < 1) {
                throw new IllegalArgumentException("--rotation-days must be at least 1");
            }
            String spec = source.spec();
            if (!noVerify) {
                note("Verifying the key with a count_tokens call upstream...");
            }
            JsonNode added;
            if (target.remote()) {
                ObjectNode body = ProviderKeyOutput.JSON.createObjectNode().put("source", spec).put("label", label)
                        .put("scope", scope).put("priority", priority).put("verify", !noVerify);
                if (rotationDays != null) {
                    body.put("rotation_days", rotationDays);
                }
                added = target.client(err()).post("/admin/v1/provider-keys", body);
            } else {
                try (VaultTarget.LocalVault local = target.openLocal(store.dataDir, true, new LoggingSecurityEvents())) {
                    added = ProviderKeyOutput.JSON.valueToTree(ProviderKeyView.of(local.vault().add(spec, label, scope, priority,
                            rotationDays, !noVerify)));
                }
            }
            out().println("Added provider key " + ProviderKeyOutput.describe(added) + ", label " + added.path("label").asText()
                    + ", environment " + added.path("environment").asText() + ", priority " + added.path("priority").asText()
                    + (noVerify ? " (not verified upstream)" : " (verified upstream)") + ".");
            out().flush();
            return 0;
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true,
            description = {"Replace an active provider key without downtime, printing each step.",
                    "Steps: pending -> verified -> active -> draining -> revoked. The new key is added as pending,"
                            + " verified upstream (count_tokens) and made active; then the old key drains (calls in flight"
                            + " finish, at most 5 minutes) and is revoked.",
                    "If a step fails the old key stays active.", REMOTE_SOURCE_NOTE})
    static final class Rotate extends VaultSubcommand {
        @Option(names = "--from", paramLabel = "ID", required = true, description = "The active provider key to replace (pk_...).")
        String fromId;

        @ArgGroup(exclusive = true, multiplicity = "1")
        NewSource source;

        @Override
        int execute() {
            String from = fromId.strip();
            String spec = source.spec();
            note("Rotating " + from + ": pending -> verified -> active -> draining -> revoked "
                    + "(waits for calls in flight on the old key, at most 5 minutes)...");
            PrintWriter out = out();
            if (target.remote()) {
                ObjectNode body = ProviderKeyOutput.JSON.createObjectNode().put("source", spec);
                JsonNode r = target.client(err()).post("/admin/v1/provider-keys/" + encode(from) + "/rotate", body);
                JsonNode fresh = r.path("replacement");
                JsonNode old = r.path("retired");
                step(out, "pending ", fresh);
                step(out, "verified", fresh);
                step(out, "active  ", fresh);
                step(out, "draining", old);
                step(out, "revoked ", old);
                summary(out, fresh, old, r.path("drained_cleanly").asBoolean(), r.path("calls_cut").asInt());
            } else {
                SecurityEvents events = ProviderKeyOutput.both(new LoggingSecurityEvents(), ProviderKeyOutput.stepPrinter(out));
                try (VaultTarget.LocalVault local = target.openLocal(store.dataDir, true, events)) {
                    KeyRotation.RotationResult r = local.vault().rotate(from, spec);
                    summary(out, tree(ProviderKeyView.of(r.replacement())), tree(ProviderKeyView.of(r.retired())),
                            r.drainedCleanly(), r.callsCut());
                }
            }
            out.flush();
            return 0;
        }

        private static void step(PrintWriter out, String step, JsonNode key) {
            out.println("  " + step + " " + key.path("id").asText() + " (" + key.path("fingerprint").asText() + ")");
        }

        private static void summary(PrintWriter out, JsonNode fresh, JsonNode old, boolean drained, int cut) {
            out.println("Rotated: " + ProviderKeyOutput.describe(fresh) + " replaces " + ProviderKeyOutput.describe(old)
                    + (drained ? "; every call in flight on the old key finished." : "; " + cut
                    + " call(s) still running on the old key after the drain timeout were cut."));
        }
    }

    @Command(name = "activate", mixinStandardHelpOptions = true,
            description = {"Make a pending provider key active (it is not verified again).",
                    "For example one kept pending because upstream could not verify it."})
    static final class Activate extends VaultSubcommand {
        @Parameters(paramLabel = "ID", description = "The provider key (pk_...), as shown by: keywarden keys list")
        String id;

        @Override
        int execute() {
            JsonNode key;
            if (target.remote()) {
                key = target.client(err()).post("/admin/v1/provider-keys/" + encode(id.strip()) + "/activate", (JsonNode) null);
            } else {
                try (VaultTarget.LocalVault local = target.openLocal(store.dataDir, false, new LoggingSecurityEvents())) {
                    key = tree(ProviderKeyView.of(local.vault().activate(id.strip())));
                }
            }
            out().println("Activated provider key " + ProviderKeyOutput.describe(key) + ".");
            out().flush();
            return 0;
        }
    }

    /** {@code keys revoke pk_... [--now] [--force]}: the provider branch of {@link KeysCommand.Revoke}. */
    static int revoke(VaultSubcommand command, String id, boolean now, boolean force) {
        JsonNode key;
        if (command.target.remote()) {
            ObjectNode body = ProviderKeyOutput.JSON.createObjectNode().put("now", now).put("force", force);
            AdminApiClient client = command.target.client(command.err());
            if (!now && willDrain(client, id, force)) {
                drainingNote(command, id); // only once the gateway's answer is known to be a drain
            }
            key = client.post("/admin/v1/provider-keys/" + encode(id) + "/revoke", body);
        } else {
            try (VaultTarget.LocalVault local = command.target.openLocal(command.store.dataDir, false, new LoggingSecurityEvents())) {
                dev.keywarden.vault.KeyVault vault = local.vault();
                if (!now) {
                    vault.find(id).filter(r -> r.state() == dev.keywarden.store.ProviderKeyState.ACTIVE)
                            .filter(r -> force || !vault.isLastActive(id))
                            .ifPresent(r -> drainingNote(command, id)); // only once it is known to go ahead
                }
                dev.keywarden.vault.RevokedKey r = vault.revoke(id, now, force);
                ObjectNode view = (ObjectNode) tree(ProviderKeyView.of(r.key()));
                view.put("calls_cut", r.callsCut()).put("was_last_active", r.wasLastActive());
                key = view;
            }
        }
        int cut = key.path("calls_cut").asInt(0);
        command.out().println("Revoked provider key " + ProviderKeyOutput.describe(key)
                + (cut > 0 ? "; " + cut + " call(s) in flight on it were cut." : "."));
        if (key.path("was_last_active").asBoolean(false)) {
            command.out().println("It was the last active provider key of its environment: every proxy call now fails"
                    + " with 503 until you add one (keywarden keys add).");
        }
        command.out().flush();
        return 0;
    }

    /**
     * Whether a graceful remote revoke of {@code id} will drain: the key is active and, unless {@code force}, another
     * key of its environment is active too (otherwise the gateway refuses with 409). Unknown ids are left to the revoke
     * call itself, which answers 404.
     */
    private static boolean willDrain(AdminApiClient client, String id, boolean force) {
        JsonNode keys = client.get("/admin/v1/provider-keys").path("data");
        JsonNode target = null;
        for (JsonNode k : keys) {
            if (id.equals(k.path("id").asText())) {
                target = k;
            }
        }
        if (target == null || !"active".equals(target.path("state").asText())) {
            return false;
        }
        if (force) {
            return true;
        }
        for (JsonNode k : keys) {
            if (!id.equals(k.path("id").asText()) && "active".equals(k.path("state").asText())
                    && k.path("environment").asText().equals(target.path("environment").asText())) {
                return true;
            }
        }
        return false;
    }

    private static void drainingNote(VaultSubcommand command, String id) {
        command.note("Draining " + id + ": new calls use other keys at once; waiting for calls in flight on it "
                + "(at most 5 minutes; --now cuts them)...");
    }

    private static JsonNode tree(Map<String, Object> view) {
        return ProviderKeyOutput.JSON.valueToTree(new LinkedHashMap<>(view));
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
