package dev.keywarden.users;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.format.ChecksummedFormat;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.store.Database;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Local user accounts: add, list, disable, enable, reset a password, delete, and password sign-in.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>every user is a principal of kind user (created with the user, or an existing unclaimed user principal of the
 *       same name), so tiers, limits, budgets, suspension and audit apply to it;</li>
 *   <li>passwords meet {@link PasswordPolicy}, are stored only as Argon2id hashes ({@link PasswordHasher}) and never
 *       appear in a message, log line or security event;</li>
 *   <li>{@link #signIn} gives one answer for an unknown user, a wrong password, a disabled account or a suspended
 *       principal, after the same Argon2id work, and counts the failure against the username and the address
 *       ({@link LoginThrottle});</li>
 *   <li>a password reset, a disable and a delete revoke every session of the user at once;</li>
 *   <li>each change is a security event naming the user id and who made it.</li>
 * </ul>
 */
public final class UserService {

    private static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._@+\\-]{0,63}");
    private static final String ID_PREFIX = "usr_";

    private final UserStore store;
    private final PrincipalService principals;
    private final PasswordHasher hasher;
    private final PasswordPolicy policy;
    private final SessionService sessions;
    private final LoginThrottle throttle;
    private final SecurityEvents events;
    private final Clock clock;

    public UserService(Database database, PrincipalService principals, PasswordHasher hasher, PasswordPolicy policy,
                       SessionService sessions, LoginThrottle throttle, SecurityEvents events, Clock clock) {
        this.store = new UserStore(database);
        this.principals = Objects.requireNonNull(principals, "principals");
        this.hasher = Objects.requireNonNull(hasher, "hasher");
        this.policy = Objects.requireNonNull(policy, "policy");
        this.sessions = Objects.requireNonNull(sessions, "sessions");
        this.throttle = Objects.requireNonNull(throttle, "throttle");
        this.events = Objects.requireNonNull(events, "events");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** What a new account is made of; {@code tier} null means the default tier, {@code issuer}/{@code subject} an OIDC link. */
    public record NewUser(String username, String displayName, Role role, String tier, String issuer, String subject) {
        public NewUser {
            Objects.requireNonNull(role, "role");
            if ((issuer == null) != (subject == null)) {
                throw new IllegalArgumentException("an OIDC identity needs both its issuer and its subject");
            }
        }
    }

    /**
     * Adds a user. {@code password} may be null only when the user is linked to an OIDC identity (it then signs in
     * only through the identity provider).
     *
     * @throws IllegalArgumentException for a bad or taken username, a weak password, an unknown tier, or a principal
     *                                  of that name that is not an unclaimed user principal
     */
    public User add(NewUser spec, char[] password, String by) {
        String username = validUsername(spec.username());
        if (password == null && spec.issuer() == null) {
            throw new IllegalArgumentException("a password is required (or link the user to an OIDC identity)");
        }
        if (password != null) {
            policy.check(password, username);
        }
        if (store.findByUsername(username).isPresent()) {
            throw new IllegalArgumentException("a user named " + username + " already exists (see: keywarden users list)");
        }
        if (spec.issuer() != null && store.findByIdentity(spec.issuer(), spec.subject()).isPresent()) {
            throw new IllegalArgumentException("that OIDC identity is already linked to another user");
        }
        Principal principal = principalFor(username, spec.tier());
        long now = clock.millis();
        String hash = password == null ? null : hasher.hash(password);
        UserStore.Row row = new UserStore.Row(ID_PREFIX + ChecksummedFormat.randomBase62(16), username,
                cleanDisplayName(spec.displayName()), spec.role(), principal.id(), hash, null, now, now, null);
        store.insert(row, spec.issuer(), spec.subject());
        events.record(SecurityEvent.of("user.created", row.id(), details("username", username, "role", spec.role().wireName(),
                "principal", principal.id(), "by", by, "oidc_issuer", spec.issuer())));
        return row.toUser();
    }

    private Principal principalFor(String username, String tier) {
        Optional<Principal> existing = principals.find(username);
        if (existing.isEmpty()) {
            return principals.create(username, Principal.Kind.USER, tier, null);
        }
        Principal p = existing.get();
        if (p.kind() != Principal.Kind.USER || store.principalTaken(p.id())) {
            throw new IllegalArgumentException("a principal named " + username + " already exists (" + p.kind().wireName()
                    + (p.kind() == Principal.Kind.USER ? ", held by another user" : "") + "); choose another username");
        }
        return tier == null || tier.isBlank() ? p : principals.setTier(p.id(), tier);
    }

    /** Every user, oldest first. */
    public List<User> list() {
        return store.list().stream().map(UserStore.Row::toUser).toList();
    }

    /** The user with this id ({@code usr_…}) or username. */
    public Optional<User> find(String idOrUsername) {
        return findRow(idOrUsername).map(UserStore.Row::toUser);
    }

    private Optional<UserStore.Row> findRow(String idOrUsername) {
        if (idOrUsername == null || idOrUsername.isBlank()) {
            return Optional.empty();
        }
        String v = idOrUsername.strip();
        Optional<UserStore.Row> r = v.startsWith(ID_PREFIX) ? store.findById(v) : Optional.empty();
        return r.or(() -> store.findByUsername(v.toLowerCase(Locale.ROOT)));
    }

    /** The user linked to OIDC identity ({@code issuer}, {@code subject}). */
    public Optional<User> findByIdentity(String issuer, String subject) {
        return store.findByIdentity(issuer, subject).map(UserStore.Row::toUser);
    }

    /** Disables a user: it can no longer sign in, and every session of it ends at once. */
    public User disable(String idOrUsername, String by) {
        UserStore.Row r = require(idOrUsername);
        store.setDisabled(r.id(), clock.millis(), clock.millis());
        events.record(SecurityEvent.of("user.disabled", r.id(), details("by", by)));
        sessions.revokeAll(r.id(), "user_disabled");
        return require(r.id()).toUser();
    }

    /** Lets a disabled user sign in again. */
    public User enable(String idOrUsername, String by) {
        UserStore.Row r = require(idOrUsername);
        store.setDisabled(r.id(), null, clock.millis());
        events.record(SecurityEvent.of("user.enabled", r.id(), details("by", by)));
        return require(r.id()).toUser();
    }

    /** Sets a new password (policy-checked); every session of the user ends at once. */
    public User resetPassword(String idOrUsername, char[] password, String by) {
        UserStore.Row r = require(idOrUsername);
        policy.check(password, r.username());
        store.setPasswordHash(r.id(), hasher.hash(password), clock.millis());
        events.record(SecurityEvent.of("user.password_reset", r.id(), details("by", by)));
        sessions.revokeAll(r.id(), "password_changed");
        return require(r.id()).toUser();
    }

    /** Changes a user's role. */
    public User setRole(String idOrUsername, Role role, String by) {
        UserStore.Row r = require(idOrUsername);
        if (r.role() != role) {
            store.setRole(r.id(), role, clock.millis());
            events.record(SecurityEvent.of("user.role_changed", r.id(), details("role", role.wireName(), "by", by)));
        }
        return require(r.id()).toUser();
    }

    /**
     * Deletes a user and its OIDC links, ends its sessions and suspends its principal (which stays, with its history
     * and any keys, for the audit trail).
     */
    public User delete(String idOrUsername, String by) {
        UserStore.Row r = require(idOrUsername);
        sessions.revokeAll(r.id(), "user_deleted");
        store.delete(r.id());
        principals.find(r.principalId()).filter(p -> !p.suspended()).ifPresent(p -> principals.suspend(p.id()));
        events.record(SecurityEvent.of("user.deleted", r.id(), details("username", r.username(), "by", by)));
        return r.toUser();
    }

    /** Links OIDC identity ({@code issuer}, {@code subject}) to an existing user. */
    public void linkIdentity(String idOrUsername, String issuer, String subject, String by) {
        UserStore.Row r = require(idOrUsername);
        if (store.findByIdentity(issuer, subject).isPresent()) {
            throw new IllegalArgumentException("that OIDC identity is already linked to a user");
        }
        store.linkIdentity(issuer, subject, r.id(), clock.millis());
        events.record(SecurityEvent.of("user.identity_linked", r.id(), details("oidc_issuer", issuer, "by", by)));
    }

    /**
     * Checks a username and password. One answer ({@link SignInResult.Refused}) for every bad credential, after the
     * same Argon2id work; a failure counts against the username and {@code clientAddress}.
     */
    public SignInResult signIn(String username, char[] password, String clientAddress) {
        String clean = username == null ? "" : username.strip().toLowerCase(Locale.ROOT);
        long locked = throttle.lockedForSeconds(clean, clientAddress);
        if (locked > 0) {
            events.record(SecurityEvent.of("user.sign_in_throttled", clientAddress == null ? "-" : clientAddress,
                    details("retry_after_seconds", Long.toString(locked))));
            return new SignInResult.Throttled(locked);
        }
        Optional<UserStore.Row> row = USERNAME.matcher(clean).matches() ? store.findByUsername(clean) : Optional.empty();
        String reason;
        if (row.isEmpty() || row.get().passwordHash() == null) {
            hasher.verifyDummy(password == null ? new char[0] : password);
            reason = row.isEmpty() ? "unknown_user" : "no_password";
        } else if (!hasher.verify(password == null ? new char[0] : password, row.get().passwordHash())) {
            reason = "wrong_password";
        } else if (row.get().disabledAt() != null) {
            reason = "disabled";
        } else if (principals.current(row.get().principalId()).map(Principal::suspended).orElse(true)) {
            reason = "principal_suspended";
        } else {
            reason = null;
        }
        if (reason != null) {
            throttle.failed(clean, clientAddress);
            events.record(SecurityEvent.of("user.sign_in_failed", clientAddress == null ? "-" : clientAddress,
                    details("reason", reason, "user", row.map(UserStore.Row::id).orElse(null))));
            return new SignInResult.Refused(reason);
        }
        UserStore.Row r = row.get();
        if (hasher.needsRehash(r.passwordHash())) {
            store.setPasswordHash(r.id(), hasher.hash(password), clock.millis());
        }
        store.recordLogin(r.id(), clock.millis());
        return new SignInResult.Success(require(r.id()).toUser());
    }

    /**
     * Creates a user for an OIDC identity seen for the first time (just-in-time creation): the username is
     * {@code usernameHint} cleaned up, with a numeric suffix when taken.
     */
    public User createForIdentity(String issuer, String subject, String usernameHint, String displayName, Role role, String tier) {
        String base = usernameFrom(usernameHint, subject);
        for (int i = 1; i <= 100; i++) {
            String candidate = i == 1 ? base : trimTo(base, 60) + "-" + i;
            if (store.findByUsername(candidate).isPresent() || principals.find(candidate).isPresent()) {
                continue;
            }
            return add(new NewUser(candidate, displayName, role, tier, issuer, subject), null, "oidc");
        }
        throw new IllegalStateException("no free username for this identity; add the user by hand (keywarden users add --oidc-subject)");
    }

    /** Records a sign-in through OIDC (last login time). */
    public void recordLogin(String userId) {
        store.recordLogin(userId, clock.millis());
    }

    /** The principal service users belong to (tiers). */
    public PrincipalService principals() {
        return principals;
    }

    public SessionService sessions() {
        return sessions;
    }

    private UserStore.Row require(String idOrUsername) {
        return findRow(idOrUsername).orElseThrow(() -> new NoSuchUserException(idOrUsername));
    }

    /** No user has the given id or username. */
    public static final class NoSuchUserException extends IllegalArgumentException {
        public NoSuchUserException(String idOrUsername) {
            super("no user has id or username " + shown(idOrUsername) + " (see: keywarden users list)");
        }
    }

    static String validUsername(String raw) {
        if (raw == null || raw.isBlank()) {
            throw new IllegalArgumentException("a username is required");
        }
        String u = raw.strip().toLowerCase(Locale.ROOT);
        if (!USERNAME.matcher(u).matches()) {
            throw new IllegalArgumentException("a username has 1 to 64 characters: lower-case letters, digits and . _ @ + -,"
                    + " starting with a letter or digit");
        }
        if (u.startsWith("kw_") || u.startsWith("sk-ant-")) {
            throw new IllegalArgumentException("a username must not look like a key");
        }
        return u;
    }

    private static String usernameFrom(String hint, String subject) {
        String h = hint == null ? "" : hint.strip().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._@+\\-]", "-")
                .replaceAll("^[^a-z0-9]+", "");
        if (h.isEmpty() || h.startsWith("kw_") || h.startsWith("sk-ant-")) {
            h = "oidc-" + subject.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        }
        return trimTo(h.isEmpty() ? "oidc-user" : h, 64);
    }

    private static String trimTo(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n);
    }

    private static String cleanDisplayName(String raw) {
        if (raw == null || raw.isBlank()) {
            return null;
        }
        String s = raw.strip().replaceAll("\\p{Cntrl}", " ");
        return s.length() > 200 ? s.substring(0, 200) : s;
    }

    private static String shown(String raw) {
        if (raw == null) {
            return "";
        }
        String s = raw.strip();
        return s.length() > 64 || s.startsWith("sk-ant-") || s.startsWith("kw_") ? "(not shown)" : s.replaceAll("\\p{Cntrl}", "?");
    }

    private static Map<String, String> details(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < kv.length; i += 2) {
            if (kv[i + 1] != null) {
                m.put(kv[i], kv[i + 1]);
            }
        }
        return m;
    }
}
