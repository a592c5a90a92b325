package dev.keywarden.web;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

import java.util.Map;

/**
 * A response that carries a fixed set of headers whatever the handler behind it does: they are set before the
 * handler runs and set again after {@link #reset()} (which the proxy uses to replace a response it had begun with an
 * error), so no answer on the listener goes out without them. A header the handler sets itself with the same name
 * wins over the stamped value (it is written afterwards).
 */
final class StampedResponse extends Response.Wrapper {

    private final Map<String, String> stamped;

    private StampedResponse(Request request, Response wrapped, Map<String, String> stamped) {
        super(request, wrapped);
        this.stamped = Map.copyOf(stamped);
    }

    /** {@code response} with {@code headers} set now and after every reset. */
    static Response of(Request request, Response response, Map<String, String> headers) {
        if (headers.isEmpty()) {
            return response;
        }
        StampedResponse r = new StampedResponse(request, response, headers);
        r.stamp();
        return r;
    }

    @Override
    public void reset() {
        super.reset();
        stamp();
    }

    private void stamp() {
        stamped.forEach((name, value) -> getWrapped().getHeaders().put(name, value));
    }
}
