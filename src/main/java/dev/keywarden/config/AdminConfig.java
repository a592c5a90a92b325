package dev.keywarden.config;

import java.util.Optional;

/**
 * The admin API listener.
 *
 * @param listen   where it listens; empty when disabled ({@code admin.listen: off})
 * @param explicit whether the operator chose the address (then failing to bind stops start-up;
 *                 the default address only produces a warning when taken)
 */
public record AdminConfig(Optional<HostPort> listen, boolean explicit) {
}
