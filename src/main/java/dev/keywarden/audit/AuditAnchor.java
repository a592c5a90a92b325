package dev.keywarden.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The newest signed checkpoint of one chain, kept outside the database: a small JSON file
 * ({@code audit-anchor-<chain>.json}, mode 0600) in the data directory, replaced atomically after every
 * checkpoint. Someone who can edit the database but not this file cannot remove or alter records up to
 * the anchored one without {@link #compare} noticing, even if they also delete the checkpoints in the
 * database; forging an anchor needs the server secret (the same HMAC as a checkpoint).
 */
public final class AuditAnchor {

    static final String FILE_PREFIX = "audit-anchor-";
    static final String FILE_SUFFIX = ".json";
    private static final Pattern SAFE_CHAIN = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;

    private AuditAnchor(Path file) {
        this.file = file;
    }

    /** The anchor of {@code chainId} in {@code dataDir}. */
    public static AuditAnchor in(Path dataDir, String chainId) {
        if (!SAFE_CHAIN.matcher(chainId).matches()) {
            throw new IllegalArgumentException("chain id not usable in a file name: " + chainId);
        }
        return new AuditAnchor(dataDir.toAbsolutePath().normalize().resolve(FILE_PREFIX + chainId + FILE_SUFFIX));
    }

    public Path file() {
        return file;
    }

    /**
     * The anchored checkpoint, or empty when the file does not exist.
     *
     * @throws UncheckedIOException when the file exists but cannot be read or is not an anchor
     */
    public Optional<AuditCheckpoint> read() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException missing) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit anchor " + file + ": " + e.getMessage(), e);
        }
        try {
            JsonNode n = JSON.readTree(bytes);
            return Optional.of(new AuditCheckpoint(text(n, "chain"), n.required("seq").asLong(), text(n, "record_hash"),
                    text(n, "at"), text(n, "mac")));
        } catch (IOException | IllegalArgumentException e) {
            throw new UncheckedIOException("the audit anchor " + file + " is not a valid anchor (" + e.getMessage()
                    + "): it was damaged or replaced", e instanceof IOException io ? io : new IOException(e));
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.required(field);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("field " + field + " is not text");
        }
        return v.asText();
    }

    /** Replaces the anchor with {@code checkpoint}: written to a temporary file, forced to disk, then renamed over it. */
    public void write(AuditCheckpoint checkpoint) {
        ObjectNode n = JSON.createObjectNode();
        n.put("chain", checkpoint.chainId());
        n.put("seq", checkpoint.seq());
        n.put("record_hash", checkpoint.recordHash());
        n.put("at", checkpoint.at());
        n.put("mac", checkpoint.mac());
        byte[] bytes = (n + "\n").getBytes(StandardCharsets.UTF_8);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            try (FileChannel ch = FileChannel.open(tmp, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    ch.write(buffer);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the audit anchor " + file + ": " + e.getMessage(), e);
        }
    }

    /** Makes the rename durable (POSIX: sync the directory); where a directory cannot be opened, the rename stands as is. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException notSupported) {
            // not every file system lets a directory be opened or synced
        }
    }

    /** A way a chain disagrees with an anchor: the first record concerned and what happened, in words. */
    public record Mismatch(long seq, String problem) {
    }

    /**
     * Compares a chain with an anchor {@code anchor} read from {@code source} (a file, the mirror stream).
     *
     * @param lastSeq         the chain's last record number in the database (0: empty)
     * @param hashAtAnchorSeq the hash of the chain's record at the anchor's number, or null when there is none
     * @return empty when the anchor is genuine and the chain still holds the anchored record unchanged
     */
    public static Optional<Mismatch> compare(AuditCheckpoint anchor, String chainId, ChainKey secret, long lastSeq,
                                             String hashAtAnchorSeq, String source) {
        if (!AuditChain.macValid(anchor, secret)) {
            return Optional.of(new Mismatch(anchor.seq(), "the anchor in " + source + " has an invalid MAC: it was forged or altered"
                    + " (or the server secret changed)"));
        }
        if (!anchor.chainId().equals(chainId)) {
            return Optional.of(new Mismatch(anchor.seq(), "the anchor in " + source + " belongs to chain " + anchor.chainId()
                    + ", not " + chainId + ": it was replaced"));
        }
        if (lastSeq < anchor.seq()) {
            String missing = lastSeq + 1 == anchor.seq() ? "record " + anchor.seq() + " was removed"
                    : "records " + (lastSeq + 1) + " to " + anchor.seq() + " were removed";
            return Optional.of(new Mismatch(lastSeq + 1, missing + ": the anchor in " + source + " pins record " + anchor.seq()
                    + " (signed " + anchor.at() + ") but the chain ends at record " + lastSeq));
        }
        if (hashAtAnchorSeq == null || !hashAtAnchorSeq.equals(anchor.recordHash())) {
            return Optional.of(new Mismatch(anchor.seq(), "record " + anchor.seq() + " (or one before it) was altered: it no longer"
                    + " matches the anchor in " + source + " (signed " + anchor.at() + ")"));
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return file.toString();
    }
}
