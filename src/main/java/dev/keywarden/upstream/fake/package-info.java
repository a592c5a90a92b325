/**
 * A faithful fake of the Anthropic API for demo mode, tests and benchmarks; start it with
 * {@link dev.keywarden.upstream.fake.FakeUpstream#start} or {@code keywarden fake-upstream}.
 *
 * <h2>Endpoints</h2>
 * {@code POST /v1/messages} (JSON, or SSE with {@code "stream": true}),
 * {@code POST /v1/messages/count_tokens}, {@code GET /v1/models} (paginated),
 * {@code GET /v1/models/{id}} (id or alias), and the batches API under
 * {@code /v1/messages/batches}. The key is accepted as {@code x-api-key} or
 * {@code Authorization: Bearer}; {@code anthropic-version} must be present (else 400
 * {@code anthropic-version: header is required}, as the real API answers). Tests can change the
 * accepted keys while the fake runs ({@code FakeUpstream.acceptKey}, {@code rejectKey}: 401 from
 * the next request on); every recorded exchange names its key by SHA-256 fingerprint.
 *
 * <h2>Simulated answers</h2>
 * "This is a simulated reply from Keywarden's fake upstream. You said: …" with up to 12 words of
 * the last user message (its last text block); one word is one output token; input tokens are prompt
 * bytes / 4. A follow-up whose last user message carries a {@code tool_result} gets "… The tool
 * returned: …" with up to 12 words of the result.
 *
 * <h2>Tool use</h2>
 * When the request offers {@code tools}: {@code tool_choice} {@code {"type":"tool","name":…}} or
 * {@code any} is answered with a {@code tool_use} block for that (or the first) tool, and so is the
 * {@code tool_use} scenario (after a short text block) unless the request is a tool-result
 * follow-up; the input is a minimal value matching the tool's {@code input_schema}, or the JSON
 * object written after {@code fake:tool_use NAME}. Stop reason {@code tool_use}; streamed as
 * {@code content_block_start} (type {@code tool_use}) and {@code input_json_delta}s.
 *
 * <h2>Betas</h2>
 * A {@code "role":"system"} message inside {@code messages} is accepted under
 * {@code anthropic-beta: mid-conversation-system-2026-04-07} (or {@code per-turn-control-2026-07-01},
 * which Claude Code treats as enabling it) and otherwise refused as the real API refuses it: 400
 * {@code messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter,
 * not "system" as an input message role.}
 *
 * <h2>Test controls (request headers)</h2>
 * <ul>
 *   <li>{@code x-fake-scenario: NAME} (or a last user message starting {@code fake:NAME}):
 *       {@code rate_limit}, {@code overloaded}, {@code server_error}, {@code bad_gateway_html},
 *       {@code mid_stream_error}, {@code crlf}, {@code cr}, {@code padded}, {@code multi_data},
 *       {@code unknown_event}, {@code no_final_blank}, {@code pings}, {@code slow}, {@code hang},
 *       {@code big}, {@code tool_use}. The header also works on every other endpoint for the error scenarios and
 *       {@code hang}.</li>
 *   <li>{@code x-fake-latency-ms: N} — delay before the first byte of this answer.</li>
 *   <li>{@code x-fake-batch-processing-ms: N} — on batch creation: stay {@code in_progress} N ms
 *       (default: the batch ends at once).</li>
 * </ul>
 */
package dev.keywarden.upstream.fake;
