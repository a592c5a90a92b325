package dev.keywarden.gateway;

import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.log.Redactor;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes gateway-made errors in Anthropic's shape:
 * {@code {"type":"error","error":{"type":"…","message":"…"},"request_id":"…"}}.
 *
 * <p>Guarantee: the message is passed through {@link Redactor} and JSON-escaped, so no credential,
 * CR/LF or quote from any input can end up in the body unescaped.
 */
public final class ApiErrors {

    private ApiErrors() {
    }

    /** The JSON body of an error. */
    public static byte[] body(ErrorType type, String message, String requestId) {
        StringBuilder sb = new StringBuilder(96 + message.length());
        sb.append("{\"type\":\"error\",\"error\":{\"type\":\"").append(type.wireName()).append("\",\"message\":\"");
        escape(Redactor.redact(message), sb);
        sb.append("\"},\"request_id\":\"");
        escape(requestId, sb);
        sb.append("\"}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
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

    static void escape(String s, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == 0x2028 || c == 0x2029) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
    }
}
