package dev.keywarden.gateway;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.ConnectionMetaData;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Makes the resolved client address ({@link ClientAddressResolver}) the request's remote address, so
 * everything on the listener that asks Jetty for it ({@code Request.getRemoteAddr}: the pipeline's
 * address lockout, audit records and anomaly detection; the web entry point's sign-in throttle and
 * session records) sees the client behind a trusted proxy rather than the proxy. Installed only when
 * {@code server.trusted_proxies} lists a proxy; requests from other peers pass unchanged.
 */
final class ClientAddressCustomizer implements HttpConfiguration.Customizer {

    private final ClientAddressResolver resolver;

    ClientAddressCustomizer(ClientAddressResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Request customize(Request request, HttpFields.Mutable responseHeaders) {
        if (!(request.getConnectionMetaData().getRemoteSocketAddress() instanceof InetSocketAddress remote)
                || remote.getAddress() == null) {
            return request;
        }
        InetAddress client = resolver.resolve(remote.getAddress(), request.getHeaders());
        if (client.equals(remote.getAddress())) {
            return request;
        }
        SocketAddress resolved = new InetSocketAddress(client, 0);
        ConnectionMetaData metaData = new ConnectionMetaData.Wrapper(request.getConnectionMetaData()) {
            @Override
            public SocketAddress getRemoteSocketAddress() {
                return resolved;
            }
        };
        return new Request.Wrapper(request) {
            @Override
            public ConnectionMetaData getConnectionMetaData() {
                return metaData;
            }
        };
    }
}
