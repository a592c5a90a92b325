package dev.keywarden.testing;

import dev.keywarden.pipeline.PipelineComposition;
import dev.keywarden.config.HostPort;
import dev.keywarden.config.ServerConfig;
import dev.keywarden.config.UpstreamConfig;
import dev.keywarden.gateway.GatewayServer;
import dev.keywarden.gateway.UpstreamForwarding;
import dev.keywarden.pipeline.Authenticator;
import dev.keywarden.vault.ProviderKeys;

/**
 * A proxy listener on an ephemeral loopback port whose pipeline is the serving composition with only
 * authentication and the upstream filled in (every other stage its no-op), for tests of the relay and
 * of provider-key handling.
 */
public final class TestPipelines {

    private TestPipelines() {
    }

    /** Starts it; closing the returned server also stops its upstream client. */
    public static GatewayServer proxy(ServerConfig server, UpstreamConfig upstream, ProviderKeys keys, Authenticator authenticator) {
        UpstreamForwarding forwarding = UpstreamForwarding.start(server, upstream, keys);
        return GatewayServer.builder().listen(new HostPort("127.0.0.1", 0)).server(server)
                .pipeline(PipelineComposition.compose(new PipelineComposition.Parts(server.maxBodyBytes())
                        .authenticator(authenticator).upstream(forwarding)))
                .alsoClose(forwarding).start();
    }
}
