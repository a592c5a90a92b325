package dev.keywarden.vault;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Records every security event the gateway logs (logger {@code keywarden.security}, written by
 * {@code LoggingSecurityEvents}) with the {@link System#nanoTime()} at which it was logged. The
 * appender runs synchronously on the thread that records the event, so an event's time is after
 * the state change it reports took effect in the gateway.
 */
final class SecurityEventTimes extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    /** One logged event: its time, whether it was an alert, and the formatted line. */
    record Logged(long nanos, boolean alert, String line) {
        String type() {
            String s = alert ? line.substring("ALERT ".length()) : line;
            int space = s.indexOf(' ');
            return space < 0 ? s : s.substring(0, space);
        }

        String subject() {
            String[] parts = (alert ? line.substring("ALERT ".length()) : line).split(" ", 3);
            return parts.length > 1 ? parts[1] : "";
        }
    }

    private final List<Logged> events = new CopyOnWriteArrayList<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger("keywarden.security");

    private SecurityEventTimes() {
    }

    static SecurityEventTimes begin() {
        SecurityEventTimes times = new SecurityEventTimes();
        times.setContext(times.logger.getLoggerContext());
        times.setName("security-event-times");
        times.start();
        times.logger.addAppender(times);
        return times;
    }

    @Override
    protected void append(ILoggingEvent event) {
        String line = event.getFormattedMessage();
        events.add(new Logged(System.nanoTime(), line.startsWith("ALERT "), line));
    }

    List<Logged> all() {
        return List.copyOf(events);
    }

    List<Logged> ofType(String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    /** The first event of {@code type} about {@code subject}. */
    Optional<Logged> first(String type, String subject) {
        return events.stream().filter(e -> e.type().equals(type) && e.subject().equals(subject)).findFirst();
    }

    /** Waits up to {@code seconds} for an event of {@code type} about {@code subject}. */
    Logged await(String type, String subject, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            Optional<Logged> e = first(type, subject);
            if (e.isPresent()) {
                return e.get();
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no " + type + " event for " + subject + " within " + seconds + " s; have " + all());
    }

    @Override
    public void close() {
        logger.detachAppender(this);
        stop();
    }
}
