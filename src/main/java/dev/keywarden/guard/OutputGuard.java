package dev.keywarden.guard;

import dev.keywarden.config.GuardConfig;
import dev.keywarden.config.GuardConfig.Action;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.GuardReport;
import dev.keywarden.pipeline.OutputFilter;
import dev.keywarden.pipeline.ResponseFilter;
import java.util.Locale;

/**
 * The guard over model output: runs the secret detector over successful {@code /v1/messages}
 * responses, JSON ({@code content[].text}) and streamed ({@code text_delta}s, across delta
 * boundaries), to redact or flag. When output guarding is off for a call, {@link #filterFor}
 * returns null and the relay stays byte for byte.
 */
public final class OutputGuard implements OutputFilter {

    private final GuardConfig config;
    private final SecretDetector detector;

    public OutputGuard(GuardConfig config, SecretDetector detector) {
        this.config = config;
        this.detector = detector;
    }

    /** The filter for a response to {@code identity}: by the settings of its principal's tier. */
    @Override
    public ResponseFilter forResponse(ClientIdentity identity, String contentType, GuardReport report) {
        return filterFor(RequestGuard.tierOf(identity), contentType, report);
    }

    /**
     * A filter for a successful response of {@code contentType} to a principal of {@code tier}, or
     * null when its output is not guarded (or is neither JSON nor an event stream).
     */
    public ResponseFilter filterFor(String tier, String contentType, GuardReport report) {
        Action action = config.modeFor(tier).apply(config.secretsOutput());
        if (action == Action.OFF || action == Action.BLOCK || contentType == null) {
            return null;
        }
        String ct = contentType.toLowerCase(Locale.ROOT);
        boolean redact = action == Action.REDACT;
        if (ct.startsWith("text/event-stream")) {
            return new SseOutputFilter(detector, redact, report);
        }
        if (ct.startsWith("application/json")) {
            return new JsonOutputFilter(detector, redact, report);
        }
        return null;
    }
}
