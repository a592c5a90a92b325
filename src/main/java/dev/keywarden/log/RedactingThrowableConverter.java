package dev.keywarden.log;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback {@code %rex}: stack traces passed through {@link Redactor}, so an exception message
 * that carries a credential (from a library, say) still never reaches the log whole. Each line
 * is redacted separately so the trace keeps its line structure.
 */
public final class RedactingThrowableConverter extends ThrowableProxyConverter {
    @Override
    public String convert(ILoggingEvent event) {
        String trace = super.convert(event);
        if (trace.isEmpty()) {
            return trace;
        }
        StringBuilder sb = new StringBuilder(trace.length());
        for (String line : trace.split("\n", -1)) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(Redactor.forLog(line.replace("\r", "")));
        }
        return sb.toString();
    }
}
