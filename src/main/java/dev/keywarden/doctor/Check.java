package dev.keywarden.doctor;

/**
 * One item of the security checklist. Implementations are pure functions of the {@link DoctorInput}:
 * they read nothing else (no network, no files), so each can be tested on a hand-built input.
 */
public interface Check {

    /** Stable identifier, e.g. {@code tls}. */
    String id();

    /** What the item checks, for people. */
    String title();

    /** Evaluates the item. */
    CheckResult run(DoctorInput input);

    default CheckResult pass(String detail) {
        return new CheckResult(id(), Status.PASS, title(), detail, "");
    }

    default CheckResult warn(String detail, String fix) {
        return new CheckResult(id(), Status.WARN, title(), detail, fix);
    }

    default CheckResult fail(String detail, String fix) {
        return new CheckResult(id(), Status.FAIL, title(), detail, fix);
    }

    default CheckResult of(Status status, String detail, String fix) {
        return new CheckResult(id(), status, title(), detail, status == Status.PASS ? "" : fix);
    }
}
