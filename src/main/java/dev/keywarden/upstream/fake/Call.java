package dev.keywarden.upstream.fake;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.util.Fields;

/**
 * One received request, decoupled from Jetty's request object so endpoints stay plain functions.
 *
 * @param method    HTTP method
 * @param path      raw path, e.g. {@code /v1/models/claude-opus-4-5}
 * @param query     decoded query parameters
 * @param headers   request headers
 * @param body      request body bytes
 * @param requestId the {@code request-id} this answer carries
 */
record Call(String method, String path, Fields query, HttpFields headers, byte[] body, String requestId) {
}
