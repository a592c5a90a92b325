package dev.keywarden.gateway;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Strict audit: the bytes that would let a client see a response complete wait for the record. */
class CompletionHoldTest {

    static final String STREAM = "event: message_start\ndata: {\"type\":\"message_start\"}\n\n"
            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\"}\n\n"
            + "event: message_delta\ndata: {\"type\":\"message_delta\"}\n\n"
            + "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";

    /** Feeds {@code text} in chunks of {@code size}; returns what was written at once. */
    static String feed(CompletionHold hold, String text, int size) {
        StringBuilder written = new StringBuilder();
        byte[] all = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < all.length; i += size) {
            ByteBuffer chunk = ByteBuffer.wrap(all, i, Math.min(size, all.length - i));
            ByteBuffer out = hold.admit(chunk);
            written.append(StandardCharsets.UTF_8.decode(out.duplicate()));
        }
        return written.toString();
    }

    static String released(CompletionHold hold) {
        return StandardCharsets.UTF_8.decode(hold.release(ByteBuffer.allocate(0))).toString();
    }

    @Test
    void anEventStreamIsWrittenUpToTheMessageStopLineWhateverTheChunking() {
        String before = STREAM.substring(0, STREAM.indexOf("event: message_stop") + "event: message_stop".length());
        for (int size : new int[]{1, 2, 3, 7, 16, 64, STREAM.length()}) {
            CompletionHold hold = CompletionHold.eventStream();
            assertThat(feed(hold, STREAM, size)).as("chunks of %d", size).isEqualTo(before);
            assertThat(before + released(hold)).isEqualTo(STREAM);
        }
    }

    @Test
    void anEventStreamWithCrlfLineEndsAndNoSpaceIsHeldToo() {
        String stream = STREAM.replace("\n", "\r\n").replace("event: message_stop", "event:message_stop");
        CompletionHold hold = CompletionHold.eventStream();
        String written = feed(hold, stream, 5);
        assertThat(written).endsWith("event:message_stop").doesNotContain("\"type\":\"message_stop\"");
        assertThat(written + released(hold)).isEqualTo(stream);
    }

    @Test
    void textThatMerelyMentionsMessageStopIsNotTheEvent() {
        String stream = "event: content_block_delta\ndata: {\"text\":\"event: message_stop\"}\n\n";
        CompletionHold hold = CompletionHold.eventStream();
        assertThat(feed(hold, stream, 4)).isEqualTo(stream);
        assertThat(released(hold)).isEmpty();
    }

    @Test
    void aBodyOfKnownLengthHasItsLastByteHeld() {
        String json = "{\"type\":\"message\",\"content\":[]}";
        for (int size : new int[]{1, 5, json.length() - 1, json.length()}) {
            CompletionHold hold = CompletionHold.lastByteOf(json.length());
            assertThat(feed(hold, json, size)).as("chunks of %d", size).isEqualTo(json.substring(0, json.length() - 1));
            assertThat(released(hold)).isEqualTo("}");
        }
    }

    @Test
    void theHeldBytesGoOutBeforeWhatAFilterStillHad() {
        CompletionHold hold = CompletionHold.lastByteOf(3);
        assertThat(feed(hold, "abc", 3)).isEqualTo("ab");
        ByteBuffer last = hold.release(ByteBuffer.wrap("de".getBytes(StandardCharsets.UTF_8)));
        assertThat(StandardCharsets.UTF_8.decode(last).toString()).isEqualTo("cde");
    }

    @Test
    void noneHoldsNothing() {
        assertThat(feed(CompletionHold.NONE, STREAM, 10)).isEqualTo(STREAM);
        assertThat(released(CompletionHold.NONE)).isEmpty();
    }
}
