package dev.keywarden.doctor;

import dev.keywarden.config.KeywardenConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * Everything the checklist looks at, gathered once before the checks run.
 *
 * @param config  the validated configuration, as {@code keywarden serve} would load it
 * @param raw     every setting as given in the config file and the environment, flattened to YAML paths
 *                ({@link RawSettings}): lets checks see settings that {@link KeywardenConfig} does not model
 *                (budgets, CORS) without depending on the code that reads them
 * @param workDir the working directory whose git repository must ignore {@code .env}
 * @param keys    the stored provider keys (local store or running gateway)
 * @param audit   the result of verifying the audit trail
 * @param now     the time rotation due dates are compared with
 */
public record DoctorInput(KeywardenConfig config, Map<String, String> raw, Path workDir, KeyInventory keys,
                          AuditState audit, Instant now) {

    public DoctorInput {
        Objects.requireNonNull(config, "config");
        raw = Map.copyOf(raw);
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(now, "now");
    }
}
