package dev.keywarden.guard;

import dev.keywarden.pipeline.GuardReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.config.GuardConfig;
import dev.keywarden.config.GuardConfig.Action;
import dev.keywarden.config.GuardMode;
import dev.keywarden.pipeline.BodyGuard;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.Route;
import dev.keywarden.scan.SecretScanner;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The input guardrails of one call, in order: the operator's request policy ({@code /v1/messages}:
 * model allow-list and caps, see {@link RequestValidator}; never stricter than the API), secrets in
 * the prompt ({@code /v1/messages} and {@code count_tokens}), prompt-injection score of the caller's
 * text in {@code messages}, whatever its role ({@code /v1/messages}). Each check acts as configured for the caller's tier ({@link GuardConfig}):
 * block (throws {@link Refusal}: 400 {@code invalid_request_error} for validation and secrets, 403
 * {@code permission_error} for injection), redact (secrets only: the body is re-serialised with
 * {@code [REDACTED:<rule>]} in place of each secret, the one case where the forwarded body is not
 * the client's bytes) or flag. Every decision goes into the {@link GuardReport}; no message or
 * report ever contains the offending text. Thread-safe.
 */
public final class RequestGuard implements BodyGuard {

    private static final ObjectMapper JSON = JsonOutputFilter.JSON;
    /** User text scored per call, latest turn first: bounds the CPU a huge prompt can cost. */
    static final int MAX_SCORED_CHARS = 256 * 1024;

    private final GuardConfig config;
    private final SecretDetector secrets;
    private final InjectionScorer injection;
    private final RequestValidator validator;

    public RequestGuard(GuardConfig config, SecretDetector secrets, InjectionScorer injection) {
        this.config = config;
        this.secrets = secrets;
        this.injection = injection;
        this.validator = new RequestValidator(config.validation());
    }

    public GuardConfig config() {
        return config;
    }

    /** The tier whose guard settings apply to {@code identity} (null: the global ones). */
    public static String tierOf(ClientIdentity identity) {
        return identity == null ? null : identity.principalTier();
    }

    /**
     * Inspects {@code body}; returns the body to forward ({@code body} itself unless secrets were
     * redacted).
     *
     * @throws Refusal when a check blocks the call (recorded in {@code report} first)
     */
    @Override
    public byte[] inspect(Route route, ClientIdentity identity, byte[] body, GuardReport report) {
        if (route != Route.MESSAGES && route != Route.COUNT_TOKENS) {
            return body;
        }
        String tier = tierOf(identity);
        GuardMode mode = config.modeFor(tier);
        if (mode == GuardMode.OFF || body.length == 0) {
            return body;
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            // well-formed (JsonBodyInspector checked) but beyond the parser's limits, e.g. one string
            // of tens of megabytes: it cannot be inspected, so it is not let through unseen
            if (mode == GuardMode.ENFORCE) {
                report.add(GuardReport.Outcome.BLOCKED, "uninspectable", null, -1);
                throw new Refusal(400, ErrorType.INVALID_REQUEST, "the request body is too large or too deeply nested"
                        + " for the gateway's guardrails to inspect; split the content into smaller blocks");
            }
            report.add(GuardReport.Outcome.FLAGGED, "uninspectable", null, -1);
            return body;
        }
        if (root == null || !root.isObject()) {
            return body;
        }
        if (route == Route.MESSAGES && config.validation().enabled()) {
            RequestValidator.Violation v = validator.check(root, config.modelsFor(tier));
            if (v != null) {
                if (mode == GuardMode.ENFORCE) {
                    report.add(GuardReport.Outcome.BLOCKED, "validation:" + v.field(), v.field(), -1);
                    throw new Refusal(400, ErrorType.INVALID_REQUEST, v.message());
                }
                report.add(GuardReport.Outcome.FLAGGED, "validation:" + v.field(), v.field(), -1);
            }
        }
        List<PromptTexts.Slot> slots = PromptTexts.of(root);
        boolean changed = secretsIn(slots, mode.apply(config.secretsInput()), report);
        if (route == Route.MESSAGES) {
            injectionIn(slots, mode.apply(config.injection()), report);
        }
        if (!changed) {
            return body;
        }
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot re-encode a redacted request", e);
        }
    }

    private boolean secretsIn(List<PromptTexts.Slot> slots, Action action, GuardReport report) {
        if (action == Action.OFF) {
            return false;
        }
        boolean changed = false;
        Set<String> types = new LinkedHashSet<>();
        List<String> places = new ArrayList<>();
        for (PromptTexts.Slot slot : slots) {
            List<SecretScanner.Located> hits = secrets.find(slot.text());
            if (hits.isEmpty()) {
                continue;
            }
            GuardReport.Outcome outcome = switch (action) {
                case BLOCK -> GuardReport.Outcome.BLOCKED;
                case REDACT -> GuardReport.Outcome.REDACTED;
                default -> GuardReport.Outcome.FLAGGED;
            };
            for (SecretScanner.Located h : hits) {
                report.add(outcome, "secret:" + h.ruleId(), slot.where(), h.start());
                types.add(h.ruleId());
            }
            places.add(slot.where());
            if (action == Action.REDACT) {
                slot.replace(SecretDetector.redact(slot.text(), hits));
                changed = true;
            }
        }
        if (action == Action.BLOCK && !types.isEmpty()) {
            throw new Refusal(400, ErrorType.INVALID_REQUEST, places.get(0) + ": the prompt contains a credential ("
                    + String.join(", ", types) + "); this gateway does not forward credentials to the model. Remove it and retry");
        }
        return changed;
    }

    private void injectionIn(List<PromptTexts.Slot> slots, Action action, GuardReport report) {
        if (action == Action.OFF) {
            return;
        }
        double max = 0;
        String where = null;
        int budget = MAX_SCORED_CHARS;
        for (int i = slots.size() - 1; i >= 0 && budget > 0; i--) { // latest turn first
            PromptTexts.Slot slot = slots.get(i);
            if (!slot.user()) {
                continue;
            }
            String text = slot.text().length() <= budget ? slot.text() : slot.text().substring(0, budget);
            budget -= text.length();
            InjectionScorer.Score s = injection.score(text);
            if (s.value() > max) {
                max = s.value();
                where = slot.where();
            }
        }
        report.injectionScore(max);
        if (max < config.injectionThreshold() - 1e-9) {
            return;
        }
        if (action == Action.BLOCK) {
            report.add(GuardReport.Outcome.BLOCKED, "injection", where, -1);
            throw new Refusal(403, ErrorType.PERMISSION, where + ": the prompt-injection screen refused this request (score "
                    + Math.round(max * 100) / 100.0 + ", threshold " + config.injectionThreshold()
                    + "); rephrase it, or ask the operator if this is a false positive");
        }
        report.add(GuardReport.Outcome.FLAGGED, "injection", where, -1);
    }
}
