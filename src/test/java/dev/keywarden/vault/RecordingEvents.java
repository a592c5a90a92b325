package dev.keywarden.vault;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.audit.SecurityEvents;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Test sink that keeps every security event in order. */
class RecordingEvents implements SecurityEvents {
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void record(SecurityEvent event) {
        events.add(event);
    }

    List<String> types() {
        return events.stream().map(SecurityEvent::type).toList();
    }

    List<SecurityEvent> ofType(String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }
}
