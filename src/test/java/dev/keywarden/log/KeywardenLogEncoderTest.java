package dev.keywarden.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.testing.TestKeys;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class KeywardenLogEncoderTest {

    private static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - %rmsg%n%rex";

    private static KeywardenLogEncoder encoder(String format) {
        LoggerContext context = new LoggerContext();
        context.putObject(ch.qos.logback.core.CoreConstants.PATTERN_RULE_REGISTRY, new java.util.HashMap<>(java.util.Map.of(
                "rmsg", RedactingMessageConverter.class.getName(), "rex", RedactingThrowableConverter.class.getName())));
        KeywardenLogEncoder encoder = new KeywardenLogEncoder();
        encoder.setContext(context);
        encoder.setFormat(format);
        encoder.setPattern(PATTERN);
        encoder.start();
        return encoder;
    }

    private static LoggingEvent event(String message, Throwable thrown, Object... args) {
        Logger logger = new LoggerContext().getLogger("dev.keywarden.pipeline.AccessLog");
        return new LoggingEvent(Logger.class.getName(), logger, Level.INFO, message, thrown, args);
    }

    private static String encode(KeywardenLogEncoder encoder, LoggingEvent event) {
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void aClientValueWithCrLfCannotForgeATextLogLine() {
        String out = encode(encoder("text"), event("user agent {}", null, "curl\r\nFAKE 00:00:00.000 INFO Admin - token issued"));
        assertThat(out.lines()).hasSize(1);
        assertThat(out).endsWith("\n").contains("curl\\r\\nFAKE 00:00:00.000 INFO");
    }

    @Test
    void otherControlCharactersAreEscapedInTextLogs() {
        String out = encode(encoder("text"), event("name {}", null, "a\u001b[2Kb\u0000c\u2028d\u0085e"));
        assertThat(out.lines()).hasSize(1);
        assertThat(out).contains("a\\u001b[2Kb\\u0000c\\u2028d\\u0085e").doesNotContain("\u001b").doesNotContain("\u0000");
    }

    @Test
    void forLogEscapesControlCharactersButKeepsTabsAndPlainText() {
        assertThat(Redactor.forLog("col1\tcol2 caf\u00e9")).isEqualTo("col1\tcol2 caf\u00e9");
        assertThat(Redactor.forLog("x\u007fy\r\nz")).isEqualTo("x\\u007fy\\r\\nz");
        assertThat(Redactor.forLog(null)).isNull();
    }

    @Test
    void jsonFormatWritesOneRedactedJsonObjectPerEvent() throws Exception {
        String key = TestKeys.canaryProviderKey();
        RuntimeException thrown = new IllegalStateException("upstream refused x-api-key: " + key);
        String out = encode(encoder("JSON"), event("calling with {} and\r\nFAKE line", thrown, key));
        assertThat(out).doesNotContain(key).doesNotContain(key.substring(20, 40));
        assertThat(out.lines()).hasSize(1);
        assertThat(out).endsWith("\n");
        JsonNode line = new ObjectMapper().readTree(out);
        assertThat(line.path("level").asText()).isEqualTo("INFO");
        assertThat(line.path("logger").asText()).isEqualTo("dev.keywarden.pipeline.AccessLog");
        assertThat(line.path("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
        assertThat(line.path("message").asText()).startsWith("calling with sk-ant-[redacted]").contains("and\\r\\nFAKE line");
        assertThat(line.path("exception").asText()).contains("IllegalStateException").contains("[redacted]")
                .contains("\n\tat ");
    }

    @Test
    void anUnknownFormatFallsBackToText() {
        KeywardenLogEncoder encoder = encoder("xml");
        assertThat(encoder.json()).isFalse();
        assertThat(encode(encoder, event("hello", null))).contains("INFO  AccessLog - hello");
    }

    @Test
    void logbackXmlSelectsJsonFromKeywardenLogFormat() throws Exception {
        String previous = System.getProperty("KEYWARDEN_LOG_FORMAT");
        System.setProperty("KEYWARDEN_LOG_FORMAT", "json");
        try {
            assertThat(configuredEncoder().json()).isTrue();
        } finally {
            if (previous == null) {
                System.clearProperty("KEYWARDEN_LOG_FORMAT");
            } else {
                System.setProperty("KEYWARDEN_LOG_FORMAT", previous);
            }
        }
        if (System.getenv("KEYWARDEN_LOG_FORMAT") == null) {
            assertThat(configuredEncoder().json()).as("text is the default").isFalse();
        }
    }

    private static KeywardenLogEncoder configuredEncoder() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(KeywardenLogEncoderTest.class.getResource("/logback.xml"));
        ConsoleAppender<?> appender = (ConsoleAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR");
        KeywardenLogEncoder encoder = (KeywardenLogEncoder) appender.getEncoder();
        context.stop();
        return encoder;
    }
}
