package dev.keywarden.log;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/** Logback {@code %rmsg}: the formatted log message passed through {@link Redactor#forLog} (redacted, control characters escaped). */
public final class RedactingMessageConverter extends ClassicConverter {
    @Override
    public String convert(ILoggingEvent event) {
        return Redactor.forLog(event.getFormattedMessage());
    }
}
