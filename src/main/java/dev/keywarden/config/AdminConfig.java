package dev.keywarden.config;

import java.util.Optional;

/**
 * The admin API listener.
 *
 * @param listen   where it listens; empty when disabled ({@code admin.listen: off})
 * @param explicit whether the operator chose the address (then failing to bind stops start-up;
 *                 the default address only produces a warning when taken)
 * @param tls      TLS of the admin listener ({@code admin.tls.*}); empty: plain HTTP
 */
public record AdminConfig(Optional<HostPort> listen, boolean explicit, Optional<TlsConfig> tls) {

    /** An admin listener without TLS. */
    public AdminConfig(Optional<HostPort> listen, boolean explicit) {
        this(listen, explicit, Optional.empty());
    }
}
