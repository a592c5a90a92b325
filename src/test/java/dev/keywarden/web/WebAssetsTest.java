package dev.keywarden.web;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged web files keep the rules the strict Content-Security-Policy and the "model output is text" rule need:
 * no inline script or style in HTML, no HTML-parsing DOM sinks or code evaluation in JavaScript, and no file too big.
 */
class WebAssetsTest {

    static final Pattern INLINE_SCRIPT = Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>", Pattern.CASE_INSENSITIVE);
    static final Pattern INLINE_HANDLER_OR_STYLE = Pattern.compile("\\s(on[a-z]+|style)\\s*=|<style", Pattern.CASE_INSENSITIVE);
    static final Pattern HTML_SINKS = Pattern.compile(
            "innerHTML|outerHTML|insertAdjacentHTML|document\\.write|\\beval\\(|new Function\\(|setHTMLUnsafe|createContextualFragment|\\.style\\s*=");

    static List<Path> files() throws IOException, URISyntaxException {
        Path root = Path.of(StaticAssets.class.getClassLoader().getResource(StaticAssets.ROOT + "index.html").toURI()).getParent();
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void htmlHasNoInlineScriptHandlerOrStyle() throws Exception {
        List<Path> html = files().stream().filter(p -> p.toString().endsWith(".html")).toList();
        assertThat(html).isNotEmpty();
        for (Path p : html) {
            String text = Files.readString(p, StandardCharsets.UTF_8);
            assertThat(INLINE_SCRIPT.matcher(text).find()).as(p + ": inline <script>").isFalse();
            assertThat(INLINE_HANDLER_OR_STYLE.matcher(text).find()).as(p + ": on…= handler or style").isFalse();
        }
    }

    @Test
    void javaScriptNeverParsesHtmlOrEvaluatesCode() throws Exception {
        List<Path> js = files().stream().filter(p -> p.toString().endsWith(".js")).toList();
        assertThat(js).extracting(p -> p.getFileName().toString()).contains("keywarden-web.js", "app.js", "chat.js", "sign-in.js");
        for (Path p : js) {
            assertThat(HTML_SINKS.matcher(Files.readString(p, StandardCharsets.UTF_8)).find()).as(p.toString()).isFalse();
        }
    }

    @Test
    void everyServedFileHasAKnownTypeAndTheUiStaysSmall() throws Exception {
        long js = 0;
        for (Path p : files()) {
            assertThat(StaticAssets.contentType(p.getFileName().toString())).as(p.toString()).isNotNull();
            if (p.toString().endsWith(".js")) {
                js += Files.size(p);
            }
        }
        assertThat(js).as("the UI's own JavaScript, bytes").isLessThan(200 * 1024);
    }

    @Test
    void ifNoneMatchFollowsRfc9110() {
        String etag = "\"abc\"";
        assertThat(StaticAssets.matches(null, etag)).isFalse();
        assertThat(StaticAssets.matches("*", etag)).isTrue();
        assertThat(StaticAssets.matches("\"x\", \"abc\"", etag)).isTrue();
        assertThat(StaticAssets.matches("W/\"abc\"", etag)).isTrue();
        assertThat(StaticAssets.matches("\"abcd\"", etag)).isFalse();
    }

    @Test
    void onlyUiPathsAreTakenFromTheGateway() {
        assertThat(StaticAssets.serves("/")).isTrue();
        assertThat(StaticAssets.serves("/chat")).isTrue();
        assertThat(StaticAssets.serves("/keywarden-web.js")).isTrue();
        assertThat(StaticAssets.serves("/ui/app.js")).isTrue();
        assertThat(StaticAssets.serves("/v1/messages")).isFalse();
        assertThat(StaticAssets.serves("/api/session")).isFalse();
        assertThat(StaticAssets.serves("/healthz")).isFalse();
        assertThat(StaticAssets.serves("/readyz")).isFalse();
        assertThat(StaticAssets.serves("/ui")).isFalse();
    }
}
