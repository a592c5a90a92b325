package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import java.time.Instant;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A principal calling from a client address it has not used before: during
 * {@code new_address_learning} after the principal's first call its addresses are only learned;
 * afterwards an unknown address raises an alert (and is then learned). Memory is bounded:
 * {@code new_address_memory} addresses per principal (least recently used forgotten first), so an
 * address unused for long may be reported again.
 */
final class NewAddressDetector implements Detector {

    static final String NAME = "new_address";

    private static final class Known {
        final Instant firstSeen;
        final BoundedMap<String, Boolean> addresses;

        Known(Instant firstSeen, int memory) {
            this.firstSeen = firstSeen;
            this.addresses = new BoundedMap<>(memory);
        }
    }

    private final AnomalyConfig.NewAddress config;
    private final BoundedMap<String, Known> principals;

    NewAddressDetector(AnomalyConfig.NewAddress config, int maxSubjects) {
        this.config = config;
        this.principals = new BoundedMap<>(maxSubjects);
    }

    @Override
    public void observe(Observation o, Consumer<Alert> alerts) {
        if (o.principal() == null || o.clientAddress() == null || o.status() == 401) {
            return;
        }
        Known known = principals.getOrCreate(o.principal(), k -> new Known(o.at(), config.memory()));
        if (known.addresses.get(o.clientAddress()) != null) {
            return;
        }
        boolean learning = o.at().isBefore(known.firstSeen.plus(config.learning()));
        if (!learning) {
            alerts.accept(new Alert(NAME, Detector.principal(o.principal()), o.at(), Map.of(
                    "client_address", o.clientAddress(),
                    "known_addresses", Integer.toString(known.addresses.size())), o.credentialId()));
        }
        known.addresses.put(o.clientAddress(), Boolean.TRUE);
    }
}
