package dev.keywarden.admin;

import dev.keywarden.audit.LoggingSecurityEvents;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.format.AdminTokenFormat;
import dev.keywarden.format.ChecksummedFormat;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;
import dev.keywarden.store.Jdbc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.MessageDigest;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Admin API tokens ({@code kwadm_}, see {@link AdminTokenFormat}): created with a role and an optional
 * expiry, listed, revoked, and checked on every admin request.
 *
 * <p>Guarantees: a token is stored only as the HMAC of the server secret, looked up by that hash and
 * compared in constant time; its plaintext exists only in {@link Created#token()}. A revoked or expired
 * token is refused at once on every process sharing the store (nothing is cached). Creating and revoking
 * a token records a security event naming the token's id, never the token. The last-use time is written
 * at most once a minute per token, so a Prometheus scrape does not write on every call. A store failure
 * surfaces as {@link dev.keywarden.store.StoreException}: callers fail closed.
 */
public final class AdminTokens {

    static final String PREFIX = AdminTokenFormat.PREFIX;
    static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);
    static final int NAME_MAX_LENGTH = 100;

    private static final Logger LOG = LoggerFactory.getLogger(AdminTokens.class);
    private static final HexFormat HEX = HexFormat.of();
    private static final String COLUMNS = "id, name, prefix, role, created_at, expires_at, last_used_at, revoked_at, token_hash";

    /** What a token may do. */
    public enum Role {
        /** GET endpoints and {@code /metrics} only: for dashboards and Prometheus. */
        READ,
        /** Every endpoint. */
        ADMIN;

        /** The name in the store, the API and the CLI: {@code read} or {@code admin}. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether a request with HTTP {@code method} is allowed: a read token may only GET (or HEAD). */
        public boolean permits(String method) {
            return this == ADMIN || "GET".equals(method) || "HEAD".equals(method);
        }

        /** {@code read} or {@code admin} (any case); anything else is an {@link IllegalArgumentException} naming both. */
        public static Role parse(String text) {
            String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
            return switch (t) {
                case "read" -> READ;
                case "admin" -> ADMIN;
                default -> throw new IllegalArgumentException("role must be read (GET endpoints and /metrics) or admin"
                        + " (everything), got '" + (t.length() > 20 ? t.substring(0, 20) + "…" : t) + "'");
            };
        }
    }

    /** A token just created; the only place its plaintext exists. {@link #toString()} leaves it out. */
    public record Created(String id, String token, String prefix, Role role, Instant expiresAt) {
        @Override
        public String toString() {
            return "Created[id=" + id + ", prefix=" + prefix + ", role=" + role.wireName() + ", expiresAt=" + expiresAt + ", token=hidden]";
        }
    }

    /**
     * What may be shown about a token: never the token or its hash. {@code prefix} is null for tokens
     * created before prefixes were recorded; {@code expiresAt}, {@code lastUsedAt} and {@code revokedAt}
     * are null when not set or never happened.
     */
    public record Info(String id, String name, String prefix, Role role, Instant createdAt, Instant expiresAt,
                       Instant lastUsedAt, Instant revokedAt) {

        /** {@code active}, {@code expired} or {@code revoked} at {@code now}. */
        public String state(Instant now) {
            if (revokedAt != null) {
                return "revoked";
            }
            return expiresAt != null && !now.isBefore(expiresAt) ? "expired" : "active";
        }

        /** A JSON-ready view with ISO-8601 times, as the admin API and {@code admin list-tokens --json} show it. */
        public Map<String, Object> toMap(Instant now) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", id);
            m.put("name", name);
            m.put("prefix", prefix);
            m.put("role", role.wireName());
            m.put("created_at", text(createdAt));
            m.put("expires_at", text(expiresAt));
            m.put("last_used_at", text(lastUsedAt));
            m.put("revoked_at", text(revokedAt));
            m.put("state", state(now));
            return m;
        }

        private static String text(Instant t) {
            return t == null ? null : t.toString();
        }
    }

    /** The outcome of checking a presented token. */
    public sealed interface Check {
        /** The token is current; {@code token} says who it is and what it may do. */
        record Valid(Info token) implements Check { }

        /** Refused; {@code message} never contains the presented value. */
        record Refused(String message) implements Check { }
    }

    static final String MISSING_OR_UNKNOWN = "admin API: send an admin token in the Authorization header as a Bearer token"
            + " (create one with: keywarden admin create-token --name NAME)";

    private final Database db;
    private final ServerSecret secret;
    private final SecurityEvents events;
    private final Clock clock;

    /** Tokens in {@code db}; events go to the log (as other CLI operations' events do). */
    public AdminTokens(Database db, ServerSecret secret) {
        this(db, secret, new LoggingSecurityEvents(), Clock.systemUTC());
    }

    public AdminTokens(Database db, ServerSecret secret, SecurityEvents events, Clock clock) {
        this.db = Objects.requireNonNull(db, "db");
        this.secret = Objects.requireNonNull(secret, "secret");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Creates an admin-role token that never expires and returns it; it is not retrievable afterwards. */
    public String create(String name) {
        return create(name, Role.ADMIN, null, "cli").token();
    }

    /**
     * Creates a token.
     *
     * @param expiresIn how long it stays valid; null for no expiry
     * @param by        who asked, for the security event ({@code cli}, {@code admin-api:adm_…})
     * @throws IllegalArgumentException for a blank or over-long name, a name with control characters,
     *                                  or a non-positive expiry
     */
    public Created create(String name, Role role, Duration expiresIn, String by) {
        String cleanName = validName(name);
        Objects.requireNonNull(role, "role");
        if (expiresIn != null && (expiresIn.isNegative() || expiresIn.isZero())) {
            throw new IllegalArgumentException("an admin token's expiry must be in the future");
        }
        String token = AdminTokenFormat.generate();
        String id = "adm_" + ChecksummedFormat.randomBase62(14);
        String prefix = AdminTokenFormat.displayPrefix(token);
        long now = clock.millis();
        Long expiresAt = expiresIn == null ? null : now + expiresIn.toMillis();
        db.jdbc().update("store the admin token " + id,
                "INSERT INTO admin_tokens (id, name, token_hash, created_at, role, prefix, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                id, cleanName, hash(token), now, role.wireName(), prefix, Jdbc.nullableLong(expiresAt));
        Map<String, String> details = new LinkedHashMap<>();
        details.put("name", cleanName);
        details.put("prefix", prefix);
        details.put("role", role.wireName());
        details.put("expires_at", expiresAt == null ? "never" : Instant.ofEpochMilli(expiresAt).toString());
        details.put("by", by);
        events.record(SecurityEvent.of("admin_token.created", id, details));
        return new Created(id, token, prefix, role, expiresAt == null ? null : Instant.ofEpochMilli(expiresAt));
    }

    private static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an admin token needs a name saying who or what it is for");
        }
        String clean = name.strip();
        if (clean.length() > NAME_MAX_LENGTH) {
            throw new IllegalArgumentException("an admin token name has at most " + NAME_MAX_LENGTH + " characters");
        }
        if (clean.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("an admin token name must not contain control characters (tabs, line breaks)");
        }
        if (clean.startsWith(PREFIX) || clean.startsWith("kw_") || clean.startsWith("sk-ant-")) {
            throw new IllegalArgumentException("an admin token name must not look like a key or token");
        }
        return clean;
    }

    /** Every token, oldest first. */
    public List<Info> list() {
        return query("list admin tokens", "SELECT " + COLUMNS + " FROM admin_tokens ORDER BY created_at, id").stream()
                .map(Row::info).toList();
    }

    /** The token with this id ({@code adm_…}) or display prefix ({@code kwadm_} + 8 characters), if exactly one matches. */
    public Optional<Info> find(String idOrPrefix) {
        List<Row> rows = lookup(idOrPrefix);
        if (rows.size() > 1) {
            throw new IllegalArgumentException("prefix " + idOrPrefix.strip() + " matches " + rows.size()
                    + " admin tokens; name one by id instead (see: keywarden admin list-tokens)");
        }
        return rows.stream().findFirst().map(Row::info);
    }

    /**
     * Revokes the token with this id or display prefix; refused at once everywhere. Revoking a token
     * already revoked keeps its first revocation time.
     *
     * @param by who asked, for the security event
     * @return true when a matching token exists (and is now revoked); false when none matches
     * @throws IllegalArgumentException when the argument is blank or a prefix matches several tokens
     */
    public boolean revoke(String idOrPrefix, String by) {
        Optional<Info> found = find(idOrPrefix);
        if (found.isEmpty()) {
            return false;
        }
        String id = found.get().id();
        int changed = db.jdbc().update("revoke the admin token " + id,
                "UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", clock.millis(), id);
        if (changed > 0) {
            events.record(SecurityEvent.of("admin_token.revoked", id, Map.of("name", found.get().name(), "by", by)));
        }
        return true;
    }

    /** Whether {@code presented} is a current (not revoked, not expired) admin token. */
    public boolean verify(String presented) {
        return check(presented) instanceof Check.Valid;
    }

    /**
     * Checks a presented token and records its use. A malformed value is refused without touching the store.
     *
     * @throws dev.keywarden.store.StoreException when the store cannot be read
     */
    public Check check(String presented) {
        if (presented == null || !presented.startsWith(PREFIX) || presented.length() > 100) {
            return new Check.Refused(MISSING_OR_UNKNOWN);
        }
        String h = hash(presented);
        List<Row> rows = query("check an admin token", "SELECT " + COLUMNS + " FROM admin_tokens WHERE token_hash = ?", h);
        if (rows.isEmpty() || !MessageDigest.isEqual(rows.getFirst().hash.getBytes(), h.getBytes())) {
            return new Check.Refused(MISSING_OR_UNKNOWN);
        }
        Info info = rows.getFirst().info();
        Instant now = clock.instant();
        if (info.revokedAt() != null) {
            return new Check.Refused("admin API: this admin token was revoked; create a new one with: keywarden admin create-token");
        }
        if (info.expiresAt() != null && !now.isBefore(info.expiresAt())) {
            return new Check.Refused("admin API: this admin token expired at " + info.expiresAt()
                    + "; create a new one with: keywarden admin create-token");
        }
        recordUse(info, now);
        return new Check.Valid(info);
    }

    /** Writes the last-use time when the stored one is older than {@link #LAST_USED_RESOLUTION}; a failure only logs. */
    private void recordUse(Info info, Instant now) {
        if (info.lastUsedAt() != null && info.lastUsedAt().plus(LAST_USED_RESOLUTION).isAfter(now)) {
            return;
        }
        try {
            db.jdbc().update("record when admin token " + info.id() + " was last used",
                    "UPDATE admin_tokens SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
                    now.toEpochMilli(), info.id(), now.toEpochMilli());
        } catch (RuntimeException e) {
            LOG.warn("could not record when admin token {} was last used: {}", info.id(), e.getClass().getSimpleName());
        }
    }

    private List<Row> lookup(String idOrPrefix) {
        if (idOrPrefix == null || idOrPrefix.isBlank()) {
            throw new IllegalArgumentException("give an admin token id (adm_…) or prefix (kwadm_ and 8 more characters)");
        }
        String value = idOrPrefix.strip();
        if (value.startsWith(PREFIX) && value.length() > AdminTokenFormat.DISPLAY_PREFIX_LENGTH) {
            return query("look up an admin token", "SELECT " + COLUMNS + " FROM admin_tokens WHERE token_hash = ?", hash(value));
        }
        if (value.startsWith(PREFIX)) {
            return query("look up admin tokens by prefix", "SELECT " + COLUMNS + " FROM admin_tokens WHERE prefix = ?"
                    + " ORDER BY created_at, id", value);
        }
        return query("look up an admin token", "SELECT " + COLUMNS + " FROM admin_tokens WHERE id = ?", value);
    }

    private record Row(Info info, String hash) { }

    private List<Row> query(String operation, String sql, String... parameters) {
        return db.jdbc().query(operation, sql, rs -> new Row(new Info(rs.getString(1), rs.getString(2), rs.getString(3),
                Role.parse(rs.getString(4)), Instant.ofEpochMilli(rs.getLong(5)), instant(rs, 6), instant(rs, 7), instant(rs, 8)),
                rs.getString(9)), (Object[]) parameters);
    }

    private static Instant instant(ResultSet rs, int index) throws SQLException {
        Long value = Jdbc.getNullableLong(rs, index);
        return value == null ? null : Instant.ofEpochMilli(value);
    }

    private String hash(String token) {
        return HEX.formatHex(secret.hmac(token));
    }
}
