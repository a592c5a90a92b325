package dev.keywarden.gateway;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * Sends requests whose path starts with {@code prefix} (e.g. {@code /api/}, the web entry) to {@code mounted} and
 * everything else to the wrapped gateway handler: one string comparison, no request wrapping, on the proxy path.
 */
final class PrefixRoutingHandler extends Handler.Wrapper {

    private final String prefix;
    private final Handler mounted;

    PrefixRoutingHandler(Handler main, String prefix, Handler mounted) {
        super(main);
        this.prefix = prefix;
        this.mounted = mounted;
        addBean(mounted, true);
    }

    @Override
    public void setServer(Server server) {
        super.setServer(server);
        mounted.setServer(server);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        if (request.getHttpURI().getPath().startsWith(prefix)) {
            return mounted.handle(request, response, callback);
        }
        return super.handle(request, response, callback);
    }
}
