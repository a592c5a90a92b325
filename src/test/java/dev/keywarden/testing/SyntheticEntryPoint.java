package dev.keywarden.testing;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.ExchangeState;
import dev.keywarden.pipeline.Pipeline;
import dev.keywarden.pipeline.Route;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A second entry point, for tests: runs calls through a gateway's {@link Pipeline} — the same
 * composition and the same stage instances as its proxy listener — without its HTTP handler, and
 * collects each response from a {@link ResponseSink} of its own. The web chat endpoint (issue 13) is
 * the real one; it will hand over calls the same way, with the identity of a browser session.
 */
public final class SyntheticEntryPoint {

    private final Pipeline pipeline;

    public SyntheticEntryPoint(Pipeline pipeline) {
        this.pipeline = pipeline;
    }

    /** What the sink received. {@code completed} is false when the response was aborted (then {@code failure} says why). */
    public record Response(String requestId, int status, Map<String, String> headers, String body, boolean completed,
                           Throwable failure) {
        public String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** A {@code POST /v1/messages} by {@code identity} (authenticated by the entry point itself). */
    public Response messages(ClientIdentity identity, String json) throws Exception {
        return call(new Pipeline.Call(Route.MESSAGES, "POST", "/v1/messages", null, headers(), "192.0.2.10", identity, null,
                json.getBytes(StandardCharsets.UTF_8)));
    }

    /** A {@code POST /v1/messages} with a credential the pipeline authenticates. */
    public Response messages(String credential, String json) throws Exception {
        return call(new Pipeline.Call(Route.MESSAGES, "POST", "/v1/messages", null, headers(), "192.0.2.10", null, credential,
                json.getBytes(StandardCharsets.UTF_8)));
    }

    /** Runs {@code call} and waits (at most 20 s) for its response to end. */
    public Response call(Pipeline.Call call) throws Exception {
        CollectingSink sink = new CollectingSink();
        ExchangeState x = pipeline.run(call, sink);
        Throwable failure = null;
        try {
            sink.ended.get(20, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            failure = e.getCause();
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpField f : sink.headers()) {
            headers.put(f.getLowerCaseName(), f.getValue());
        }
        return new Response(x.requestId(), sink.status(), headers, sink.text(), failure == null, failure);
    }

    private static HttpFields headers() {
        return HttpFields.build().put("anthropic-version", "2023-06-01").put("content-type", "application/json")
                .put("user-agent", "synthetic-entry/1.0").asImmutable();
    }
}
