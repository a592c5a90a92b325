package dev.keywarden.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;

/**
 * The pipeline's own stages, and adapters that turn each kind of stage contract ({@link Preflight},
 * {@link Admission}, {@link CredentialGuard}, {@link BodyGuard}, {@link LocalEndpoint}…) into a
 * {@link Stage} the composition can list. Each keeps the refusal wording the gateway has always used.
 */
public final class Stages {

    private static final Logger LOG = LoggerFactory.getLogger(Stages.class);

    private Stages() {
    }

    /** 429 {@code rate_limit_error} (with {@code retry-after}) while the client's address is locked out. */
    public static Stage addressLockout(AddressGuard guard) {
        return x -> {
            long locked = guard.lockedForSeconds(x.clientAddress());
            if (locked > 0) {
                throw new Refusal(429, ErrorType.RATE_LIMIT, "too many failed authentication attempts from this address;"
                        + " retry after " + locked + " seconds", Map.of("retry-after", Long.toString(locked)));
            }
            return false;
        };
    }

    /**
     * Establishes who calls from the presented credential (401 {@code authentication_error} when it is
     * refused; a missing, malformed or unknown one also counts toward the address lockout, an expired,
     * revoked or spent one does not: see {@link AuthOutcome.Kind}), unless the entry point established the
     * identity itself (a browser session). Fails closed: 503 when credentials cannot be checked.
     */
    public static Stage authenticate(Authenticator authenticator, AddressGuard lockout) {
        return x -> {
            if (x.identity() != null) {
                return false;
            }
            AuthOutcome outcome;
            try {
                outcome = authenticator.authenticate(x.credential());
            } catch (RuntimeException storeDown) {
                LOG.error("request {}: credential check failed, refusing (fail closed): {}", x.requestId(), storeDown.toString());
                throw new Refusal(503, ErrorType.API, "the gateway cannot verify credentials right now; retry shortly");
            }
            if (outcome instanceof AuthOutcome.Rejected rejected) {
                x.authRefused(rejected.kind());
                if (rejected.countsTowardLockout()) {
                    lockout.failed(x.clientAddress());
                }
                throw new Refusal(401, ErrorType.AUTHENTICATION, rejected.message());
            }
            x.authenticated(((AuthOutcome.Authenticated) outcome).identity());
            return false;
        };
    }

    /**
     * 400 {@code invalid_request_error} unless the body is one JSON object (an empty body passes on
     * routes that need none); reads the {@link RequestSummary} later stages use. The body is not changed.
     */
    public static final Stage JSON_CHECK = x -> {
        byte[] body = x.body();
        if (body.length > 0 || x.route().bodyRequired()) {
            if (body.length == 0) {
                throw new Refusal(400, ErrorType.INVALID_REQUEST, "request body is empty; send a JSON object");
            }
            try {
                x.summary(JsonBodyInspector.inspect(body, body.length));
            } catch (JsonBodyInspector.InvalidBody e) {
                throw new Refusal(400, ErrorType.INVALID_REQUEST, e.getMessage());
            }
        }
        return false;
    };

    /** The credential's own scopes (a token's endpoints, origins, models, max_tokens): 403 {@code permission_error}. */
    public static Stage credentialScope(CredentialGuard guard) {
        return x -> {
            guard.checkScope(x.identity(), x.route(), x.requestHeaders().get(org.eclipse.jetty.http.HttpHeader.ORIGIN), x.summary());
            return false;
        };
    }

    /**
     * Guardrails on the body ({@link BodyGuard}): 400/403 when a check blocks, a redacted body when
     * secrets are redacted. Fails closed: 500 when the guard itself fails (logged by class only, as
     * its message could quote the prompt).
     */
    public static Stage guardInput(BodyGuard guard) {
        return x -> {
            try {
                x.body(guard.inspect(x.route(), x.identity(), x.body(), x.guard()));
            } catch (Refusal refusal) {
                throw refusal;
            } catch (RuntimeException guardFailed) {
                LOG.error("request {}: guardrails failed, refusing (fail closed): {}", x.requestId(), guardFailed.getClass().getName());
                throw new Refusal(500, ErrorType.API, "the gateway could not inspect this request; retry shortly");
            }
            return false;
        };
    }

    /** A check the call must pass (principal suspension, audit availability, …). */
    public static Stage check(Preflight preflight) {
        return x -> {
            preflight.check(x.identity(), x.summary());
            return false;
        };
    }

    /**
     * The caller's own provider key (BYOK), chosen before the quotas so they can tell: when
     * {@code keys} has one for the call it becomes the call's {@link ExchangeState#upstreamKey}, and
     * the operator's key choice keeps it. Refuses (e.g. 403) when the caller's key was rejected upstream.
     */
    public static Stage callerKey(CallerKeys keys) {
        if (keys == CallerKeys.NONE) {
            return x -> false;
        }
        return x -> {
            if (x.identity() != null && x.route() != null && x.route().proxied()) {
                keys.keyFor(x).ifPresent(x::upstreamKey);
            }
            return false;
        };
    }

    /**
     * The budgets: like {@link #admit}, except that a call served with the caller's own key is not
     * admitted against them (nor charged) unless {@code keys} says BYOK calls count toward budgets.
     */
    public static Stage admitBudget(Admission budgets, CallerKeys keys) {
        if (keys.countsTowardBudget()) {
            return admit(budgets);
        }
        return x -> {
            UpstreamKey chosen = x.upstreamKey();
            if (chosen == null || !chosen.userSupplied()) {
                x.admitted(budgets.admit(x.identity(), x.summary()));
            }
            return false;
        };
    }

    /** A quota the call is admitted against (rate limits, budgets); its ticket is settled when the call ends. */
    public static Stage admit(Admission admission) {
        return x -> {
            x.admitted(admission.admit(x.identity(), x.summary()));
            return false;
        };
    }

    /**
     * Answers the routes the gateway serves itself (never forwarded): 404 for such a route without an
     * endpoint; 503 when the endpoint fails. Proxied routes pass on.
     */
    public static Stage localEndpoints(Map<Route, LocalEndpoint> endpoints) {
        Map<Route, LocalEndpoint> served = endpoints.isEmpty() ? Map.of() : new EnumMap<>(endpoints);
        return x -> {
            Route route = x.route();
            if (route.proxied()) {
                return false;
            }
            LocalEndpoint endpoint = served.get(route);
            if (endpoint == null) {
                throw new Refusal(404, ErrorType.NOT_FOUND, "this gateway does not serve " + route.id());
            }
            LocalEndpoint.Answer answer;
            try {
                answer = endpoint.handle(x.identity(), x.body());
            } catch (Refusal refusal) {
                throw refusal;
            } catch (RuntimeException failed) {
                LOG.error("request {}: {} failed, refusing (fail closed): {}", x.requestId(), route.id(), failed.toString());
                throw new Refusal(503, ErrorType.API, "the gateway cannot serve " + route.id() + " right now; retry shortly");
            }
            x.pipeline().answer(x, answer);
            return true;
        };
    }

    /** Spends one use of a limited credential (401 when none is left); the last stage before forwarding. */
    public static Stage spendUse(CredentialGuard guard) {
        return x -> {
            guard.consume(x.identity());
            return false;
        };
    }
}
