package dev.keywarden.doctor;

import dev.keywarden.config.HostPort;

/**
 * The client listener is not reachable in plain HTTP from other machines. Keywarden serves plain HTTP
 * (it has no TLS setting and no "behind a TLS proxy" declaration), so a listener on a non-loopback
 * address is a FAIL: keys and prompts would cross the network in clear text.
 */
final class TlsCheck implements Check {

    @Override
    public String id() {
        return "tls";
    }

    @Override
    public String title() {
        return "TLS on non-localhost listeners";
    }

    @Override
    public CheckResult run(DoctorInput input) {
        HostPort listen = input.config().listen();
        if (Listeners.loopbackOnly(listen)) {
            return pass("listen " + listen + " is loopback-only (put a TLS-terminating proxy in front to serve other hosts)");
        }
        return fail("listen " + listen + " accepts connections from other hosts over plain HTTP (Keywarden does not "
                        + "terminate TLS)",
                "set listen (KEYWARDEN_LISTEN) to 127.0.0.1:8787 and publish the gateway through a TLS-terminating reverse "
                        + "proxy on the same host (nginx, Caddy, Envoy, a cloud load balancer with HTTPS)");
    }
}
