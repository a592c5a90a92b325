package dev.keywarden.gateway;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

import java.util.function.Predicate;

/**
 * Sends requests whose path {@code paths} accepts (e.g. starts with {@code /api/}, the web entry) to {@code mounted}
 * and everything else to the wrapped gateway handler: a few string comparisons, no request wrapping, on the proxy path.
 */
final class PrefixRoutingHandler extends Handler.Wrapper {

    private final Predicate<String> paths;
    private final Handler mounted;

    PrefixRoutingHandler(Handler main, Predicate<String> paths, Handler mounted) {
        super(main);
        this.paths = paths;
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
        if (paths.test(request.getHttpURI().getPath())) {
            return mounted.handle(request, response, callback);
        }
        return super.handle(request, response, callback);
    }
}
