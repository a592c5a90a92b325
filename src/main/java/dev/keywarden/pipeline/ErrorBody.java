package dev.keywarden.pipeline;

import dev.keywarden.log.Redactor;

import java.nio.charset.StandardCharsets;

/**
 * Gateway-made errors in Anthropic's shape:
 * {@code {"type":"error","error":{"type":"…","message":"…"},"request_id":"…"}}.
 *
 * <p>Guarantee: the message is passed through {@link Redactor} and JSON-escaped, so no credential,
 * CR/LF or quote from any input can end up in the body unescaped.
 */
public final class ErrorBody {

    private ErrorBody() {
    }

    /** The JSON body of an error. */
    public static byte[] json(ErrorType type, String message, String requestId) {
        StringBuilder sb = new StringBuilder(96 + message.length());
        sb.append("{\"type\":\"error\",\"error\":{\"type\":\"").append(type.wireName()).append("\",\"message\":\"");
        escape(Redactor.redact(message), sb);
        sb.append("\"},\"request_id\":\"");
        escape(requestId, sb);
        sb.append("\"}");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
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
