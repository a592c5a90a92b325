package dev.keywarden.config;

import java.util.List;

/** {@code server.*}: limits of the client-facing listener. */
final class ServerSection {

    static final Setting MAX_BODY = Setting.of("server.max_body_bytes", "KEYWARDEN_MAX_BODY_BYTES", "32MB",
            "largest request body accepted (larger gets 413 without being read); at least 1KB");
    static final Setting MAX_HEADER = Setting.of("server.max_header_bytes", "KEYWARDEN_MAX_HEADER_BYTES", "16KB",
            "largest request header block (larger gets 431); 1KB to 1MB");
    static final Setting IDLE_TIMEOUT = Setting.of("server.idle_timeout", "KEYWARDEN_IDLE_TIMEOUT", "30s",
            "a client that sends or reads nothing for this long is cut off");
    static final List<Setting> SETTINGS = List.of(MAX_BODY, MAX_HEADER, IDLE_TIMEOUT);

    private ServerSection() {
    }

    static ServerConfig parse(Values values) {
        long maxBody = values.read(MAX_BODY, raw -> atLeast1KB(Values.bytes(raw)));
        long maxHeader = values.read(MAX_HEADER, raw -> atLeast1KB(Values.bytes(raw)));
        if (maxHeader > 1024 * 1024) {
            throw Values.error(MAX_HEADER, "must be at most 1MB");
        }
        return new ServerConfig(maxBody, (int) maxHeader, values.read(IDLE_TIMEOUT, Values::positiveDuration));
    }

    private static long atLeast1KB(long value) {
        if (value < 1024) {
            throw new IllegalArgumentException("must be at least 1KB");
        }
        return value;
    }
}
