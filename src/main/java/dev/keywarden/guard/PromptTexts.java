package dev.keywarden.guard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.List;

/**
 * The pieces of text in a Messages request a person or a tool wrote: {@code system} (string or
 * text blocks), each message's string content, its {@code text} blocks, its {@code tool_result} and
 * {@code search_result} contents (string or blocks) and its {@code document} blocks' text (plain-text
 * and content sources, and their {@code context}). Each comes with its place
 * ({@code messages.2.content.0.text}) and a way to replace it (redaction). Other shapes (images, PDF,
 * URL and file documents, {@code tool_use} input, {@code thinking}, unknown block types) are skipped.
 *
 * <p>Guarantee: every message is read whatever its role, so text in a role the guard does not know
 * (a mid-conversation {@code "role":"system"} message, or a role added to the API later) is still
 * seen by secret detection and, being the caller's text, by the injection screen.
 */
final class PromptTexts {

    /**
     * One text and where it sits.
     *
     * @param user true for text the caller supplied in {@code messages}: every message not in the
     *             {@code assistant} role ({@code user} turns typed by the end user or returned by a tool,
     *             mid-conversation {@code system} messages, roles unknown to the guard); false for the
     *             top-level system prompt and assistant turns
     */
    record Slot(JsonNode parent, String field, int index, String where, boolean user, String text) {
        void replace(String newText) {
            if (parent instanceof ObjectNode o) {
                o.set(field, TextNode.valueOf(newText));
            } else if (parent instanceof ArrayNode a) {
                a.set(index, TextNode.valueOf(newText));
            }
        }
    }

    private PromptTexts() {
    }

    static List<Slot> of(JsonNode root) {
        List<Slot> out = new ArrayList<>();
        if (root == null || !root.isObject()) {
            return out;
        }
        content(root, "system", "system", false, out);
        JsonNode messages = root.get("messages");
        if (messages != null && messages.isArray()) {
            for (int i = 0; i < messages.size(); i++) {
                JsonNode m = messages.get(i);
                if (m != null && m.isObject()) {
                    boolean user = !"assistant".equals(m.path("role").asText());
                    content(m, "content", "messages." + i + ".content", user, out);
                }
            }
        }
        return out;
    }

    /**
     * The text of a {@code document} block: a plain-text source's {@code data}, a content source's blocks,
     * and its {@code context}. PDF (base64), URL and file sources are not text the gateway can read.
     */
    private static void document(JsonNode block, String at, boolean user, List<Slot> out) {
        JsonNode source = block.get("source");
        if (source != null && source.isObject()) {
            String kind = source.path("type").asText();
            if ("text".equals(kind) && source.path("data").isTextual()) {
                out.add(new Slot(source, "data", -1, at + ".source.data", user, source.get("data").asText()));
            } else if ("content".equals(kind)) {
                content(source, "content", at + ".source.content", user, out);
            }
        }
        if (block.path("context").isTextual()) {
            out.add(new Slot(block, "context", -1, at + ".context", user, block.get("context").asText()));
        }
    }

    /** {@code holder.field} as a string or an array of blocks. */
    private static void content(JsonNode holder, String field, String where, boolean user, List<Slot> out) {
        JsonNode c = holder.get(field);
        if (c == null) {
            return;
        }
        if (c.isTextual()) {
            out.add(new Slot(holder, field, -1, where, user, c.asText()));
            return;
        }
        if (!c.isArray()) {
            return;
        }
        for (int j = 0; j < c.size(); j++) {
            JsonNode block = c.get(j);
            if (block == null || !block.isObject()) {
                continue;
            }
            String type = block.path("type").asText();
            String at = where + "." + j;
            if (("text".equals(type) || type.isEmpty()) && block.path("text").isTextual()) {
                out.add(new Slot(block, "text", -1, at + ".text", user, block.get("text").asText()));
            } else if ("tool_result".equals(type) || "search_result".equals(type)) {
                content(block, "content", at + ".content", user, out);
            } else if ("document".equals(type)) {
                document(block, at, user, out);
            }
        }
    }
}
