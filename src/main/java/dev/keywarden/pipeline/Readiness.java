package dev.keywarden.pipeline;

/** A dependency whose health decides {@code /readyz} (the store, the upstream, Redis, the provider keys), registered with the pipeline. */
public interface Readiness {

    /** Short stable name shown in the readiness body, e.g. {@code store}. */
    String name();

    /** Whether the dependency can serve right now; must answer within about a second. */
    boolean ready();

    /**
     * Why the dependency is not ready, shown in the {@code /readyz} body (which any client can read): a
     * short sentence naming no secret and no internal host. Asked only after {@link #ready()} said false;
     * empty when there is nothing more to say than "unavailable".
     */
    default String reason() {
        return "";
    }
}
