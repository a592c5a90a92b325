package dev.keywarden.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** {@code admin.*}: the admin API listener. */
final class AdminSection {

    static final Setting LISTEN = Setting.of("admin.listen", "KEYWARDEN_ADMIN_LISTEN", "127.0.0.1:8788",
            "HOST:PORT of the admin API, or off; a taken default port only warns, a configured one stops start-up");
    static final Setting TLS_CERT = Setting.of("admin.tls.cert", "KEYWARDEN_ADMIN_TLS_CERT", null,
            "PEM certificate chain of the admin listener (HTTPS, TLS 1.2+, HTTP/2 by ALPN); needs admin.tls.key;"
                    + " re-read as server.tls.reload_interval says").shown("none: plain HTTP");
    static final Setting TLS_KEY = Setting.of("admin.tls.key", "KEYWARDEN_ADMIN_TLS_KEY", null,
            "PEM private key of the admin listener's certificate").shown("none");
    static final List<Setting> SETTINGS = List.of(LISTEN, TLS_CERT, TLS_KEY);

    private AdminSection() {
    }

    static AdminConfig parse(Values values) {
        return parse(values, Path.of(""));
    }

    static AdminConfig parse(Values values, Path workingDir) {
        Optional<TlsConfig> tls = TlsConfig.parse(values, TLS_CERT, TLS_KEY, ServerSection.reloadInterval(values), workingDir);
        if (values.get(LISTEN).strip().equalsIgnoreCase("off")) {
            return new AdminConfig(Optional.empty(), true, tls);
        }
        return new AdminConfig(Optional.of(values.read(LISTEN, HostPort::parse)), values.isGiven(LISTEN), tls);
    }
}
