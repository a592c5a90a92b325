package dev.keywarden.doctor;

import dev.keywarden.config.HostPort;

/**
 * The client listener is not reachable in plain HTTP from other machines: a listener with {@code server.tls.*} is a
 * PASS wherever it listens; a plain-HTTP listener on a loopback address is a PASS (a TLS-terminating proxy on the
 * same host may publish it); a plain-HTTP listener on any other address is a FAIL (keys and prompts would cross the
 * network in clear text), and so is {@code server.h2c} there. An admin listener on another host without
 * {@code admin.tls.*} is judged by the admin-listener check.
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
        if (input.config().server().tls().isPresent()) {
            return pass("listen " + listen + " serves HTTPS (server.tls.cert " + input.config().server().tls().get().cert()
                    + ", TLS 1.2+, HTTP/2 by ALPN)");
        }
        if (Listeners.loopbackOnly(listen)) {
            return pass("listen " + listen + " is loopback-only (serve other hosts with server.tls.* or a TLS-terminating"
                    + " proxy on the same host)");
        }
        return fail("listen " + listen + " accepts connections from other hosts over plain HTTP",
                "set server.tls.cert and server.tls.key (KEYWARDEN_TLS_CERT, KEYWARDEN_TLS_KEY) to a PEM certificate chain"
                        + " and key, or set listen (KEYWARDEN_LISTEN) to 127.0.0.1:8787 and publish the gateway through a"
                        + " TLS-terminating reverse proxy on the same host (nginx, Caddy, Envoy, a cloud load balancer)");
    }
}
