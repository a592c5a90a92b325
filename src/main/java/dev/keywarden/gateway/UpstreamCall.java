package dev.keywarden.gateway;

import dev.keywarden.vault.ProviderKey;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpFields;

import java.net.URI;
import java.util.concurrent.TimeUnit;

/**
 * Everything needed to (re)send one client request upstream: the filtered client headers and
 * the body exactly as received. {@link #newRequest} adds the provider key, so the same call can
 * be retried once on a backup key after an upstream 401/403.
 */
final class UpstreamCall {

    private final HttpClient client;
    private final String method;
    private final URI target;
    private final HttpFields headers;
    private final byte[] body;
    private final String contentType;
    private final long idleTimeoutMillis;

    UpstreamCall(HttpClient client, String method, URI target, HttpFields headers, byte[] body, String contentType,
                 long idleTimeoutMillis) {
        this.client = client;
        this.method = method;
        this.target = target;
        this.headers = headers;
        this.body = body;
        this.contentType = contentType;
        this.idleTimeoutMillis = idleTimeoutMillis;
    }

    Request newRequest(ProviderKey key) {
        Request up = client.newRequest(target).method(method).idleTimeout(idleTimeoutMillis, TimeUnit.MILLISECONDS);
        up.headers(h -> {
            h.add(headers);
            h.put(GatewayHeaders.X_API_KEY, key.secret());
        });
        if (body.length > 0) {
            up.body(new BytesRequestContent(contentType, body));
        }
        return up;
    }
}
