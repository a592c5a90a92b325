package dev.keywarden.gateway.meter;

import dev.keywarden.pipeline.Usage;
import java.nio.ByteBuffer;

/** Picks the {@link UsageMeter} for a response by its content type. */
public final class UsageMeters {

    private static final UsageMeter NONE = new UsageMeter() {
        @Override
        public void feed(ByteBuffer chunk) {
        }

        @Override
        public Usage finish() {
            return Usage.EMPTY;
        }
    };

    private UsageMeters() {
    }

    /** SSE for {@code text/event-stream}, JSON for {@code application/json}, otherwise one that reports nothing. */
    public static UsageMeter forResponse(String contentType) {
        if (contentType == null) {
            return NONE;
        }
        if (contentType.regionMatches(true, 0, "text/event-stream", 0, 17)) {
            return new SseUsageMeter();
        }
        if (contentType.regionMatches(true, 0, "application/json", 0, 16)) {
            return new JsonUsageMeter();
        }
        return NONE;
    }
}
