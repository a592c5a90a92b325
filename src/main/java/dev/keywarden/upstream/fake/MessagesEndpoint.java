package dev.keywarden.upstream.fake;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.jetty.http.HttpFields;

/**
 * {@code POST /v1/messages} (JSON or SSE) and {@code POST /v1/messages/count_tokens}.
 *
 * <p>Guarantee: a valid request gets a real-shaped Message (or stream) with usage counted as
 * {@link MessagesRequest#inputTokens()} in and one token per word out; the scenario of the
 * {@code x-fake-scenario} header wins over a {@code fake:NAME} text marker. The request's
 * {@code anthropic-beta} header decides what it may contain ({@link Betas}).
 */
final class MessagesEndpoint {

    private final int tokensPerSecond;

    MessagesEndpoint(int tokensPerSecond) {
        this.tokensPerSecond = tokensPerSecond;
    }

    Reply create(Call call, Scenario headerScenario) {
        JsonNode root = RequestJson.parseObject(call.body());
        MessagesRequest request = MessagesRequest.forMessages(root, "", Betas.of(call.headers()));
        Scenario scenario = headerScenario != Scenario.NONE ? headerScenario : request.scenarioFromText();
        if (scenario.isErrorStatus()) {
            return ScenarioErrors.reply(scenario, call.requestId());
        }
        if (scenario == Scenario.HANG) {
            return new Reply.Hang();
        }
        SimulatedReply reply = SimulatedReply.forRequest(request, scenario);
        int input = request.inputTokens();
        HttpFields headers = RateLimitHeaders.forSuccess(input, reply.outputTokens());
        String id = Ids.messageId();
        if (request.stream()) {
            return new Reply.Stream(StreamPlan.of(id, request.model(), input, reply, scenario, tokensPerSecond), headers);
        }
        Reply.Full full = Reply.json(200, MessageJson.message(id, request.model(), reply, input), headers);
        return scenario == Scenario.SLOW
                ? full.delayed(StreamPlan.SLOW_INTERVAL_NANOS * (SimulatedReply.SLOW_DELTAS - 1))
                : full;
    }

    Reply countTokens(Call call, Scenario headerScenario) {
        JsonNode root = RequestJson.parseObject(call.body());
        MessagesRequest request = MessagesRequest.forCountTokens(root, Betas.of(call.headers()));
        Scenario scenario = headerScenario != Scenario.NONE ? headerScenario : request.scenarioFromText();
        if (scenario.isErrorStatus()) {
            return ScenarioErrors.reply(scenario, call.requestId());
        }
        if (scenario == Scenario.HANG) {
            return new Reply.Hang();
        }
        return Reply.json(200, "{\"input_tokens\":" + request.inputTokens() + "}");
    }
}
