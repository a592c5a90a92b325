package dev.keywarden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.config.ConfigException;
import dev.keywarden.config.KeywardenConfig;
import dev.keywarden.doctor.CheckResult;
import dev.keywarden.doctor.Doctor;
import dev.keywarden.doctor.DoctorInput;
import dev.keywarden.doctor.DoctorReport;
import dev.keywarden.doctor.KeyFact;
import dev.keywarden.doctor.KeyInventory;
import dev.keywarden.doctor.Status;
import dev.keywarden.doctor.StoreInspection;
import dev.keywarden.log.Redactor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code keywarden doctor}: checks a configuration, and the deployment it describes, against the
 * security checklist ({@link Doctor}). Provider keys are read from the running gateway's admin API with
 * {@code --admin-url} (token from {@code KEYWARDEN_ADMIN_TOKEN} or {@code --admin-token-file}), otherwise from the configured store;
 * the audit trail is always verified on the configured store (the admin API has no endpoint for it).
 *
 * <p>Exit codes: 0 when nothing FAILs, 1 when an item FAILs or the admin API cannot be read, 2 on a
 * usage or configuration error. Never prints a key or token.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check a configuration and deployment against the security checklist.",
                "Items: provider keys in the vault, separate keys per environment, rotation, .env ignored by git, CORS, TLS,"
                        + " admin listener, rate limits and budgets, audit chain intact, alerts.",
                "One line per item: PASS|WARN|FAIL  ITEM  DETAIL, with a fix for WARN and FAIL.",
                "Exit 1 if any item fails, 0 otherwise, 2 on a usage error."})
public final class DoctorCommand implements Callable<Integer>, CliContext.Aware {

    @Spec
    CommandSpec spec;

    @Mixin
    StoreOptions store;

    @Option(names = "--admin-url", paramLabel = "URL",
            description = "Read provider keys from a running gateway's admin API, e.g. http://127.0.0.1:8788 "
                    + "(admin token from $KEYWARDEN_ADMIN_TOKEN); without it, from the configured store.")
    String adminUrl;

    @Option(names = "--admin-token-file", paramLabel = "FILE",
            description = "File holding the admin token (default: $KEYWARDEN_ADMIN_TOKEN). There is no flag for the token itself.")
    Path adminTokenFile;

    @Option(names = "--json", description = "Print a JSON array of {id, status, title, detail, fix} instead of lines.")
    boolean json;

    private CliContext context = CliContext.process();

    @Override
    public void context(CliContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        KeywardenConfig cfg = store.loadConfig();
        StoreInspection inspection = StoreInspection.of(cfg);
        KeyInventory keys = inspection.keys();
        if (adminUrl != null) {
            try {
                keys = remoteKeys(err);
            } catch (AdminApiException e) {
                err.println("keywarden doctor: " + Redactor.redact(e.getMessage()));
                err.flush();
                return 1;
            }
        }
        DoctorInput input = new DoctorInput(cfg, context.workDir(), keys, inspection.audit(), Instant.now(),
                inspection.secret());
        List<CheckResult> results = Doctor.standard().examine(input);
        if (json) {
            DoctorReport.printJson(out, results);
        } else {
            DoctorReport.printText(out, results);
        }
        return Doctor.overall(results) == Status.FAIL ? 1 : 0;
    }

    /** The gateway's provider keys; unknown when its vault is off (the endpoint answers 404 then). */
    private KeyInventory remoteKeys(PrintWriter err) {
        AdminApiClient client;
        try {
            client = AdminApiClient.create(adminUrl, VaultTarget.token(adminTokenFile, context));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
        if (client.cleartextToRemoteHost()) {
            err.println("keywarden: warning: the admin token is sent in clear text to " + client.baseUri()
                    + "; use https or an SSH tunnel for a gateway on another machine");
            err.flush();
        }
        JsonNode data;
        try {
            data = client.get("/admin/v1/provider-keys").path("data");
        } catch (AdminApiException e) {
            if (e.status() == 404) {
                return KeyInventory.unknown("the gateway at " + client.baseUri() + " runs without the vault (vault.kek none)");
            }
            throw e;
        }
        List<KeyFact> facts = new ArrayList<>();
        data.forEach(k -> facts.add(KeyFact.ofAdminJson(k)));
        return KeyInventory.of(facts, "the gateway at " + client.baseUri());
    }
}
