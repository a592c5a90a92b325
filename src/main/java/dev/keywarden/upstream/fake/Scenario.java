package dev.keywarden.upstream.fake;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Named misbehaviours of the fake upstream, chosen per request with the header
 * {@code x-fake-scenario: NAME} or by starting the last user message with {@code fake:NAME}.
 *
 * <p>Guarantee: every name in the wire contract of the fake has exactly one constant here and
 * {@link #parse} refuses an unknown name with a message listing the known ones.
 */
enum Scenario {
    /** The ordinary answer. */
    NONE,
    /** 429 rate_limit_error with {@code retry-after: 7} and rate-limit headers. */
    RATE_LIMIT,
    /** 529 overloaded_error. */
    OVERLOADED,
    /** 500 api_error. */
    SERVER_ERROR,
    /** 502 with an HTML body, as a broken load balancer would send. */
    BAD_GATEWAY_HTML,
    /** A stream that sends a few deltas, then an {@code error} event, then ends. */
    MID_STREAM_ERROR,
    /** A stream with CRLF line ends. */
    CRLF,
    /** A stream with bare CR line ends. */
    CR,
    /** A stream whose every data JSON is padded with spaces. */
    PADDED,
    /** A stream whose data payloads are split over several {@code data:} lines. */
    MULTI_DATA,
    /** A stream with extra events of a type clients do not know. */
    UNKNOWN_EVENT,
    /** A stream whose last event lacks its blank line. */
    NO_FINAL_BLANK,
    /** A stream with a ping between every delta. */
    PINGS,
    /** A long answer: 200 deltas 25 ms apart. */
    SLOW,
    /** Reads the request and never answers until the client or the fake goes away. */
    HANG,
    /** About 1 MB of text. */
    BIG,
    /**
     * When tools are offered and the last user message is not a tool result: a short text, then a
     * {@code tool_use} block (stop reason {@code tool_use}). In the text marker, the words after
     * {@code fake:tool_use} may name the tool and give its input as a JSON object
     * ({@code fake:tool_use Read {"file_path":"/tmp/a.txt"}}); otherwise the first tool is called with
     * a minimal input matching its {@code input_schema}.
     */
    TOOL_USE;

    static final String HEADER = "x-fake-scenario";
    static final String TEXT_PREFIX = "fake:";

    /** The wire name, e.g. {@code rate_limit}. */
    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True for scenarios that answer with an error status instead of a message. */
    boolean isErrorStatus() {
        return this == RATE_LIMIT || this == OVERLOADED || this == SERVER_ERROR || this == BAD_GATEWAY_HTML;
    }

    /** The scenario with this wire name; {@code where} says where the name came from, for the error. */
    static Scenario parse(String name, String where) {
        for (Scenario s : values()) {
            if (s != NONE && s.wireName().equals(name)) {
                return s;
            }
        }
        throw ApiError.invalidRequest("unknown fake scenario '" + Echo.safe(name, 40) + "' in " + where + "; known scenarios: "
                + Arrays.stream(values()).filter(s -> s != NONE).map(Scenario::wireName).collect(Collectors.joining(", ")));
    }
}
