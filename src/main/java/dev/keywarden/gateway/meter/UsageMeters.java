package dev.keywarden.gateway.meter;

import java.nio.ByteBuffer;

/** Temporary: replaced by the metering branch. */
public final class UsageMeters {
    private UsageMeters() {
    }

    public static UsageMeter forResponse(String contentType) {
        return new UsageMeter() {
            @Override
            public void feed(ByteBuffer chunk) {
            }

            @Override
            public Usage finish() {
                return Usage.EMPTY;
            }
        };
    }
}
