package dev.keywarden.upstream.fake;

import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpFields;

/** The answers of the error scenarios: exact statuses, bodies and headers. */
final class ScenarioErrors {

    static final String BAD_GATEWAY_HTML = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
            + "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>fake-load-balancer</center>\r\n</body>\r\n</html>\r\n";

    private ScenarioErrors() {
    }

    /** The error a scenario stands for, as an Anthropic error (bad_gateway_html maps to api_error). */
    static ApiError errorFor(Scenario scenario) {
        return switch (scenario) {
            case RATE_LIMIT -> new ApiError(429, "rate_limit_error",
                    "This request would exceed your organization's rate limit (simulated by the fake upstream). Please try again later.");
            case OVERLOADED -> new ApiError(529, "overloaded_error", "Overloaded");
            case SERVER_ERROR -> new ApiError(500, "api_error", "Internal server error");
            case BAD_GATEWAY_HTML -> new ApiError(502, "api_error", "Bad gateway");
            default -> throw new IllegalArgumentException("scenario " + scenario.wireName() + " is not an error scenario");
        };
    }

    /** The full HTTP answer of an error scenario. */
    static Reply.Full reply(Scenario scenario, String requestId) {
        return switch (scenario) {
            case BAD_GATEWAY_HTML ->
                    new Reply.Full(502, Reply.HTML, BAD_GATEWAY_HTML.getBytes(StandardCharsets.UTF_8), HttpFields.EMPTY);
            case RATE_LIMIT -> Reply.error(errorFor(scenario), requestId, RateLimitHeaders.exhausted());
            default -> Reply.error(errorFor(scenario), requestId);
        };
    }
}
