package dev.keywarden.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.vault.KeyVault;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keywarden vault}: the state of the provider-key vault and its key-encryption key (KEK):
 * status, unseal and seal a running gateway, re-wrap data keys, rotate the KEK, retire an old KEK
 * version. Each acts on the local store or, with {@code --admin-url}, on a running gateway.
 *
 * <p>Guarantees: no subcommand prints a key or the passphrase; the passphrase is never a flag.
 */
@Command(name = "vault", mixinStandardHelpOptions = true,
        description = {"Inspect and operate the provider-key vault and its key-encryption key (KEK).",
                "Every subcommand acts on the local data directory, or on a running gateway with --admin-url URL",
                "(or KEYWARDEN_ADMIN_URL) and an admin token from KEYWARDEN_ADMIN_TOKEN or --admin-token-file."},
        subcommands = {
                VaultCommand.Init.class,
                VaultCommand.Status.class,
                VaultCommand.Unseal.class,
                VaultCommand.Seal.class,
                VaultCommand.Rewrap.class,
                VaultCommand.RotateKek.class,
                VaultCommand.RetireKek.class
        })
public final class VaultCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create the vault, once (nothing else ever creates one).",
                    "It writes a new key ring (KEK version 1) to the data directory, sealed under the configured",
                    "vault.kek (a passphrase, a KMS key, or for development a local key file), and registers it in",
                    "the store. Serve, unseal and keys add refuse without a vault.",
                    "without one. For vault.kek passphrase the new passphrase is typed twice at a no-echo prompt, or",
                    "read from KEYWARDEN_VAULT_PASSPHRASE or vault.passphrase, or the first line of standard input;",
                    "it needs at least 12 characters and zxcvbn strength 4 (docs/vault.md).",
                    "Refused, changing nothing, when a vault already exists here or the store already belongs to one",
                    "(a further instance copies the first one's vault directory instead: README \"Shared mode\")."})
    static final class Init extends VaultSubcommand {
        @Override
        int execute() {
            if (target.adminUrl != null) {
                throw new ConfigException("--admin-url: `keywarden vault init` creates the vault in the local data directory"
                        + " before any gateway runs on it; run it without --admin-url on the gateway's host");
            }
            KeywardenConfig cfg = target.loadConfig(store.dataDir);
            if (!cfg.vault().enabled()) {
                throw new ConfigException("vault.kek (KEYWARDEN_VAULT_KEK) is none, so there is no vault to create: set it to"
                        + " passphrase or a KMS (vault-transit, aws-kms, gcp-kms; local for development only), then run"
                        + " keywarden vault init again");
            }
            java.nio.file.Path ring = dev.keywarden.vault.crypto.VaultSeal.ringFile(cfg.dataDir()).toAbsolutePath().normalize();
            if (java.nio.file.Files.exists(ring)) {
                throw new IllegalStateException("a vault already exists here: the key ring " + ring + " was not changed"
                        + " (`keywarden vault status` shows it)");
            }
            char[] passphrase = cfg.vault().kek().equals("passphrase")
                    ? PassphraseInput.readNew(target.context(), cfg.vault().passphrase().map(p -> p.reveal().toCharArray()))
                    : null;
            try {
                if (passphrase != null) {
                    dev.keywarden.vault.crypto.PassphraseStrength.requireStrong(passphrase); // before anything is created
                }
                dev.keywarden.vault.VaultInitializer.Created created;
                try (dev.keywarden.store.Database db = dev.keywarden.store.Database.open(cfg);
                     CliAuditTrail trail = VaultTarget.cliTrail(cfg, db)) {
                    created = dev.keywarden.vault.VaultInitializer.initialize(cfg, db, passphrase, target.context().env(),
                            VaultTarget.both(new LoggingSecurityEvents(), trail));
                }
                printCreated(out(), created);
                return 0;
            } finally {
                if (passphrase != null) {
                    Arrays.fill(passphrase, '\0');
                }
            }
        }

        static void printCreated(PrintWriter out, dev.keywarden.vault.VaultInitializer.Created c) {
            out.println("Created a new vault (vault.kek " + c.provider() + ").");
            out.println("  KEK id:    " + c.kekId() + ", version " + c.kekVersion());
            out.println("  key ring:  " + c.ringFile() + " (mode 0600)");
            out.println("  root key:  " + c.rootKey());
            out.println("  store:     " + c.store() + " (registered there as this vault's KEK)");
            switch (c.provider()) {
                case "passphrase" -> out.println("Back up the key ring file and keep the passphrase safe: without both, the"
                        + " stored provider keys cannot be opened. The gateway starts sealed unless vault.passphrase is set;"
                        + " unseal it with: keywarden vault unseal");
                case "local" -> out.println("Development only: the local key file beside the ring opens the vault. Back up"
                        + " the whole vault directory.");
                default -> out.println("Back up the key ring file; the KMS key must stay available to every instance.");
            }
            out.println("Every further instance that shares this store needs a copy of " + c.ringFile().getParent()
                    + " (README \"Shared mode\"); never run vault init there.");
            out.println("Next: keywarden keys add --from-env VAR (or --from-source file:/run/secrets/anthropic)");
            out.flush();
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = "Show whether the vault is sealed, the KEK provider and versions, and provider keys by state.")
    static final class Status extends VaultSubcommand {
        @Option(names = "--json", description = "Print JSON (the admin API's GET /admin/v1/vault) instead of text.")
        boolean json;

        @Override
        int execute() throws Exception {
            JsonNode status;
            if (target.remote()) {
                status = target.client(err()).get("/admin/v1/vault");
            } else {
                try (VaultTarget.LocalVault local = target.openLocal(store.dataDir, false, new LoggingSecurityEvents())) {
                    status = ProviderKeyOutput.JSON.valueToTree(local.vault().status());
                }
            }
            if (json) {
                out().println(ProviderKeyOutput.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(status));
            } else {
                printStatus(out(), status);
            }
            out().flush();
            return 0;
        }

        static void printStatus(PrintWriter out, JsonNode s) {
            boolean sealed = s.path("sealed").asBoolean();
            List<String> versions = new ArrayList<>();
            s.path("kek_versions").forEach(v -> versions.add(v.asText()));
            out.println("vault:        " + (sealed ? "SEALED (run: keywarden vault unseal)" : "unsealed"));
            out.println("kek:          " + s.path("kek").asText() + (sealed ? ""
                    : ", current version " + s.path("kek_version").asText() + " (versions " + String.join(", ", versions) + ")"));
            out.println("environment:  " + s.path("key_environment").asText());
            List<String> counts = new ArrayList<>();
            s.path("keys_by_state").properties().forEach(e -> counts.add(e.getKey() + " " + e.getValue().asText()));
            out.println("keys:         " + String.join(", ", counts));
            int overdue = s.path("overdue_keys").asInt();
            out.println("overdue:      " + overdue + (overdue > 0 ? " (see keywarden keys list)" : ""));
        }
    }

    @Command(name = "unseal", mixinStandardHelpOptions = true,
            description = {"Unseal a RUNNING gateway through its admin API (a sealed gateway is another process).",
                    "The passphrase is read from a no-echo prompt, or the first line of standard input when it is",
                    "not a terminal, or KEYWARDEN_VAULT_PASSPHRASE; never from a flag.",
                    "The admin URL is --admin-url, else KEYWARDEN_ADMIN_URL, else the configured admin.listen."})
    static final class Unseal extends VaultSubcommand {
        @Override
        int execute() throws Exception {
            AdminApiClient client = target.client(target.adminUrlOrConfigured(store.dataDir), err());
            JsonNode before = client.get("/admin/v1/vault");
            if (!before.path("sealed").asBoolean()) {
                out().println("The vault of the gateway at " + client.baseUri() + " is already unsealed.");
                out().flush();
                return 0;
            }
            byte[] body = null;
            char[] passphrase = null;
            try {
                if (before.path("kek").asText().equals("passphrase")) {
                    passphrase = PassphraseInput.read(target.context(), "Vault passphrase: ");
                    body = passphraseBody(passphrase);
                } else {
                    body = new byte[] {'{', '}'};
                }
                JsonNode after = client.post("/admin/v1/vault/unseal", body);
                out().println("Unsealed the vault of the gateway at " + client.baseUri() + " (kek " + after.path("kek").asText()
                        + ", version " + after.path("kek_version").asText() + "); it serves proxy calls again.");
                out().flush();
                return 0;
            } finally {
                if (passphrase != null) {
                    Arrays.fill(passphrase, '\0');
                }
                if (body != null) {
                    Arrays.fill(body, (byte) 0);
                }
            }
        }

        /** {@code {"passphrase":"..."}} written from the characters directly, so no String of it is made. */
        static byte[] passphraseBody(char[] passphrase) throws IOException {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream(passphrase.length * 3 + 32);
            try (JsonGenerator g = ProviderKeyOutput.JSON.getFactory().createGenerator(buffer)) {
                g.writeStartObject();
                g.writeFieldName("passphrase");
                g.writeString(passphrase, 0, passphrase.length);
                g.writeEndObject();
            }
            return buffer.toByteArray();
        }
    }

    @Command(name = "seal", mixinStandardHelpOptions = true,
            description = {"Seal a RUNNING gateway's vault through its admin API; proxy calls get 503 until unsealed.",
                    "The KEK is dropped from memory and proxy calls get 503 until `keywarden vault unseal`."
                            + " Use it when the host may be compromised.",
                    "The admin URL is --admin-url, else KEYWARDEN_ADMIN_URL, else the configured admin.listen."})
    static final class Seal extends VaultSubcommand {
        @Override
        int execute() {
            AdminApiClient client = target.client(target.adminUrlOrConfigured(store.dataDir), err());
            client.post("/admin/v1/vault/seal", (JsonNode) null);
            out().println("Sealed the vault of the gateway at " + client.baseUri()
                    + ": proxy calls get 503 until: keywarden vault unseal");
            out().flush();
            return 0;
        }
    }

    @Command(name = "rewrap", mixinStandardHelpOptions = true,
            description = {"Re-wrap every stored data key under the current KEK version (keys are never decrypted).",
                    "Safe to repeat. Run it after a KEK rotation, before retiring the old version."})
    static final class Rewrap extends VaultSubcommand {
        @Override
        int execute() {
            JsonNode result;
            if (target.remote()) {
                result = target.client(err()).post("/admin/v1/vault/rewrap", (JsonNode) null);
            } else {
                try (VaultTarget.LocalVault local = target.openLocal(store.dataDir, true, new LoggingSecurityEvents())) {
                    result = ProviderKeyOutput.JSON.valueToTree(local.vault().rewrap());
                }
            }
            printRewrap(out(), result);
            return 0;
        }
    }

    @Command(name = "rotate-kek", mixinStandardHelpOptions = true,
            description = {"Create a new KEK version, make it current and re-wrap every data key under it.",
                    "While a gateway runs on this data directory, do it through the gateway (--admin-url): a local",
                    "KEK rotation would not reach the running gateway's memory, so it refuses when the configured",
                    "admin API answers."})
    static final class RotateKek extends VaultSubcommand {
        @Override
        int execute() {
            JsonNode result;
            if (target.remote()) {
                result = target.client(err()).post("/admin/v1/vault/rotate-kek", (JsonNode) null);
            } else {
                try (VaultTarget.LocalVault local = target.openLocal(store.dataDir, true, new LoggingSecurityEvents())) {
                    refuseWhileAGatewayAnswers(local.config());
                    result = ProviderKeyOutput.JSON.valueToTree(local.vault().rotateKek());
                }
            }
            out().println("Rotated the KEK: version " + result.path("kek_version").asText() + " is current.");
            printRewrap(out(), result);
            out().println("The old version stays until: keywarden vault retire-kek VERSION");
            out().flush();
            return 0;
        }

        private static void refuseWhileAGatewayAnswers(KeywardenConfig config) {
            config.admin().listen().filter(l -> l.port() > 0).ifPresent(listen -> {
                String host = listen.host().equals("0.0.0.0") || listen.host().equals("::") ? "127.0.0.1" : listen.host();
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress(host, listen.port()), 300);
                } catch (IOException e) {
                    return; // nothing listening: no gateway to get out of step with
                }
                throw new IllegalStateException("a gateway's admin API answers at " + host + ":" + listen.port()
                        + ": rotate the KEK through it (add --admin-url http://" + host + ":" + listen.port()
                        + "), since a local rotation would not reach the running gateway's memory");
            });
        }
    }

    @Command(name = "retire-kek", mixinStandardHelpOptions = true,
            description = {"Forget an old KEK version, once no data key is wrapped under it.",
                    "Refused while any data key is still wrapped under it (run `keywarden vault rewrap` first)."})
    static final class RetireKek extends VaultSubcommand {
        @Parameters(paramLabel = "VERSION", description = "The KEK version to retire, as shown by: keywarden vault status")
        int version;

        @Override
        int execute() {
            JsonNode status;
            if (target.remote()) {
                status = target.client(err()).post("/admin/v1/vault/kek-versions/" + version + "/retire", (JsonNode) null);
            } else {
                try (VaultTarget.LocalVault local = target.openLocal(store.dataDir, true, new LoggingSecurityEvents())) {
                    KeyVault vault = local.vault();
                    vault.retireKek(version);
                    status = ProviderKeyOutput.JSON.valueToTree(vault.status());
                }
            }
            List<String> versions = new ArrayList<>();
            status.path("kek_versions").forEach(v -> versions.add(v.asText()));
            out().println("Retired KEK version " + version + "; remaining versions: " + String.join(", ", versions) + ".");
            out().flush();
            return 0;
        }
    }

    static void printRewrap(PrintWriter out, JsonNode r) {
        int skipped = r.path("skipped").asInt();
        out.println("Re-wrapped " + r.path("rewrapped").asInt() + " data key(s) under KEK version " + r.path("kek_version").asText()
                + "; " + r.path("unchanged").asInt() + " already current"
                + (skipped > 0 ? "; " + skipped + " changed meanwhile and were skipped: run keywarden vault rewrap again" : "") + ".");
        out.flush();
    }

}
