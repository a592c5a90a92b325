package dev.keywarden.pipeline;

/**
 * Token usage of one upstream call, as reported by the upstream response.
 *
 * <p>Counts are {@code 0} when the response did not report them; {@code model} and
 * {@code stopReason} are {@code null} when absent. {@link #EMPTY} stands for "nothing reported"
 * (an error response, or a stream cut before {@code message_start}).
 */
public record Usage(long inputTokens, long outputTokens, long cacheCreationInputTokens,
                    long cacheReadInputTokens, String model, String stopReason) {

    public static final Usage EMPTY = new Usage(0, 0, 0, 0, null, null);

    /** Input tokens including cache writes and reads: the total the model was billed for as input. */
    public long totalInputTokens() {
        return inputTokens + cacheCreationInputTokens + cacheReadInputTokens;
    }
}
