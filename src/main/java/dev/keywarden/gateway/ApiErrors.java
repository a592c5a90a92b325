package dev.keywarden.gateway;

import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.ErrorBody;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;

/**
 * Writes gateway-made errors ({@link ErrorBody}: Anthropic's shape, redacted and escaped) as complete
 * Jetty responses, for errors produced outside the pipeline (Jetty's own, the admin listener's).
 */
public final class ApiErrors {

    private ApiErrors() {
    }

    /** The JSON body of an error ({@link ErrorBody#json}). */
    public static byte[] body(ErrorType type, String message, String requestId) {
        return ErrorBody.json(type, message, requestId);
    }

    /** Writes a complete error response with {@code status} and completes {@code callback}. */
    public static void write(Response response, Callback callback, int status, ErrorType type, String message, String requestId) {
        byte[] body = body(type, message, requestId);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, MimeTypes.Type.APPLICATION_JSON.asString());
        response.getHeaders().put(GatewayHeaders.REQUEST_ID, requestId);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    /** Writes the error with the type's default status. */
    public static void write(Response response, Callback callback, ErrorType type, String message, String requestId) {
        write(response, callback, type.defaultStatus(), type, message, requestId);
    }
}
