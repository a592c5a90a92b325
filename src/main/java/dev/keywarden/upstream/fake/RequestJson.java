package dev.keywarden.upstream.fake;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;

/** Parses a request body that must be one JSON object, refusing anything else with a 400. */
final class RequestJson {

    private RequestJson() {
    }

    /**
     * The body as a JSON object. The error names the line and column of a syntax error but never
     * quotes the body (it may hold secrets).
     */
    static JsonNode parseObject(byte[] body) {
        if (body.length == 0) {
            throw ApiError.invalidRequest("Request body is empty; expected a JSON object");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
            throw ApiError.invalidRequest("Request body is not valid JSON" + where);
        } catch (IOException e) {
            throw ApiError.invalidRequest("Request body could not be read as JSON");
        }
        if (root == null || root.isMissingNode()) {
            throw ApiError.invalidRequest("Request body is empty; expected a JSON object");
        }
        if (!root.isObject()) {
            throw ApiError.invalidRequest("Request body must be a JSON object");
        }
        return root;
    }
}
