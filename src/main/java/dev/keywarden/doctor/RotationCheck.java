package dev.keywarden.doctor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Active provider keys are within their rotation policy ({@code rotation_days}, or the environment's
 * default: dev 90, staging 60, prod 30). A key overdue by up to {@link #GRACE} is a WARN; overdue by
 * more, a FAIL. Without the vault there is no rotation tracking at all (WARN).
 */
final class RotationCheck implements Check {

    /** How long past its due date an overdue key is only a warning. */
    static final Duration GRACE = Duration.ofDays(7);

    private static final Comparator<KeyFact> BY_DUE_DATE = Comparator.comparing(KeyFact::dueAt,
            Comparator.nullsLast(Comparator.naturalOrder()));

    @Override
    public String id() {
        return "rotation";
    }

    @Override
    public String title() {
        return "Rotation policy and overdue keys";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        KeyInventory inventory = input.keys();
        if (!inventory.known()) {
            return warn("no rotation tracking: " + inventory.reason(),
                    "keep provider keys in the vault (vault.kek), which applies a rotation policy per key "
                            + "(keywarden keys add --rotation-days N) and reports overdue keys");
        }
        Instant now = input.now();
        List<KeyFact> active = inventory.keys().stream().filter(KeyFact::active).toList();
        if (active.isEmpty()) {
            return warn("no active provider key in " + inventory.where(), "add one with: keywarden keys add --from-env VAR");
        }
        List<String> late = new ArrayList<>();
        Status status = Status.PASS;
        for (KeyFact k : active.stream().sorted(BY_DUE_DATE).toList()) {
            if (!k.overdueAt(now)) {
                continue;
            }
            Duration by = Duration.between(k.dueAt(), now);
            boolean pastGrace = by.compareTo(GRACE) > 0;
            status = status.worst(pastGrace ? Status.FAIL : Status.WARN);
            late.add(k.describe() + " overdue by " + by.toDays() + " day(s) (policy " + k.rotationDays() + " days, "
                    + (pastGrace ? "past" : "within") + " the " + GRACE.toDays() + "-day grace)");
        }
        if (!late.isEmpty()) {
            return of(status, String.join("; ", late),
                    "rotate each overdue key without downtime: keywarden keys rotate --from ID --new-from-env VAR");
        }
        KeyFact next = active.stream().min(BY_DUE_DATE).orElseThrow();
        return pass(active.size() + " active key(s) within policy; next due "
                + (next.dueAt() == null ? "unknown" : next.dueAt().toString().substring(0, 10))
                + " (" + next.id() + ", policy " + next.rotationDays() + " days)");
    }
}
