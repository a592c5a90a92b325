package dev.keywarden.pipeline;

/**
 * Chooses the {@link ResponseFilter} over the body of a successful {@link Route#MESSAGES} response
 * (the output guard). Without one the relay is byte for byte.
 */
@FunctionalInterface
public interface OutputFilter {

    /** No output filtering. */
    OutputFilter NONE = (identity, contentType, report) -> null;

    /**
     * The filter for a successful response of {@code contentType} to {@code identity}, or null when
     * that output is not filtered. Decisions go into {@code report}.
     */
    ResponseFilter forResponse(ClientIdentity identity, String contentType, GuardReport report);
}
