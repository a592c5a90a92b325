package dev.keywarden.gateway;

import dev.keywarden.config.ConfigException;
import dev.keywarden.config.ServerConfig;
import dev.keywarden.config.UpstreamConfig;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.ExchangeState;
import dev.keywarden.pipeline.OutputFilter;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.Route;
import dev.keywarden.pipeline.Stage;
import dev.keywarden.pipeline.Upstream;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.ProviderKeys;
import dev.keywarden.vault.crypto.VaultSealedException;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * The pipeline's last stages for proxied routes: choosing the provider key ({@link #chooseProviderKey})
 * and forwarding the call to the upstream API with its response relayed back ({@link #forward}:
 * upstream, meter, output filter). Owns the upstream HTTP client; {@link #close()} stops it.
 */
public final class UpstreamForwarding implements Upstream, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamForwarding.class);

    private final HttpClient client;
    private final String base;
    private final long idleMillis;
    private final ProviderKeys providerKeys;
    private final GatewayHeaders.RequestFilter headerFilter;
    private final UpstreamSlots slots;
    private final UpstreamTargets targets;

    private UpstreamForwarding(HttpClient client, UpstreamConfig config, GatewayHeaders.RequestFilter headerFilter,
                               ProviderKeys providerKeys) {
        this.client = client;
        this.base = config.url().toString();
        this.idleMillis = config.idleTimeout().toMillis();
        this.headerFilter = headerFilter;
        this.providerKeys = providerKeys;
        this.slots = new UpstreamSlots(config.maxConnections());
        this.targets = new UpstreamTargets(base);
    }

    /**
     * Starts the upstream client for {@code upstream}; calls are served with keys from {@code providerKeys}.
     * The client is sized to send every header block the listener configured by {@code server} accepts
     * (else a large one would become a 502); request headers travel by the allow-list plus
     * {@code upstream.forward_headers} ({@link GatewayHeaders}).
     *
     * @throws ConfigException naming {@code upstream.forward_headers} when an entry is not a header name or
     *                         would forward a credential, cookie, hop-by-hop or proxy header
     */
    public static UpstreamForwarding start(ServerConfig server, UpstreamConfig upstream, ProviderKeys providerKeys) {
        Objects.requireNonNull(providerKeys, "providerKeys");
        GatewayHeaders.RequestFilter headerFilter;
        try {
            headerFilter = GatewayHeaders.RequestFilter.of(upstream.forwardHeaders());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(UpstreamConfig.FORWARD_HEADERS_SETTING + ": " + e.getMessage());
        }
        HttpClient client = UpstreamClient.create(upstream, UpstreamClient.requestHeaderCapacity(server, upstream));
        return new UpstreamForwarding(client, upstream, headerFilter, providerKeys);
    }

    /**
     * Picks the provider key for the call's route, unless the caller's own key (BYOK) was chosen already:
     * 503 {@code api_error} when the vault is sealed, when
     * keys cannot be read (fail closed) or when none can serve. Runs before the credential's use is
     * spent, so a call refused here costs none.
     */
    @Override
    public Stage chooseProviderKey() {
        return x -> {
            if (x.upstreamKey() != null) {
                return false; // the caller's own key (BYOK), chosen before the quotas
            }
            Optional<ProviderKey> key;
            try {
                key = providerKeys.select(x.route().id());
            } catch (VaultSealedException sealed) {
                throw new Refusal(503, ErrorType.API, "the key vault is sealed; an operator must unseal it"
                        + " (keywarden vault unseal) before requests can be served");
            } catch (RuntimeException vaultDown) {
                LOG.error("request {}: provider key selection failed, refusing (fail closed): {}", x.requestId(), vaultDown.toString());
                throw new Refusal(503, ErrorType.API, "the gateway cannot open a provider key right now; retry shortly");
            }
            if (key.isEmpty()) {
                throw new Refusal(503, ErrorType.API,
                        "no provider key is available to serve this request; an operator must add or unseal one");
            }
            x.upstreamKey(key.get());
            return false;
        };
    }

    /**
     * Forwards the call with the chosen key and relays the answer ({@link UpstreamExchange}); on
     * {@link Route#MESSAGES} successful output passes through {@code outputFilter}. Takes the call over.
     * With {@code upstream.max_connections} calls already in flight it refuses at once with 529
     * {@code overloaded_error} ({@link UpstreamSlots}) rather than queueing the call behind the cap.
     */
    @Override
    public Stage forward(OutputFilter outputFilter) {
        OutputFilter messagesFilter = outputFilter == OutputFilter.NONE ? null : outputFilter;
        return x -> {
            ProviderKey key = (ProviderKey) x.upstreamKey();
            x.forwardingWith(key);
            URI target;
            try {
                target = targets.of(x.path(), x.query());
            } catch (IllegalArgumentException e) {
                throw new Refusal(400, ErrorType.INVALID_REQUEST, "the query string is not valid");
            }
            UpstreamCall call = new UpstreamCall(client, x.method(), target, GatewayHeaders.upstreamRequestHeaders(x.requestHeaders(), headerFilter), x.body(),
                    contentType(x), idleMillis);
            // refuses at once (529) when the cap is reached: no call waits behind it
            UpstreamExchange.Attempt attempt = new UpstreamExchange.Attempt(x, slots.acquire());
            try {
                UpstreamExchange exchange = new UpstreamExchange(x, providerKeys, call,
                        x.route() == Route.MESSAGES ? messagesFilter : null, attempt, true);
                x.sink().relaying(attempt::clientFailed);
                exchange.send(key);
            } catch (RuntimeException e) {
                attempt.ended();
                throw e;
            }
            return true;
        };
    }

    private static String contentType(ExchangeState x) {
        String contentType = x.requestHeaders().get(HttpHeader.CONTENT_TYPE);
        return contentType == null ? MimeTypes.Type.APPLICATION_JSON.asString() : contentType;
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception ignored) {
            // best effort on shutdown
        }
    }
}
