package dev.keywarden.upstream.fake;

import java.util.ArrayList;
import java.util.List;

/**
 * Every SSE frame of one streamed answer, already encoded, in the real API's order:
 * {@code message_start}, {@code content_block_start}, {@code ping}, the {@code text_delta}s,
 * {@code content_block_stop}, {@code message_delta} (cumulative usage), {@code message_stop}. A tool
 * call is one more block after the text (or the only one, when {@code tool_choice} forced it):
 * {@code content_block_start} with the {@code tool_use} and an empty input, {@code input_json_delta}s
 * (an empty one first, as the real API sends), {@code content_block_stop}.
 * Scenarios add frames ({@code pings}, {@code unknown_event}), change the bytes (see
 * {@link SseEncoder}) or end early ({@code mid_stream_error}: three deltas, then an
 * {@code error} event).
 *
 * @param frames             what to write, one flush per frame
 * @param deltaIntervalNanos pause before each delta after the first (0 for none)
 */
record StreamPlan(List<Frame> frames, long deltaIntervalNanos) {

    static final int DELTAS_BEFORE_MID_STREAM_ERROR = 3;
    static final long SLOW_INTERVAL_NANOS = 25_000_000L;
    static final int JSON_PIECE = 24;

    /**
     * One encoded event.
     *
     * @param bytes       the event's bytes
     * @param delta       true for a content_block_delta (paced)
     * @param messageStop true for the final message_stop
     */
    record Frame(byte[] bytes, boolean delta, boolean messageStop) {
    }

    StreamPlan {
        frames = List.copyOf(frames);
    }

    static StreamPlan of(String messageId, String model, int inputTokens, SimulatedReply reply, Scenario scenario,
                         int tokensPerSecond) {
        SseEncoder enc = new SseEncoder(scenario);
        List<Frame> frames = new ArrayList<>(reply.pieces().size() * (scenario == Scenario.PINGS ? 2 : 1) + 8);
        frames.add(plain(enc.encode("message_start", MessageJson.messageStart(messageId, model, inputTokens), false)));
        if (scenario == Scenario.UNKNOWN_EVENT) {
            frames.add(unknown(enc));
        }
        ToolCall tool = reply.toolUse();
        boolean textBlock = !reply.pieces().isEmpty() || tool == null;
        if (textBlock) {
            frames.add(plain(enc.encode("content_block_start", MessageJson.CONTENT_BLOCK_START, false)));
            frames.add(plain(enc.encode("ping", MessageJson.PING, false)));
            List<String> pieces = reply.pieces();
            for (int i = 0; i < pieces.size(); i++) {
                if (scenario == Scenario.MID_STREAM_ERROR && i == DELTAS_BEFORE_MID_STREAM_ERROR) {
                    break;
                }
                if (i > 0 && scenario == Scenario.PINGS) {
                    frames.add(plain(enc.encode("ping", MessageJson.PING, false)));
                }
                if (i == 1 && scenario == Scenario.UNKNOWN_EVENT) {
                    frames.add(unknown(enc));
                }
                frames.add(delta(enc, MessageJson.textDelta(pieces.get(i))));
            }
            if (scenario == Scenario.MID_STREAM_ERROR) {
                frames.add(plain(enc.encode("error", MessageJson.OVERLOADED_EVENT, true)));
                return new StreamPlan(frames, interval(scenario, tokensPerSecond));
            }
            frames.add(plain(enc.encode("content_block_stop", MessageJson.CONTENT_BLOCK_STOP, false)));
        }
        if (tool != null) {
            int index = textBlock ? 1 : 0;
            frames.add(plain(enc.encode("content_block_start", MessageJson.toolUseBlockStart(index, tool), false)));
            if (!textBlock) {
                frames.add(plain(enc.encode("ping", MessageJson.PING, false)));
            }
            frames.add(delta(enc, MessageJson.inputJsonDelta(index, "")));
            for (String part : jsonPieces(tool.inputJson())) {
                frames.add(delta(enc, MessageJson.inputJsonDelta(index, part)));
            }
            frames.add(plain(enc.encode("content_block_stop", MessageJson.contentBlockStop(index), false)));
        }
        frames.add(plain(enc.encode("message_delta",
                MessageJson.messageDelta(reply.stopReason(), inputTokens, reply.outputTokens()), false)));
        if (scenario == Scenario.UNKNOWN_EVENT) {
            frames.add(unknown(enc));
        }
        frames.add(new Frame(enc.encode("message_stop", MessageJson.MESSAGE_STOP, true), false, true));
        return new StreamPlan(frames, interval(scenario, tokensPerSecond));
    }

    /**
     * A tool input cut into {@code partial_json} pieces of about {@value #JSON_PIECE} characters, as the
     * real API streams it; never between the two halves of a surrogate pair.
     */
    static List<String> jsonPieces(String json) {
        List<String> out = new ArrayList<>(json.length() / JSON_PIECE + 1);
        int at = 0;
        while (at < json.length()) {
            int end = Math.min(json.length(), at + JSON_PIECE);
            if (end < json.length() && Character.isLowSurrogate(json.charAt(end))) {
                end++;
            }
            out.add(json.substring(at, end));
            at = end;
        }
        return out;
    }

    private static long interval(Scenario scenario, int tokensPerSecond) {
        if (scenario == Scenario.SLOW) {
            return SLOW_INTERVAL_NANOS;
        }
        return tokensPerSecond > 0 ? 1_000_000_000L / tokensPerSecond : 0;
    }

    private static Frame plain(byte[] bytes) {
        return new Frame(bytes, false, false);
    }

    private static Frame delta(SseEncoder enc, String json) {
        return new Frame(enc.encode("content_block_delta", json, false), true, false);
    }

    private static Frame unknown(SseEncoder enc) {
        return plain(enc.encode(MessageJson.UNKNOWN_EVENT_TYPE, MessageJson.UNKNOWN_EVENT, false));
    }
}
