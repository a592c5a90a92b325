package dev.keywarden.audit;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Mirrors committed audit records as JSON lines ({@code {"chain":…,"seq":…,"at":…,"kind":…,
 * "prev_hash":…,"record":{…}}}) to stdout or an append-only file created with mode 0600, for a
 * SIEM, and each signed checkpoint as a line of kind {@code checkpoint}
 * ({@code {"chain":…,"seq":…,"at":…,"kind":"checkpoint","record_hash":…,"mac":…}}): the chain's anchor,
 * kept outside the database ({@code keywarden audit verify --mirror FILE} checks against it). The store
 * stays the source of truth; a failing mirror is logged, never blocks the trail.
 */
public final class JsonLinesSink implements AuditSink {

    /** The {@code kind} of a mirrored checkpoint line. */
    public static final String CHECKPOINT_KIND = "checkpoint";

    private final Writer out;
    private final String target;
    private final boolean ownsStream;

    private JsonLinesSink(Writer out, String target, boolean ownsStream) {
        this.out = out;
        this.target = target;
        this.ownsStream = ownsStream;
    }

    /** {@code stdout}, or a file path (created 0600 if missing, appended to otherwise). */
    public static JsonLinesSink open(String target) {
        if (target.equals("stdout")) {
            return new JsonLinesSink(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8)), target, false);
        }
        Path file = Path.of(target);
        try {
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
            return new JsonLinesSink(Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.APPEND), target, true);
        } catch (IOException e) {
            throw new UncheckedIOException("audit.mirror: cannot open " + file.toAbsolutePath() + " for appending: " + e.getMessage(), e);
        }
    }

    @Override
    public void accept(List<StoredAuditRecord> records) {
        try {
            for (StoredAuditRecord r : records) {
                out.write("{\"chain\":" + quote(r.chainId()) + ",\"seq\":" + r.seq() + ",\"at\":" + quote(r.at())
                        + ",\"kind\":" + quote(r.kind()) + ",\"prev_hash\":" + quote(r.prevHash()) + ",\"record\":" + r.body() + "}\n");
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("audit mirror " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void checkpoint(AuditCheckpoint cp) {
        try {
            out.write("{\"chain\":" + quote(cp.chainId()) + ",\"seq\":" + cp.seq() + ",\"at\":" + quote(cp.at())
                    + ",\"kind\":\"" + CHECKPOINT_KIND + "\",\"record_hash\":" + quote(cp.recordHash()) + ",\"mac\":" + quote(cp.mac())
                    + "}\n");
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("audit mirror " + target + ": " + e.getMessage(), e);
        }
    }

    private static String quote(String s) {
        try {
            return AuditTrail.CANONICAL.writeValueAsString(s);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Override
    public void close() {
        try {
            out.flush();
            if (ownsStream) {
                out.close();
            }
        } catch (IOException ignored) {
            // closing at shutdown
        }
    }

    @Override
    public String toString() {
        return "JsonLinesSink[" + target + "]";
    }
}
