package dev.keywarden.doctor;

import dev.keywarden.audit.AuditVerifier;
import java.util.List;

/**
 * The audit trail is on (it always is; strict or buffered) and every hash chain verifies with
 * {@link AuditVerifier}: a broken chain is a FAIL; a trail that could not be read is a WARN.
 */
final class AuditCheck implements Check {

    @Override
    public String id() {
        return "audit";
    }

    @Override
    public String title() {
        return "Audit enabled and chain intact";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        String mode = "audit.mode " + (input.config().audit().strict() ? "strict" : "buffered");
        AuditState audit = input.audit();
        if (!audit.verified()) {
            return warn(mode + "; the chain was not verified: " + audit.reason(),
                    "run keywarden doctor (or keywarden audit verify) where the gateway's store is reachable");
        }
        List<AuditVerifier.ChainReport> broken = audit.reports().stream().filter(r -> !r.intact()).toList();
        if (!broken.isEmpty()) {
            AuditVerifier.ChainReport r = broken.getFirst();
            return fail(broken.size() + " of " + audit.reports().size() + " audit chain(s) TAMPERED; chain " + r.chainId()
                            + " at record " + r.firstBadSeq() + ": " + r.problem(),
                    "treat as an incident: preserve the store and its backups, find who could write it, and compare with the "
                            + "audit.mirror copy; details: keywarden audit verify");
        }
        long records = audit.reports().stream().mapToLong(AuditVerifier.ChainReport::records).sum();
        if (audit.reports().isEmpty()) {
            return pass(mode + "; the audit trail is empty (nothing recorded yet)");
        }
        return pass(mode + "; " + audit.reports().size() + " chain(s), " + records + " record(s), all intact");
    }
}
