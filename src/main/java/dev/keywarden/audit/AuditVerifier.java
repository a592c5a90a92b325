package dev.keywarden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Checks the audit trail: every record must hold the hash of its predecessor, sequence numbers
 * must run without gaps, every HMAC checkpoint must carry a valid MAC and match the record it
 * pins, and — {@link #withAnchors with anchors} — the chain must still hold the newest signed
 * checkpoint kept outside the database (the anchor file in the data directory, the checkpoint lines
 * of the mirror stream). Reports the first record that was altered, removed, inserted or reordered,
 * and a lost anchor file.
 *
 * <p>What it cannot see (said in docs/audit.md): records appended or removed after the newest anchor
 * by someone who can write the store and recompute SHA-256; an anchor is written at least every
 * checkpoint interval (one second by default), every {@code checkpointEvery} records and at every
 * clean shutdown.
 */
public final class AuditVerifier {

    private final AuditStore store;
    private final ChainKey secret;
    private final Path anchorDir;
    private final Path mirror;

    public AuditVerifier(AuditStore store, ChainKey secret) {
        this(store, secret, null, null);
    }

    private AuditVerifier(AuditStore store, ChainKey secret, Path anchorDir, Path mirror) {
        this.store = store;
        this.secret = secret;
        this.anchorDir = anchorDir;
        this.mirror = mirror;
    }

    /** Also checks each chain against its anchor file in {@code dataDir}, and reports one that was lost. */
    public AuditVerifier withAnchors(Path dataDir) {
        return new AuditVerifier(store, secret, dataDir, mirror);
    }

    /** Also checks each chain against the newest checkpoint line of the JSON-lines mirror {@code file}. */
    public AuditVerifier withMirror(Path file) {
        return new AuditVerifier(store, secret, anchorDir, file);
    }

    /**
     * The outcome for one chain. {@code problem} is null when the chain is intact; {@code firstBadSeq} may be
     * null for a problem that is not at one record (a lost anchor). {@code anchor} says what the chain was
     * checked against outside the database (null when anchors were not asked for).
     */
    public record ChainReport(String chainId, long records, long checkpoints, long uncheckpointed, Long firstBadSeq,
                              String problem, String anchor) {

        public ChainReport(String chainId, long records, long checkpoints, long uncheckpointed, Long firstBadSeq, String problem) {
            this(chainId, records, checkpoints, uncheckpointed, firstBadSeq, problem, null);
        }

        public boolean intact() {
            return problem == null;
        }
    }

    public List<ChainReport> verifyAll() {
        Map<String, AuditCheckpoint> mirrored = mirroredAnchors();
        List<ChainReport> out = new ArrayList<>();
        for (String chain : store.chains()) {
            out.add(verify(chain, mirrored.get(chain)));
        }
        return out;
    }

    public ChainReport verify(String chainId) {
        return verify(chainId, mirroredAnchors().get(chainId));
    }

    private ChainReport verify(String chainId, AuditCheckpoint mirrored) {
        Walker w = new Walker(chainId);
        store.forEach(chainId, w::next);
        w.finish();
        if (w.problem != null) {
            return new ChainReport(chainId, w.count, 0, 0, w.badSeq, w.problem);
        }
        List<AuditCheckpoint> checkpoints = store.checkpoints(chainId);
        long lastPinned = 0;
        for (AuditCheckpoint cp : checkpoints) {
            if (!AuditChain.macValid(cp, secret)) {
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
        if (anchorDir == null && mirror == null) {
            return new ChainReport(chainId, w.count, checkpoints.size(), w.count - lastPinned, null, null);
        }
        List<String> checkedAgainst = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<Map.Entry<String, AuditCheckpoint>> anchors = new ArrayList<>();
        if (anchorDir != null) {
            AuditAnchor file = AuditAnchor.in(anchorDir, chainId);
            Optional<AuditCheckpoint> saved;
            try {
                saved = file.read();
            } catch (UncheckedIOException e) {
                return new ChainReport(chainId, w.count, checkpoints.size(), 0, null, e.getMessage(), file.file().toString());
            }
            if (saved.isPresent()) {
                anchors.add(Map.entry(file.file().toString(), saved.get()));
            } else {
                Optional<String> where = store.anchoredAt(chainId);
                if (where.isPresent() && anchoredOnThisHost(where.get())) {
                    return new ChainReport(chainId, w.count, checkpoints.size(), 0, null, "its anchor " + file.file() + " is missing"
                            + " although the chain was anchored (" + where.get() + "): deleted or altered newest records can no"
                            + " longer be noticed; if the file was lost rather than removed, see docs/audit.md (keywarden audit"
                            + " anchor --reset)", "missing");
                }
                notes.add(where.map(w2 -> "anchored at " + w2 + ", not checked here").orElse("no anchor file"));
            }
        }
        if (mirrored != null) {
            anchors.add(Map.entry("the mirror " + mirror, mirrored));
        } else if (mirror != null) {
            notes.add("no checkpoint in the mirror");
        }
        for (Map.Entry<String, AuditCheckpoint> a : anchors) {
            AuditCheckpoint cp = a.getValue();
            String hash = cp.seq() >= 1 && cp.seq() <= w.hashes.size() ? w.hashes.get((int) (cp.seq() - 1)) : null;
            Optional<AuditAnchor.Mismatch> mismatch = AuditAnchor.compare(cp, chainId, secret, w.count, hash, a.getKey());
            if (mismatch.isPresent()) {
                return new ChainReport(chainId, w.count, checkpoints.size(), 0, mismatch.get().seq(), mismatch.get().problem(),
                        a.getKey());
            }
            lastPinned = Math.max(lastPinned, cp.seq());
            checkedAgainst.add("record " + cp.seq() + " in " + a.getKey());
        }
        String anchor = String.join("; ", checkedAgainst.isEmpty() ? notes
                : java.util.stream.Stream.concat(checkedAgainst.stream().map(c -> "anchored at " + c), notes.stream()).toList());
        return new ChainReport(chainId, w.count, checkpoints.size(), w.count - lastPinned, null, null, anchor);
    }

    private static boolean anchoredOnThisHost(String where) {
        int at = where.lastIndexOf(" on ");
        if (at < 0) {
            return true;
        }
        try {
            return where.substring(at + 4).equals(java.net.InetAddress.getLocalHost().getHostName());
        } catch (java.io.IOException e) {
            return true;
        }
    }

    /** The newest checkpoint line per chain in the mirror file (empty without a mirror). */
    private Map<String, AuditCheckpoint> mirroredAnchors() {
        Map<String, AuditCheckpoint> newest = new HashMap<>();
        if (mirror == null) {
            return newest;
        }
        String marker = "\"kind\":\"" + JsonLinesSink.CHECKPOINT_KIND + "\"";
        try (Stream<String> lines = Files.lines(mirror, StandardCharsets.UTF_8)) {
            lines.filter(l -> l.contains(marker)).forEach(l -> {
                try {
                    JsonNode n = MIRROR_JSON.readTree(l);
                    AuditCheckpoint cp = new AuditCheckpoint(n.path("chain").asText(), n.path("seq").asLong(),
                            n.path("record_hash").asText(), n.path("at").asText(), n.path("mac").asText());
                    newest.merge(cp.chainId(), cp, (a, b) -> b.seq() >= a.seq() ? b : a);
                } catch (IOException malformed) {
                    // a line cut by a crash: not an anchor
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException("cannot read the audit mirror " + mirror + ": " + e.getMessage(),
                    e instanceof IOException io ? io : ((UncheckedIOException) e).getCause());
        }
        return newest;
    }

    private static final ObjectMapper MIRROR_JSON = new ObjectMapper();

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
