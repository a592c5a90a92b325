package dev.keywarden.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Keeps back the bytes that would let the client see a relayed response complete until the call's
 * record has reached the observers (and, in strict audit mode, is committed), and lets everything
 * else through as it arrives.
 * <ul>
 *   <li>(Strict audit mode.) An event stream is complete for a client at its {@code message_stop} event: everything after
 *       the {@code event: message_stop} line is held (the client needs the blank line that ends the
 *       event to see it). A stream without that event completes with its last chunk, which is written
 *       after the record anyway.</li>
 *   <li>A body of known length is complete at its last byte: that byte is held.</li>
 * </ul>
 * The relay writes {@link #release} with its last write, once the record is committed. Not
 * thread-safe: one per response, fed in order by the relay's callbacks.
 */
final class CompletionHold {

    /** Holds nothing (a chunked body, which ends with the relay's last write anyway). */
    static final CompletionHold NONE = new CompletionHold(-1);

    private static final byte[] STOP_EVENT = "event:message_stop".getBytes(StandardCharsets.US_ASCII);
    private static final int AFTER_COLON = "event:".length();

    /** Body bytes still to come before the held last byte; -1 for an event stream or {@link #NONE}. */
    private long remaining;
    private final boolean eventStream;
    private boolean holding;
    private static final byte[] NOTHING = new byte[0];
    private byte[] held = NOTHING;
    private int heldLength;
    // event-stream matching, across chunks
    private boolean lineStart = true;
    private int matched;
    private boolean spaceSkipped;

    private CompletionHold(long remaining) {
        this(remaining, false);
    }

    private CompletionHold(long remaining, boolean eventStream) {
        this.remaining = remaining;
        this.eventStream = eventStream;
    }

    static CompletionHold eventStream() {
        return new CompletionHold(-1, true);
    }

    /** Holds the last byte of a body of {@code contentLength} bytes. */
    static CompletionHold lastByteOf(long contentLength) {
        return contentLength > 0 ? new CompletionHold(contentLength) : NONE;
    }

    /**
     * The part of {@code out} to write now: {@code out} itself, a slice of it (sharing its memory), or
     * an empty buffer. Whatever is held is copied, so {@code out} may be released afterwards.
     */
    ByteBuffer admit(ByteBuffer out) {
        if (this == NONE) {
            return out;
        }
        if (holding) {
            keep(out, out.position());
            return out.slice(out.position(), 0);
        }
        int start = out.position();
        int end = out.limit();
        int holdFrom = eventStream ? afterStopLine(out, start, end) : afterAllButLast(end - start, start);
        if (holdFrom < 0) {
            return out;
        }
        holding = true;
        keep(out, holdFrom);
        return out.slice(start, holdFrom - start);
    }

    /** The held bytes followed by {@code tail} (the filter's rest, or nothing): what the last write sends. */
    ByteBuffer release(ByteBuffer tail) {
        if (heldLength == 0) {
            return tail;
        }
        ByteBuffer all = ByteBuffer.allocate(heldLength + tail.remaining());
        all.put(held, 0, heldLength).put(tail.duplicate()).flip();
        return all;
    }

    /** Index in {@code out} from which to hold, for a body of known length; -1 when this chunk does not end it. */
    private int afterAllButLast(int n, int start) {
        if (n < remaining) {
            remaining -= n;
            return -1;
        }
        int holdFrom = start + (int) remaining - 1;
        remaining = 0;
        return holdFrom;
    }

    /** Index just after an {@code event: message_stop} line name in {@code [start, end)}; -1 when there is none. */
    private int afterStopLine(ByteBuffer out, int start, int end) {
        for (int i = start; i < end; i++) {
            byte b = out.get(i);
            if (matched == AFTER_COLON && b == ' ' && !spaceSkipped) {
                spaceSkipped = true;
                continue;
            }
            if ((matched > 0 || lineStart) && b == STOP_EVENT[matched]) {
                matched++;
                lineStart = false;
                if (matched == STOP_EVENT.length) {
                    return i + 1;
                }
                continue;
            }
            matched = 0;
            spaceSkipped = false;
            lineStart = b == '\n' || b == '\r';
        }
        return -1;
    }

    private void keep(ByteBuffer out, int from) {
        int n = out.limit() - from;
        if (n <= 0) {
            return;
        }
        if (heldLength + n > held.length) {
            held = Arrays.copyOf(held, Math.max(heldLength + n, held.length * 2));
        }
        out.get(from, held, heldLength, n);
        heldLength += n;
    }
}
