package dev.keywarden.doctor;

/**
 * One item of the security checklist, judged from the {@link DoctorInput} alone (the store and the
 * admin API are read before the checks run; only the {@code .env} item asks git about the working
 * directory), so each can be tested on a hand-built input.
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
