package dev.keywarden.vault;

import java.util.Optional;

/** A single provider key from the environment or the config file, used for every route. */
public final class StaticProviderKeys implements ProviderKeys {

    private final Optional<ProviderKey> key;

    public StaticProviderKeys(ProviderKey key) {
        this.key = Optional.of(key);
    }

    @Override
    public Optional<ProviderKey> select(String route) {
        return key;
    }

    @Override
    public String describe() {
        return "1 key from " + key.get().id() + " (" + key.get().fingerprint() + ")";
    }
}
