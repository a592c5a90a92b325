package dev.keywarden.store;

import dev.keywarden.log.Redactor;

/**
 * The embedded store could not do what was asked. The message names the database (its file for
 * SQLite) and the operation, and never contains a key, a hash or any other secret: callers treat it
 * as "cannot decide" and fail closed.
 */
public final class StoreException extends RuntimeException {

    StoreException(String message, Throwable cause) {
        super(Redactor.redact(message), cause);
    }

    /** A short, secret-free description of {@code cause} for the end of an error message. */
    static String reason(Throwable cause) {
        if (cause == null) {
            return "unknown error";
        }
        if (cause instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (cause instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        if (cause instanceof java.nio.file.FileAlreadyExistsException) {
            return "a file is in the way";
        }
        if (cause instanceof java.nio.file.NoSuchFileException) {
            return "no such file or directory";
        }
        String message = cause.getMessage();
        return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
    }
}
