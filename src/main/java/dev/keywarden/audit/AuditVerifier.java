package dev.keywarden.audit;


import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks the audit trail: every record must hold the hash of its predecessor, sequence numbers
 * must run without gaps, and every HMAC checkpoint must carry a valid MAC and match the record it
 * pins. Reports the first record that was altered, removed, inserted or reordered.
 *
 * <p>What it cannot see (said in docs): records appended after the last checkpoint by someone who
 * can write the store and recompute SHA-256 are only caught by the next checkpoint; a checkpoint
 * is written every {@code checkpointEvery} records and at every clean shutdown.
 */
public final class AuditVerifier {

    private final AuditStore store;
    private final ChainKey secret;

    public AuditVerifier(AuditStore store, ChainKey secret) {
        this.store = store;
        this.secret = secret;
    }

    /** The outcome for one chain. {@code problem} is null when the chain is intact. */
    public record ChainReport(String chainId, long records, long checkpoints, long uncheckpointed, Long firstBadSeq,
                              String problem) {
        public boolean intact() {
            return problem == null;
        }
    }

    public List<ChainReport> verifyAll() {
        List<ChainReport> out = new ArrayList<>();
        for (String chain : store.chains()) {
            out.add(verify(chain));
        }
        return out;
    }

    public ChainReport verify(String chainId) {
        Walker w = new Walker(chainId);
        store.forEach(chainId, w::next);
        w.finish();
        if (w.problem != null) {
            return new ChainReport(chainId, w.count, 0, 0, w.badSeq, w.problem);
        }
        List<AuditCheckpoint> checkpoints = store.checkpoints(chainId);
        long lastPinned = 0;
        for (AuditCheckpoint cp : checkpoints) {
            String expectedMac = HexFormat.of().formatHex(secret.hmac(AuditChain.checkpointMessage(cp.chainId(), cp.seq(),
                    cp.recordHash())));
            if (!MessageDigest.isEqual(expectedMac.getBytes(StandardCharsets.US_ASCII), cp.mac().getBytes(StandardCharsets.US_ASCII))) {
                return new ChainReport(chainId, w.count, checkpoints.size(), 0, cp.seq(),
                        "checkpoint at record " + cp.seq() + " has an invalid MAC: it was forged or altered (or the server secret changed)");
            }
            String actual = cp.seq() <= w.hashes.size() ? w.hashes.get((int) (cp.seq() - 1)) : null;
            if (actual == null) {
                return new ChainReport(chainId, w.count, checkpoints.size(), 0, cp.seq(),
                        "record " + cp.seq() + " was removed: a signed checkpoint pins it but the chain ends at record " + w.count);
            }
            if (!actual.equals(cp.recordHash())) {
                return new ChainReport(chainId, w.count, checkpoints.size(), 0, cp.seq(),
                        "record " + cp.seq() + " (or one before it) was altered: it no longer matches its signed checkpoint,"
                                + " so the chain was rebuilt after an edit");
            }
            lastPinned = Math.max(lastPinned, cp.seq());
        }
        return new ChainReport(chainId, w.count, checkpoints.size(), w.count - lastPinned, null, null);
    }

    /**
     * Collects one chain's sequence numbers, links and hashes (about 300 bytes per record: the
     * verifier is a CLI tool), then finds and classifies the first break.
     */
    private static final class Walker {
        final String chainId;
        final List<Long> seqs = new ArrayList<>();
        final List<String> prevs = new ArrayList<>();
        final List<String> hashes = new ArrayList<>();
        long count;
        String problem;
        Long badSeq;

        Walker(String chainId) {
            this.chainId = chainId;
        }

        void next(StoredAuditRecord r) {
            count++;
            seqs.add(r.seq());
            prevs.add(r.prevHash());
            hashes.add(AuditChain.hash(r));
        }

        private boolean broken(int i) {
            return i < hashes.size() && !prevs.get(i).equals(i == 0 ? AuditChain.GENESIS : hashes.get(i - 1));
        }

        void finish() {
            for (int i = 0; i < seqs.size(); i++) {
                long expected = i == 0 ? 1 : seqs.get(i - 1) + 1;
                long seq = seqs.get(i);
                if (seq != expected) {
                    fail(expected, seq - expected == 1 ? "record " + expected + " was removed"
                            : "records " + expected + " to " + (seq - 1) + " were removed");
                    return;
                }
                if (!broken(i)) {
                    continue;
                }
                if (i == 0) {
                    fail(seq, "record 1 was altered (it does not start the chain)");
                } else if (broken(i + 1) && broken(i + 2) && prevs.get(i + 1).equals(hashes.get(i - 1))) {
                    fail(seq, "records " + seq + " and " + (seq + 1) + " were swapped");
                } else if (i >= 2 && prevs.get(i).equals(hashes.get(i - 2))) {
                    fail(seqs.get(i - 1), "record " + seqs.get(i - 1) + " was inserted (record " + seq
                            + " links to the record before it)");
                } else if (broken(i + 1) && prevs.get(i + 1).equals(hashes.get(i - 1))) {
                    fail(seq, "record " + seq + " was inserted (record " + (seq + 1) + " links to the record before it)");
                } else {
                    fail(seqs.get(i - 1), "record " + seqs.get(i - 1) + " was altered (record " + seq
                            + " no longer holds its hash)");
                }
                return;
            }
        }

        private void fail(long seq, String message) {
            badSeq = seq;
            problem = message;
        }
    }
}
