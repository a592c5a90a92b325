package dev.keywarden.audit.anomaly;

import java.util.function.Consumer;

/**
 * One anomaly detector. Called on the single detector thread only, so implementations keep plain
 * (unsynchronised) state, bounded by {@link BoundedMap}. They report every time their condition
 * holds; the monitor de-duplicates.
 */
interface Detector {

    /** Learns from {@code o} and reports an alert to {@code alerts} when it is anomalous. */
    void observe(Observation o, Consumer<Alert> alerts);

    static String principal(String name) {
        return "principal:" + name;
    }

    static String providerKey(String fingerprint) {
        return "provider_key:" + fingerprint;
    }

    static String clientAddress(String address) {
        return "client_address:" + address;
    }
}
