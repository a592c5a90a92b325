package dev.keywarden.doctor;

import dev.keywarden.config.HostPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/** Whether a listen address is reachable only from this host. Never resolves names through DNS. */
final class Listeners {

    private Listeners() {
    }

    /** True for 127.0.0.0/8, ::1 and {@code localhost}; false for wildcards (0.0.0.0, ::), other addresses and names. */
    static boolean loopbackOnly(HostPort listen) {
        String host = listen.host().strip().toLowerCase(Locale.ROOT);
        if (host.equals("localhost")) {
            return true;
        }
        if (!isIpLiteral(host)) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** True for 0.0.0.0 and :: (every interface). */
    static boolean wildcard(HostPort listen) {
        String host = listen.host().strip();
        return host.equals("0.0.0.0") || host.equals("::") || host.equals("0:0:0:0:0:0:0:0") || host.equals("*");
    }

    private static boolean isIpLiteral(String host) {
        return host.matches("[0-9.]+") || (host.contains(":") && host.matches("[0-9a-f:.]+"));
    }
}
