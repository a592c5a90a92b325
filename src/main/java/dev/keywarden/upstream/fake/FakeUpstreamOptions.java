package dev.keywarden.upstream.fake;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link FakeUpstream} listens and behaves. Immutable; the {@code with…} methods return a
 * copy with one setting changed.
 *
 * <p>Guarantee: an instance always holds usable values. The constructor refuses a blank host or
 * key, a port outside 0–65535 (0 picks a free port), a negative latency and a negative token rate,
 * with a message naming the setting. The API key never appears in {@link #toString()}.
 *
 * @param host            address to bind, e.g. {@code 127.0.0.1}
 * @param port            TCP port, 0 for an ephemeral one
 * @param apiKey          the only {@code x-api-key} the fake accepts
 * @param latency         delay before the first byte of every response ({@link Duration#ZERO} for none)
 * @param tokensPerSecond pace of streamed text deltas; 0 means as fast as possible
 */
public record FakeUpstreamOptions(String host, int port, String apiKey, Duration latency, int tokensPerSecond) {

    public FakeUpstreamOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(apiKey, "apiKey");
        Objects.requireNonNull(latency, "latency");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host must not be blank");
        }
        if (apiKey.isBlank()) {
            throw new IllegalArgumentException("apiKey must not be blank");
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("port must be between 0 and 65535 but was " + port);
        }
        if (latency.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative but was " + latency);
        }
        if (tokensPerSecond < 0) {
            throw new IllegalArgumentException("tokensPerSecond must be 0 (unlimited) or more but was " + tokensPerSecond);
        }
    }

    /** 127.0.0.1, an ephemeral port, no latency, unlimited speed. */
    public static FakeUpstreamOptions defaults(String apiKey) {
        return new FakeUpstreamOptions("127.0.0.1", 0, apiKey, Duration.ZERO, 0);
    }

    /**
     * A new random, obviously fake key ({@code sk-ant-fake-} + 32 base62 characters from a secure
     * source) for when the operator gives none.
     */
    public static String randomApiKey() {
        return Ids.fakeApiKey();
    }

    public FakeUpstreamOptions withHost(String newHost) {
        return new FakeUpstreamOptions(newHost, port, apiKey, latency, tokensPerSecond);
    }

    public FakeUpstreamOptions withPort(int newPort) {
        return new FakeUpstreamOptions(host, newPort, apiKey, latency, tokensPerSecond);
    }

    public FakeUpstreamOptions withLatency(Duration newLatency) {
        return new FakeUpstreamOptions(host, port, apiKey, newLatency, tokensPerSecond);
    }

    public FakeUpstreamOptions withTokensPerSecond(int newTokensPerSecond) {
        return new FakeUpstreamOptions(host, port, apiKey, latency, newTokensPerSecond);
    }

    @Override
    public String toString() {
        return "FakeUpstreamOptions[host=" + host + ", port=" + port + ", apiKey=[redacted], latency=" + latency
                + ", tokensPerSecond=" + tokensPerSecond + "]";
    }
}
