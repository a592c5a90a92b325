package dev.keywarden.pipeline;

/** A dependency whose health decides {@code /readyz} (the store, the upstream, Redis), registered with the pipeline. */
public interface Readiness {

    /** Short stable name shown in the readiness body, e.g. {@code store}. */
    String name();

    /** Whether the dependency can serve right now; must answer within about a second. */
    boolean ready();

    /**
     * Why it is not ready, in one line safe to show to anyone who can reach {@code /readyz} (no key,
     * id, host name or secret); empty when there is nothing to add to "unavailable".
     */
    default String reason() {
        return "";
    }
}
