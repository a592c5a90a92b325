/**
 * Files only their owner can read ({@link dev.keywarden.files.PrivateFiles}): the one place that
 * creates the data directory, the database file, key-encryption keys and the server secret with
 * owner-only permissions. It imports nothing from Keywarden, so every package that writes a
 * private file (store, vault, auth) can use it without depending on another.
 */
package dev.keywarden.files;
