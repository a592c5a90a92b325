package dev.keywarden.store;

import java.util.Locale;

/**
 * Life-cycle state of a stored provider key. Only {@link #ACTIVE} keys are selected for new calls;
 * {@link #DRAINING} keys still serve the calls already in flight on them; {@link #REVOKED} and
 * {@link #COMPROMISED} are final.
 *
 * <p>Allowed moves ({@link #canMoveTo}): pending → active | revoked; active → draining | revoked |
 * compromised | pending (rotation roll-back); draining → revoked | compromised | active (rotation
 * roll-back). Nothing leaves revoked or compromised.
 */
public enum ProviderKeyState {
    PENDING, ACTIVE, DRAINING, REVOKED, COMPROMISED;

    /** The stored name, e.g. {@code active}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether a key in this state may be moved to {@code next}. */
    public boolean canMoveTo(ProviderKeyState next) {
        return switch (this) {
            case PENDING -> next == ACTIVE || next == REVOKED;
            case ACTIVE -> next == DRAINING || next == REVOKED || next == COMPROMISED || next == PENDING;
            case DRAINING -> next == REVOKED || next == COMPROMISED || next == ACTIVE;
            case REVOKED, COMPROMISED -> false;
        };
    }

    /** True for the states a key never leaves. */
    public boolean isFinal() {
        return this == REVOKED || this == COMPROMISED;
    }

    /** Parses a stored name. */
    public static ProviderKeyState parse(String raw) {
        for (ProviderKeyState s : values()) {
            if (s.id().equals(raw)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown provider key state '" + raw
                + "'; expected pending, active, draining, revoked or compromised");
    }

    @Override
    public String toString() {
        return id();
    }
}
