package dev.keywarden.doctor;

import dev.keywarden.log.Redactor;
import java.util.ArrayList;
import java.util.List;

/**
 * The security checklist of {@code keywarden doctor}: runs every {@link Check} in a fixed order.
 *
 * <p>Guarantees: every item yields exactly one result, even when its check throws (that item is then
 * a FAIL saying it could not be checked); details and fixes pass through {@link Redactor}, so a
 * key-shaped string can never be printed.
 */
public final class Doctor {

    private final List<Check> checks;

    public Doctor(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    /** The full checklist, in the order it is printed. */
    public static Doctor standard() {
        return new Doctor(List.of(new ProviderKeyStorageCheck(), new KeyPerEnvironmentCheck(), new RotationCheck(),
                new DotEnvCheck(), new CorsCheck(), new TlsCheck(), new AdminListenerCheck(), new LimitsAndBudgetsCheck(),
                new AuditCheck(), new ServerSecretCheck(), new AlertsCheck()));
    }

    public List<Check> checks() {
        return checks;
    }

    public List<CheckResult> examine(DoctorInput input) {
        List<CheckResult> out = new ArrayList<>();
        for (Check check : checks) {
            CheckResult r;
            try {
                r = check.run(input);
            } catch (RuntimeException e) {
                r = check.fail("could not be checked: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
                        "fix the cause above and run keywarden doctor again");
            }
            out.add(new CheckResult(r.id(), r.status(), r.title(), Redactor.redact(r.detail()), Redactor.redact(r.fix())));
        }
        return out;
    }

    /** The worst status among {@code results} (PASS when empty). */
    public static Status overall(List<CheckResult> results) {
        Status s = Status.PASS;
        for (CheckResult r : results) {
            s = s.worst(r.status());
        }
        return s;
    }
}
