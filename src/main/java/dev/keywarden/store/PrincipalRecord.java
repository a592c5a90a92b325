package dev.keywarden.store;

/**
 * One row of {@code principals}: a user, team or app that owns virtual keys. Holds no secret.
 * {@code kind} is user|team|app, {@code state} active|suspended, {@code teamId} null when the
 * principal belongs to no team. Times are epoch milliseconds.
 */
public record PrincipalRecord(String id, String name, String kind, String tier, String state, String teamId,
                              long createdAt, long updatedAt) {
}
