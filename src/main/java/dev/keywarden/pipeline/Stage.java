package dev.keywarden.pipeline;

/**
 * One step of the {@link Pipeline}. Stages run in the order the composition lists them, on the
 * request's thread (a virtual thread: a stage may block briefly on a store or on Redis).
 *
 * <p>A stage refuses the call by throwing {@link Refusal}; the pipeline writes that refusal (its
 * headers included), reports the call and stops. A stage that answers the call itself (a local
 * endpoint) or hands it to the upstream relay returns {@code true}: no later stage runs. Any other
 * exception is a fault: the pipeline refuses with 500 {@code api_error} and logs its class.
 */
@FunctionalInterface
public interface Stage {

    /** @return true when this stage took the call over (answered or forwarded it) */
    boolean run(ExchangeState call);
}
