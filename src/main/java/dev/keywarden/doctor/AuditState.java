package dev.keywarden.doctor;

import dev.keywarden.audit.AuditVerifier;
import java.util.List;

/**
 * What verifying the audit trail found.
 *
 * @param verified whether the chains could be verified at all
 * @param reports  one report per chain (empty for an empty trail); empty when not verified
 * @param reason   why the trail could not be verified (e.g. no store yet); empty when verified
 */
public record AuditState(boolean verified, List<AuditVerifier.ChainReport> reports, String reason) {

    public static AuditState of(List<AuditVerifier.ChainReport> reports) {
        return new AuditState(true, List.copyOf(reports), "");
    }

    public static AuditState unavailable(String reason) {
        return new AuditState(false, List.of(), reason);
    }
}
