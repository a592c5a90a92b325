package dev.keywarden.web;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What a browser may send to {@code POST /api/chat}: the conversation's user turns, and optionally the app, a
 * conversation id and {@code stream}. Nothing else: model, system prompt and {@code max_tokens} are the server's
 * ({@code apps.<name>.*}), so a field naming any of them (or any other unknown field) is refused rather than ignored.
 *
 * <p>{@code messages} is a list of user turns, each either a string or {@code {"role":"user","content":"…"}}.
 *
 * @param turns          the user's turns, oldest first, each non-blank
 * @param app            the app name, or null for the default app
 * @param conversationId the client's conversation id (letters, digits, {@code _}, {@code -}; at most 128), or null
 */
record ChatRequest(List<String> turns, String app, String conversationId, boolean stream) {

    /** The body is not acceptable; the message names the field and is fit for a 400. */
    static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    static final List<String> FIELDS = List.of("messages", "app", "conversation_id", "stream");
    /** Most user turns one request may carry. */
    static final int MAX_TURNS = 200;
    private static final Pattern CONVERSATION_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
    private static final Pattern APP = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");
    private static final ObjectMapper JSON = new ObjectMapper();

    static ChatRequest parse(byte[] body) throws Invalid {
        JsonNode root;
        try {
            root = body.length == 0 ? null : JSON.readTree(body);
        } catch (IOException e) {
            throw new Invalid("the request body is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new Invalid("the request body must be a JSON object: {\"messages\":[{\"role\":\"user\",\"content\":\"…\"}]}");
        }
        List<String> unknown = new ArrayList<>();
        root.fieldNames().forEachRemaining(name -> {
            if (!FIELDS.contains(name)) {
                unknown.add(clip(name));
            }
        });
        if (!unknown.isEmpty()) {
            throw new Invalid(String.join(", ", unknown) + ": unknown field; send only " + String.join(", ", FIELDS)
                    + " (the model, system prompt and max_tokens are set by the server for the app)");
        }
        return new ChatRequest(turns(root.get("messages")), optionalText(root, "app", APP, "an app name such as support"),
                optionalText(root, "conversation_id", CONVERSATION_ID, "letters, digits, _ and - (at most 128)"),
                stream(root.get("stream")));
    }

    private static List<String> turns(JsonNode messages) throws Invalid {
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw new Invalid("messages: must be a non-empty list of the user's turns");
        }
        if (messages.size() > MAX_TURNS) {
            throw new Invalid("messages: at most " + MAX_TURNS + " turns");
        }
        List<String> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode turn = messages.get(i);
            String text;
            if (turn.isTextual()) {
                text = turn.textValue();
            } else if (turn.isObject()) {
                JsonNode role = turn.get("role");
                if (role == null || !role.isTextual() || !role.textValue().equals("user")) {
                    throw new Invalid("messages." + i + ".role: must be user; send only the user's turns (the server keeps"
                            + " the instructions)");
                }
                JsonNode content = turn.get("content");
                if (turn.size() != 2 || content == null || !content.isTextual()) {
                    throw new Invalid("messages." + i + ": must be {\"role\":\"user\",\"content\":\"…\"} with text content");
                }
                text = content.textValue();
            } else {
                throw new Invalid("messages." + i + ": must be a string or {\"role\":\"user\",\"content\":\"…\"}");
            }
            if (text.isBlank()) {
                throw new Invalid("messages." + i + ": must not be empty");
            }
            out.add(text);
        }
        return List.copyOf(out);
    }

    private static String optionalText(JsonNode root, String field, Pattern shape, String expected) throws Invalid {
        JsonNode n = root.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        if (!n.isTextual() || !shape.matcher(n.textValue()).matches()) {
            throw new Invalid(field + ": must be " + expected);
        }
        return n.textValue();
    }

    private static boolean stream(JsonNode n) throws Invalid {
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw new Invalid("stream: must be true or false");
        }
        return n.booleanValue();
    }

    private static String clip(String s) {
        String one = s.replaceAll("\\p{Cntrl}", "?");
        return one.length() <= 40 ? one : one.substring(0, 40) + "…";
    }
}
