package dev.keywarden.vault.source;

import dev.keywarden.vault.source.SecretSourceException.Kind;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * {@code file:/path}: the whole file is the secret (trailing line breaks removed).
 *
 * <p>Decision: on POSIX file systems a file readable by its group or by others is
 * <em>refused</em> (an error, not a warning), because the key is already exposed to other
 * accounts on the machine; the error says to {@code chmod 600} it. Operators whose platform
 * mounts secrets group-readable inside a private directory can opt in with
 * {@link SourceOptions.Builder#allowFilesReadableByOthers(boolean)}, which turns the error into a
 * warning. Symbolic links are followed (Kubernetes secret volumes use them) and the target's mode
 * is checked. On file systems without POSIX permissions no check is made.
 */
final class FileSource implements SecretSource {

    static final int MAX_BYTES = 64 * 1024;
    private static final Set<PosixFilePermission> SHARED = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

    private final Path file;
    private final SourceOptions options;

    private FileSource(Path file, SourceOptions options) {
        this.file = file;
        this.options = options;
    }

    static FileSource parse(String rest, Path workDir, SourceOptions options) {
        if (rest.isBlank()) {
            throw SecretSources.invalid("file", "no path; write file:/path/to/key (a file only its owner can read)");
        }
        try {
            return new FileSource(workDir.resolve(rest).toAbsolutePath().normalize(), options);
        } catch (InvalidPathException e) {
            throw SecretSources.invalid("file", "the path is not valid on this system; write file:/path/to/key");
        }
    }

    @Override
    public byte[] fetch() {
        checkPermissions();
        try {
            if (Files.isDirectory(file)) {
                throw new SecretSourceException(Kind.NOT_FOUND, describe() + ": is a directory; point file: at the file that holds the key");
            }
            byte[] raw;
            try (InputStream in = Files.newInputStream(file)) {
                raw = in.readNBytes(MAX_BYTES + 1);
            }
            if (raw.length > MAX_BYTES) {
                java.util.Arrays.fill(raw, (byte) 0);
                throw new SecretSourceException(Kind.BAD_RESPONSE, describe() + ": is larger than " + MAX_BYTES
                        + " bytes, so it cannot be a provider key; point file: at the file that holds only the key");
            }
            return SecretBytes.finish(raw, describe());
        } catch (NoSuchFileException e) {
            throw notFound();
        } catch (AccessDeniedException e) {
            throw new SecretSourceException(Kind.DENIED, describe() + ": permission denied; make the file readable by the "
                    + "user the gateway runs as (owner only, mode 0600)");
        } catch (IOException e) {
            throw new SecretSourceException(Kind.UNAVAILABLE, describe() + ": cannot be read (" + e.getClass().getSimpleName()
                    + "); check the file and its directory");
        }
    }

    private void checkPermissions() {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class);
        } catch (UnsupportedOperationException e) {
            return; // no POSIX permissions on this file system: nothing to check
        } catch (NoSuchFileException e) {
            throw notFound();
        } catch (IOException e) {
            return; // the read below reports the real problem
        }
        Set<PosixFilePermission> perms = attributes.permissions();
        if (perms.stream().noneMatch(SHARED::contains)) {
            return;
        }
        String mode = PosixFilePermissions.toString(perms);
        String problem = describe() + ": is readable by " + (perms.contains(PosixFilePermission.OTHERS_READ) ? "all users" : "its group")
                + " (" + mode + ")";
        if (options.allowFilesReadableByOthers()) {
            options.warn(problem + "; accepted because files readable by others are allowed; restrict it with chmod 600 " + file);
            return;
        }
        throw new SecretSourceException(Kind.DENIED, problem + ", so the key is exposed to other accounts; run "
                + "chmod 600 " + file + " (for a Kubernetes secret volume set defaultMode: 0400) and treat the key as possibly "
                + "exposed");
    }

    private SecretSourceException notFound() {
        return new SecretSourceException(Kind.NOT_FOUND, describe() + ": no such file; create it with mode 0600 or fix the path");
    }

    @Override
    public String describe() {
        return "file:" + file;
    }

    @Override
    public String toString() {
        return "SecretSource[" + describe() + "]";
    }
}
