package dev.keywarden.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.OutputStreamAppender;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Captures everything logged, formatted through the production layout (with its redacting
 * converters), so tests can grep the exact text an operator's log would hold. Optionally raises
 * every logger to DEBUG, where libraries print request headers.
 */
public final class LogCapture implements AutoCloseable {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final OutputStreamAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender = new OutputStreamAppender<>();
    private final Map<String, Level> previous = new HashMap<>();
    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

    private LogCapture(boolean debugEverything) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{0} - %rmsg%n%rex");
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setOutputStream(bytes);
        appender.setImmediateFlush(true);
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(appender);
        if (debugEverything) {
            for (Logger l : context.getLoggerList()) {
                if (l.getName().equals(Logger.ROOT_LOGGER_NAME)) {
                    continue;
                }
                previous.put(l.getName(), l.getLevel());
                l.setLevel(null);
            }
            previous.put(Logger.ROOT_LOGGER_NAME, root.getLevel());
            root.setLevel(Level.DEBUG);
        }
    }

    /** Captures at the configured levels. */
    public static LogCapture start() {
        return new LogCapture(false);
    }

    /** Captures with every logger at DEBUG (Jetty then logs request and response headers). */
    public static LogCapture startDebugEverything() {
        return new LogCapture(true);
    }

    public synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.detachAppender(appender);
        appender.stop();
        previous.forEach((name, level) -> context.getLogger(name).setLevel(level));
    }
}
