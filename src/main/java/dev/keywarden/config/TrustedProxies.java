package dev.keywarden.config;

import com.google.common.net.InetAddresses;
import org.eclipse.jetty.util.InetAddressPattern;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers whose forwarding headers the gateway believes ({@code server.trusted_proxies}): a list of IP
 * addresses and CIDR ranges, IPv4 or IPv6. Only IP literals are accepted (never a host name, so reading
 * the setting never asks DNS); a range with bits set after its prefix, or a range of every address
 * ({@code /0}, which would let any client forge its address), is refused at load.
 *
 * <p>{@link #NONE} (the default) trusts no peer: forwarding headers are then never read.
 */
public final class TrustedProxies {

    /** Trusts no peer. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of(), List.of());

    private final List<String> ranges;
    private final List<InetAddressPattern> patterns;

    private TrustedProxies(List<String> ranges, List<InetAddressPattern> patterns) {
        this.ranges = List.copyOf(ranges);
        this.patterns = List.copyOf(patterns);
    }

    /**
     * Parses a comma- or space-separated list such as {@code 10.0.0.0/8, 192.168.1.7, 2001:db8::/32};
     * throws {@link IllegalArgumentException} with a message fit for a one-line configuration error.
     */
    public static TrustedProxies parse(String raw) {
        List<String> ranges = new ArrayList<>();
        List<InetAddressPattern> patterns = new ArrayList<>();
        for (String part : raw.split("[,\\s]+")) {
            String entry = part.strip();
            if (entry.isEmpty()) {
                continue;
            }
            String range = range(entry);
            patterns.add(InetAddressPattern.from(range));
            ranges.add(range);
        }
        return ranges.isEmpty() ? NONE : new TrustedProxies(ranges, patterns);
    }

    /** {@code entry} as {@code address/prefix}, checked; a bare address is a range of one. */
    private static String range(String entry) {
        int slash = entry.indexOf('/');
        String address = slash < 0 ? entry : entry.substring(0, slash);
        if (!InetAddresses.isInetAddress(address) || address.indexOf('%') >= 0) {
            throw new IllegalArgumentException("must list IP addresses or CIDR ranges such as 10.0.0.0/8 or 2001:db8::/32"
                    + " (no host names); '" + entry + "' is not one");
        }
        InetAddress parsed = InetAddresses.forString(address);
        int bits = parsed.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String digits = entry.substring(slash + 1);
            if (!digits.matches("\\d{1,3}") || Integer.parseInt(digits) > bits) {
                throw new IllegalArgumentException("'" + entry + "' has a bad prefix length: use /0 to /" + bits);
            }
            prefix = Integer.parseInt(digits);
        }
        if (prefix == 0) {
            throw new IllegalArgumentException("'" + entry + "' would trust every address, so any client could forge its"
                    + " address; list your proxies' addresses");
        }
        String range = InetAddresses.toAddrString(parsed) + "/" + prefix;
        try {
            InetAddressPattern.from(range);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + entry + "' has bits set after its /" + prefix + " prefix;"
                    + " write the network address of the range");
        }
        return range;
    }

    /** Whether {@code peer} is one of the trusted proxies. */
    public boolean trusts(InetAddress peer) {
        for (InetAddressPattern p : patterns) {
            if (p.test(peer)) {
                return true;
            }
        }
        return false;
    }

    /** True when no peer is trusted. */
    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** The ranges, normalised ({@code address/prefix}). */
    public List<String> ranges() {
        return ranges;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrustedProxies other && ranges.equals(other.ranges);
    }

    @Override
    public int hashCode() {
        return ranges.hashCode();
    }

    @Override
    public String toString() {
        return ranges.isEmpty() ? "none" : String.join(", ", ranges);
    }
}
