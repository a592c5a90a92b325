package dev.keywarden.config;

import java.util.List;
import java.util.Optional;

/** {@code admin.*}: the admin API listener. */
final class AdminSection {

    static final Setting LISTEN = Setting.of("admin.listen", "KEYWARDEN_ADMIN_LISTEN", "127.0.0.1:8788",
            "HOST:PORT of the admin API, or off; a taken default port only warns, a configured one stops start-up");
    static final List<Setting> SETTINGS = List.of(LISTEN);

    private AdminSection() {
    }

    static AdminConfig parse(Values values) {
        if (values.get(LISTEN).strip().equalsIgnoreCase("off")) {
            return new AdminConfig(Optional.empty(), true);
        }
        return new AdminConfig(Optional.of(values.read(LISTEN, HostPort::parse)), values.isGiven(LISTEN));
    }
}
