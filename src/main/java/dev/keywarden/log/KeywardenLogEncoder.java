package dev.keywarden.log;

import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Locale;

/**
 * The log encoder of {@code logback.xml}: text lines through the configured pattern (with the
 * redacting {@code %rmsg} / {@code %rex} converters), or, with {@code format=json}
 * ({@code KEYWARDEN_LOG_FORMAT=json}), one JSON object per line:
 * {@code {"ts","level","logger","thread","message","exception"?}}.
 *
 * <p>Guarantee: in both formats the message and the stack trace pass through {@link Redactor}
 * (no key shape, {@code kw_} credential or credential header value survives) and one event is
 * exactly one line — CR, LF and other control characters are escaped, so a client-supplied value
 * cannot forge a log line. An unknown format falls back to text with a warning.
 */
public final class KeywardenLogEncoder extends PatternLayoutEncoder {

    private static final JsonFactory JSON = new JsonFactory();
    private String format = "text";
    private boolean json;

    /** {@code text} (default) or {@code json}, case-insensitive. */
    public void setFormat(String format) {
        this.format = format == null ? "text" : format.strip();
    }

    @Override
    public void start() {
        String f = format.isEmpty() ? "text" : format.toLowerCase(Locale.ROOT);
        if (!f.equals("text") && !f.equals("json")) {
            addWarn("log format '" + Redactor.redact(format) + "' is not text or json (KEYWARDEN_LOG_FORMAT); using text");
            f = "text";
        }
        json = f.equals("json");
        super.start();
    }

    /** Whether events are written as JSON lines. */
    public boolean json() {
        return json;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        return json ? jsonLine(event) : super.encode(event);
    }

    static byte[] jsonLine(ILoggingEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("ts", Instant.ofEpochMilli(event.getTimeStamp()).toString());
            g.writeStringField("level", event.getLevel().toString());
            g.writeStringField("logger", event.getLoggerName());
            g.writeStringField("thread", Redactor.forLog(event.getThreadName()));
            g.writeStringField("message", Redactor.forLog(event.getFormattedMessage()));
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                g.writeStringField("exception", redactTrace(ThrowableProxyUtil.asString(thrown)));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** Each line of a trace redacted on its own; lines joined with a real newline, which JSON escapes. */
    private static String redactTrace(String trace) {
        StringBuilder sb = new StringBuilder(trace.length());
        for (String line : trace.split("\r?\n", -1)) {
            if (!sb.isEmpty()) {
                sb.append('\n');
            }
            sb.append(Redactor.forLog(line));
        }
        return sb.toString().stripTrailing();
    }
}
