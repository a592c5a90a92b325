package dev.keywarden.doctor;

import dev.keywarden.config.KeywardenConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * Everything the checklist looks at, gathered once before the checks run.
 *
 * @param config  the validated configuration, loaded exactly as {@code keywarden serve} loads it: every
 *                setting a check judges (listeners, vault, limits, budgets, alerts, CORS) is read from it,
 *                never from the YAML again
 * @param workDir the working directory whose git repository must ignore {@code .env}
 * @param keys    the stored provider keys (local store or running gateway)
 * @param audit   the result of verifying the audit trail
 * @param now     the time rotation due dates are compared with
 * @param secret  whether the server secret matches the store's
 */
public record DoctorInput(KeywardenConfig config, Path workDir, KeyInventory keys, AuditState audit, Instant now,
                          SecretState secret) {

    /** An input whose server secret was not compared with a store. */
    public DoctorInput(KeywardenConfig config, Path workDir, KeyInventory keys, AuditState audit, Instant now) {
        this(config, workDir, keys, audit, now, SecretState.unchecked("no store was inspected"));
    }

    public DoctorInput {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(audit, "audit");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(secret, "secret");
    }
}
