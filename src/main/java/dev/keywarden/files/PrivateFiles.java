package dev.keywarden.files;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Creates directories and files that only their owner can read: directories {@code 0700} and files
 * {@code 0600} on POSIX file systems, set at creation time so the content is never visible to other
 * users, not even briefly. On file systems without POSIX permissions the files are created plainly.
 */
public final class PrivateFiles {

    static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /** Creates {@code dir} (and missing parents) with mode 0700; an existing directory is left as it is. */
    public static void createDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (Files.exists(dir)) {
            throw new FileAlreadyExistsException(dir.toString(), null, "exists and is not a directory");
        }
        if (isPosix(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
            Files.setPosixFilePermissions(dir, OWNER_ONLY_DIRECTORY); // the umask may have removed bits; make it exact
        } else {
            Files.createDirectories(dir);
        }
    }

    /**
     * Creates an empty {@code file} with mode 0600 unless it already exists.
     *
     * @return true when this call created the file
     */
    public static boolean createFileIfAbsent(Path file) throws IOException {
        try {
            Files.createFile(file, ownerOnlyFileAttributes(file));
            return true;
        } catch (FileAlreadyExistsException e) {
            return false;
        }
    }

    /**
     * Atomically publishes {@code content} as {@code file} (mode 0600) unless the file already exists:
     * the content is written to a private temporary file, flushed to disk and then linked into place,
     * so a reader never sees a partly written file and two racing writers cannot both win.
     *
     * @return true when this call created the file; false when another file was already there
     */
    public static boolean writeNewFile(Path file, byte[] content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, "." + file.getFileName(), ".tmp", ownerOnlyFileAttributes(dir));
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            try {
                Files.createLink(file, temp);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (UnsupportedOperationException e) {
                try {
                    Files.move(temp, file);
                    return true;
                } catch (FileAlreadyExistsException alreadyThere) {
                    return false;
                }
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Sets mode 0600 on {@code file} if it exists and the file system has POSIX permissions. */
    public static void restrictToOwner(Path file) throws IOException {
        if (Files.exists(file) && isPosix(file)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
        }
    }

    /** True when {@code file} (a POSIX file) can be read or written by its group or by other users. */
    public static boolean isAccessibleToOthers(Path file) throws IOException {
        if (!isPosix(file)) {
            return false;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
        return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.GROUP_WRITE)
                || perms.contains(PosixFilePermission.OTHERS_READ) || perms.contains(PosixFilePermission.OTHERS_WRITE);
    }

    private static FileAttribute<?>[] ownerOnlyFileAttributes(Path path) {
        return isPosix(path)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
                : new FileAttribute<?>[0];
    }

    private static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }
}
