package dev.keywarden.vault.crypto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keywarden.files.PrivateFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The key-ring metadata file ({@code <data dir>/vault/kek-ring.json}, mode 0600): which KEK
 * provider made it, a random ring id, the passphrase KDF salt and parameters (passphrase vaults
 * only), a verifier blob sealed under the root key, the current KEK version and every live
 * version as a Tink keyset encrypted under the root key. No plaintext key material is ever
 * written to it. Updates replace the file atomically.
 */
final class KekRingFile {

    static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Passphrase derivation settings stored beside the ring. */
    record Kdf(Argon2idParams params, byte[] salt) {
    }

    /** One KEK version: its Tink keyset encrypted under the root key (JSON text as Tink writes it). */
    record StoredVersion(int version, Instant created, String encryptedKeyset) {
    }

    record State(String provider, String ringId, Optional<Kdf> kdf, byte[] verifier, int current, List<StoredVersion> versions) {
        State {
            versions = List.copyOf(versions);
        }

        Optional<StoredVersion> version(int v) {
            return versions.stream().filter(s -> s.version() == v).findFirst();
        }

        State withVersions(int newCurrent, List<StoredVersion> newVersions) {
            return new State(provider, ringId, kdf, verifier, newCurrent, newVersions);
        }
    }

    private KekRingFile() {
    }

    static Optional<State> read(Path file) {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try {
            JsonNode root = JSON.readTree(Files.readAllBytes(file));
            if (root.path("format").asInt() != FORMAT) {
                throw new VaultException("the key ring " + file + " has format " + root.path("format").asText("?")
                        + ", this version reads format " + FORMAT + ": upgrade keywarden or restore the file from backup");
            }
            Optional<Kdf> kdf = Optional.empty();
            JsonNode k = root.get("kdf");
            if (k != null && !k.isNull()) {
                if (!"argon2id".equals(k.path("algorithm").asText())) {
                    throw new VaultException("the key ring " + file + " names KDF '" + k.path("algorithm").asText()
                            + "', expected argon2id: the file was altered");
                }
                kdf = Optional.of(new Kdf(new Argon2idParams(k.path("memory_kib").asInt(), k.path("iterations").asInt(),
                        k.path("parallelism").asInt()), bytes(k, "salt", file)));
            }
            List<StoredVersion> versions = new ArrayList<>();
            for (JsonNode v : root.path("versions")) {
                versions.add(new StoredVersion(v.path("version").asInt(), Instant.parse(v.path("created").asText()),
                        text(v, "keyset", file)));
            }
            return Optional.of(new State(text(root, "provider", file), text(root, "ring_id", file), kdf,
                    bytes(root, "verifier", file), root.path("current").asInt(), versions));
        } catch (IOException | RuntimeException e) {
            if (e instanceof VaultException ve) {
                throw ve;
            }
            throw new VaultException("cannot read the key ring " + file + " (" + e.getClass().getSimpleName()
                    + "): restore it from backup", e instanceof IOException ? e : null);
        }
    }

    /** Writes the first version of the ring; false when another process created it first. */
    static boolean create(Path file, State state) {
        try {
            PrivateFiles.createDirectories(file.toAbsolutePath().getParent());
            return PrivateFiles.writeNewFile(file, serialize(state));
        } catch (IOException e) {
            throw new VaultException("cannot create the key ring " + file + ": " + e.getClass().getSimpleName()
                    + " (check that the data directory is writable)", e);
        }
    }

    /** Atomically replaces the ring with {@code state} (mode 0600). */
    static void replace(Path file, State state) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            FileAttribute<?>[] attrs = dir.getFileSystem().supportedFileAttributeViews().contains("posix")
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                    : new FileAttribute<?>[0];
            Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", attrs);
            try {
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(serialize(state));
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    channel.force(true);
                }
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new VaultException("cannot update the key ring " + file + ": " + e.getClass().getSimpleName()
                    + " (check that the data directory is writable); the ring was not changed", e);
        }
    }

    static byte[] serialize(State state) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        root.put("provider", state.provider());
        root.put("ring_id", state.ringId());
        state.kdf().ifPresent(kdf -> {
            ObjectNode k = root.putObject("kdf");
            k.put("algorithm", "argon2id");
            k.put("memory_kib", kdf.params().memoryKib());
            k.put("iterations", kdf.params().iterations());
            k.put("parallelism", kdf.params().parallelism());
            k.put("salt", Base64.getEncoder().encodeToString(kdf.salt()));
        });
        root.put("verifier", Base64.getEncoder().encodeToString(state.verifier()));
        root.put("current", state.current());
        ArrayNode versions = root.putArray("versions");
        for (StoredVersion v : state.versions()) {
            ObjectNode n = versions.addObject();
            n.put("version", v.version());
            n.put("created", v.created().toString());
            n.put("keyset", v.encryptedKeyset());
        }
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new VaultException("cannot serialize the key ring", e);
        }
    }

    private static String text(JsonNode node, String field, Path file) {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual() || v.asText().isEmpty()) {
            throw new VaultException("the key ring " + file + " lacks '" + field + "': restore it from backup");
        }
        return v.asText();
    }

    private static byte[] bytes(JsonNode node, String field, Path file) {
        try {
            return Base64.getDecoder().decode(text(node, field, file));
        } catch (IllegalArgumentException e) {
            throw new VaultException("the key ring " + file + " has a malformed '" + field + "': restore it from backup");
        }
    }
}
