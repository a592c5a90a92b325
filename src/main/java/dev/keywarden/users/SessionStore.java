package dev.keywarden.users;

import java.util.List;
import java.util.Optional;

/**
 * Where sessions and OIDC sign-ins in progress live: the database ({@link JdbcSessionStore}, {@code state: local})
 * or Redis ({@link RedisSessionStore}, {@code state: redis}), so that any instance serves any session and a
 * revocation takes effect on every instance at once (nothing is cached in a process).
 *
 * <p>Failures surface as runtime exceptions; callers fail closed (no session is assumed).
 */
public interface SessionStore {

    void insert(SessionRecord session);

    Optional<SessionRecord> findByTokenHash(String tokenHash);

    /** Records use of a session (extends its idle timeout); no effect when it is gone. */
    void touch(SessionRecord session, long now);

    /** Deletes the session with this token hash; true when it existed. */
    boolean deleteByTokenHash(String tokenHash);

    /** Deletes the session with this public id; the deleted session, if it existed. */
    Optional<SessionRecord> deleteById(String id);

    /** Deletes every session of {@code userId}; how many there were. */
    int deleteByUser(String userId);

    /** The sessions of {@code userId} (also ones past their idle timeout that are not yet swept). */
    List<SessionRecord> listByUser(String userId);

    /** Drops sessions whose absolute lifetime ended before {@code now} (Redis does this by itself). */
    void sweep(long now);

    void putPendingLogin(PendingLogin login);

    /** Removes and returns the sign-in in progress with this state hash: at most one caller ever gets it. */
    Optional<PendingLogin> takePendingLogin(String stateHash);
}
