package dev.keywarden.doctor;

import java.util.Objects;

/**
 * The outcome of one checklist item.
 *
 * <p>Guarantee: {@code detail} and {@code fix} name settings, addresses, ids and fingerprints only,
 * never a provider key, client secret or admin token; a WARN or FAIL always carries a fix.
 *
 * @param id     stable identifier of the item, e.g. {@code admin-listener}
 * @param status the verdict
 * @param title  what the item checks, e.g. "Admin listener not public"
 * @param detail what was found
 * @param fix    what to do; empty for PASS
 */
public record CheckResult(String id, Status status, String title, String detail, String fix) {

    public CheckResult {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(detail, "detail");
        fix = fix == null ? "" : fix;
        if (status != Status.PASS && fix.isBlank()) {
            throw new IllegalArgumentException("a " + status + " result needs a fix: " + id);
        }
    }
}
