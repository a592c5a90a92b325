package dev.keywarden.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.keywarden.store.Database;
import dev.keywarden.store.PrincipalRecord;
import dev.keywarden.store.PrincipalStore;
import dev.keywarden.store.StoreException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Creates, lists and changes principals (users, teams, apps) and answers "who is this principal
 * now" on the request path.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #current} reads the store at most once per principal per {@link #CURRENT_TTL} (1 second)
 *       in each process, so a suspension or tier change made by any process sharing the database
 *       applies to the next request after at most one second, and at once in the process that made it;</li>
 *   <li>names are unique; a principal is found by id ({@code pr_…}) or by name;</li>
 *   <li>a tier is accepted only when {@code knownTier} accepts it (the tiers of the configuration);</li>
 *   <li>store failures surface as {@link StoreException}; callers on the request path fail closed.</li>
 * </ul>
 */
public final class PrincipalService {

    /** How long a principal read on the request path is reused. */
    public static final Duration CURRENT_TTL = Duration.ofSeconds(1);
    static final int NAME_MAX_LENGTH = 100;
    private static final Pattern TIER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
    private static final String ID_PREFIX = "pr_";

    private final PrincipalStore store;
    private final Clock clock;
    private final String defaultTier;
    private final Predicate<String> knownTier;
    private final Cache<String, Optional<Principal>> current;

    /**
     * @param defaultTier tier of principals made implicitly (a virtual key created for a new name)
     * @param knownTier   which tier names may be assigned
     */
    public PrincipalService(Database database, String defaultTier, Predicate<String> knownTier) {
        this(new PrincipalStore(database), Clock.systemUTC(), Ticker.systemTicker(), defaultTier, knownTier);
    }

    PrincipalService(PrincipalStore store, Clock clock, Ticker ticker, String defaultTier, Predicate<String> knownTier) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.defaultTier = Objects.requireNonNull(defaultTier, "defaultTier");
        this.knownTier = Objects.requireNonNull(knownTier, "knownTier");
        this.current = Caffeine.newBuilder().maximumSize(100_000).expireAfterWrite(CURRENT_TTL).ticker(ticker).build();
    }

    /** Accepts any well-formed tier name (lower-case letters, digits, - and _): for tools that have no configuration. */
    public static Predicate<String> anyWellFormedTier() {
        return t -> TIER_NAME.matcher(t).matches();
    }

    /**
     * Creates a principal.
     *
     * @param team id or name of a principal of kind team, or null
     * @throws IllegalArgumentException for a bad or taken name, an unknown tier, or a team that is not a team
     */
    public Principal create(String name, Principal.Kind kind, String tier, String team) {
        String cleanName = validName(name);
        Objects.requireNonNull(kind, "kind");
        String cleanTier = validTier(tier == null ? defaultTier : tier);
        String teamId = null;
        if (team != null && !team.isBlank()) {
            Principal t = find(team).orElseThrow(() -> new IllegalArgumentException("no principal has id or name " + team.strip()
                    + "; create the team first (keywarden principals create --kind team --name ...)"));
            if (t.kind() != Principal.Kind.TEAM) {
                throw new IllegalArgumentException("principal " + t.name() + " is a " + t.kind().wireName() + ", not a team");
            }
            teamId = t.id();
        }
        if (store.findByName(cleanName).isPresent()) {
            throw new IllegalArgumentException("a principal named " + cleanName + " already exists (see: keywarden principals list)");
        }
        long now = clock.millis();
        PrincipalRecord r = new PrincipalRecord(ID_PREFIX + VirtualKeyFormat.randomBase62(14), cleanName, kind.wireName(),
                cleanTier, Principal.State.ACTIVE.wireName(), teamId, now, now);
        store.insert(r);
        return toPrincipal(r);
    }

    /**
     * The principal named {@code name}, created as an app on the default tier when none exists: what a
     * virtual key created without an explicit principal belongs to.
     */
    public Principal findOrCreateForKeyName(String name) {
        String clean = validName(name);
        Optional<PrincipalRecord> existing = store.findByName(clean);
        if (existing.isPresent()) {
            return toPrincipal(existing.get());
        }
        try {
            return create(clean, Principal.Kind.APP, defaultTier, null);
        } catch (IllegalArgumentException | StoreException raced) {
            return store.findByName(clean).map(PrincipalService::toPrincipal).orElseThrow(() -> raced);
        }
    }

    /** The principal with this id ({@code pr_…}) or name. */
    public Optional<Principal> find(String idOrName) {
        if (idOrName == null || idOrName.isBlank()) {
            return Optional.empty();
        }
        String v = idOrName.strip();
        Optional<PrincipalRecord> r = v.startsWith(ID_PREFIX) ? store.findById(v) : Optional.empty();
        return r.or(() -> store.findByName(v)).map(PrincipalService::toPrincipal);
    }

    /** Every principal, oldest first. */
    public List<Principal> list() {
        return store.list().stream().map(PrincipalService::toPrincipal).toList();
    }

    /** The principal as of at most one second ago (see class notes); empty when it does not exist. */
    public Optional<Principal> current(String id) {
        return current.get(id, k -> store.findById(k).map(PrincipalService::toPrincipal));
    }

    /** Moves a principal to {@code tier}; takes effect on its next request. */
    public Principal setTier(String idOrName, String tier) {
        Principal p = require(idOrName);
        store.updateTier(p.id(), validTier(tier), clock.millis());
        current.invalidate(p.id());
        return require(p.id());
    }

    /** Suspends a principal: every key of it is refused from its next request on (within a second everywhere). */
    public Principal suspend(String idOrName) {
        return setState(idOrName, Principal.State.SUSPENDED);
    }

    /** Lifts a suspension. */
    public Principal resume(String idOrName) {
        return setState(idOrName, Principal.State.ACTIVE);
    }

    private Principal setState(String idOrName, Principal.State state) {
        Principal p = require(idOrName);
        store.updateState(p.id(), state.wireName(), clock.millis());
        current.invalidate(p.id());
        return require(p.id());
    }

    private Principal require(String idOrName) {
        return find(idOrName).orElseThrow(() -> new NoSuchPrincipalException(idOrName));
    }

    /** No principal has the given id or name. */
    public static final class NoSuchPrincipalException extends IllegalArgumentException {
        NoSuchPrincipalException(String idOrName) {
            super("no principal has id or name " + (idOrName == null ? "" : Principal.safe(idOrName).replace("'", ""))
                    + " (see: keywarden principals list)");
        }
    }

    public String defaultTier() {
        return defaultTier;
    }

    private String validTier(String tier) {
        String t = tier == null ? "" : tier.strip().toLowerCase(java.util.Locale.ROOT);
        if (!TIER_NAME.matcher(t).matches() || !knownTier.test(t)) {
            throw new IllegalArgumentException("unknown tier " + Principal.safe(tier)
                    + "; use free, pro, enterprise or a tier defined under tiers.<name> in the configuration");
        }
        return t;
    }

    private static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a principal needs a name (the user, team or app it stands for)");
        }
        String clean = name.strip();
        if (clean.length() > NAME_MAX_LENGTH) {
            throw new IllegalArgumentException("a principal name has at most " + NAME_MAX_LENGTH + " characters (this one has "
                    + clean.length() + ")");
        }
        if (clean.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("a principal name must not contain control characters");
        }
        if (clean.startsWith("sk-ant-") || clean.startsWith(VirtualKeyFormat.PREFIX)) {
            throw new IllegalArgumentException("a principal name must not look like a key");
        }
        return clean;
    }

    private static Principal toPrincipal(PrincipalRecord r) {
        return new Principal(r.id(), r.name(), Principal.Kind.parse(r.kind()), r.tier(), Principal.State.parse(r.state()),
                r.teamId(), Instant.ofEpochMilli(r.createdAt()));
    }
}
