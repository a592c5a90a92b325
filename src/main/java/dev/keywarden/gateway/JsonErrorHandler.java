package dev.keywarden.gateway;

import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.RequestIds;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors produced by Jetty itself (headers too large → 431, malformed HTTP → 400, an unexpected
 * failure → 500) in Anthropic's JSON error shape. The message is a fixed text per status (the 431
 * names the header limit): no exception message, stack trace or internal detail ever reaches the
 * client.
 */
public final class JsonErrorHandler extends ErrorHandler {

    private final int maxHeaderBytes;

    /** @param maxHeaderBytes the listener's limit on a request's header block, named in the 431 message */
    public JsonErrorHandler(int maxHeaderBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        Object code = request.getAttribute(ERROR_STATUS);
        int status = code instanceof Integer i ? i : response.getStatus();
        if (status < 400) {
            status = 500;
        }
        String message = switch (status) {
            case 400 -> "the request is not valid HTTP";
            case 408 -> "the request did not arrive in time";
            case 413 -> "the request is too large";
            case 414 -> "the request URI is too long";
            case 431 -> "the request headers are too large: together they exceed this gateway's limit of " + maxHeaderBytes
                    + " bytes; send fewer or shorter headers";
            case 500 -> "the gateway failed to handle the request";
            default -> HttpStatus.getMessage(status);
        };
        ErrorType type = ErrorType.forStatus(status);
        ApiErrors.write(response, callback, status, type, message, RequestIds.next());
        return true;
    }
}
