package dev.keywarden.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.config.ServerConfig.ForwardedHeader;
import dev.keywarden.config.TrustedProxies;
import java.net.InetAddress;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.junit.jupiter.api.Test;

class ClientAddressResolverTest {

    static final TrustedProxies PROXIES = TrustedProxies.parse("10.0.0.0/8, 2001:db8:a::/48");
    static final ClientAddressResolver XFF = new ClientAddressResolver(PROXIES, ForwardedHeader.X_FORWARDED_FOR);
    static final ClientAddressResolver FORWARDED = new ClientAddressResolver(PROXIES, ForwardedHeader.FORWARDED);

    static InetAddress ip(String literal) {
        return ClientAddressResolver.literal(literal);
    }

    static HttpFields headers(String... nameValue) {
        HttpFields.Mutable h = HttpFields.build();
        for (int i = 0; i < nameValue.length; i += 2) {
            h.add(nameValue[i], nameValue[i + 1]);
        }
        return h;
    }

    @Test
    void headersFromAnUntrustedPeerAreIgnored() {
        HttpFields spoofed = headers("X-Forwarded-For", "198.51.100.1", "Forwarded", "for=198.51.100.2");
        assertThat(XFF.resolve(ip("203.0.113.5"), spoofed)).isEqualTo(ip("203.0.113.5"));
        assertThat(FORWARDED.resolve(ip("203.0.113.5"), spoofed)).isEqualTo(ip("203.0.113.5"));
    }

    @Test
    void noPeerIsTrustedWhenNoProxyIsConfigured() {
        ClientAddressResolver none = new ClientAddressResolver(TrustedProxies.NONE, ForwardedHeader.X_FORWARDED_FOR);
        assertThat(none.resolve(ip("10.0.0.1"), headers("X-Forwarded-For", "198.51.100.1"))).isEqualTo(ip("10.0.0.1"));
    }

    @Test
    void aTrustedProxysForwardedForNamesTheClient() {
        assertThat(XFF.resolve(ip("10.0.0.1"), headers("X-Forwarded-For", "198.51.100.7"))).isEqualTo(ip("198.51.100.7"));
    }

    @Test
    void theRightMostUntrustedHopWinsSoAClientCannotPrependAnAddress() {
        // the client wrote "1.1.1.1" itself; its real address 198.51.100.7 was appended by the first proxy
        HttpFields h = headers("X-Forwarded-For", "1.1.1.1, 198.51.100.7, 10.1.2.3");
        assertThat(XFF.resolve(ip("10.0.0.1"), h)).isEqualTo(ip("198.51.100.7"));
    }

    @Test
    void severalHeaderLinesReadAsOneListInOrder() {
        HttpFields h = headers("X-Forwarded-For", "1.1.1.1", "X-Forwarded-For", "198.51.100.7, 10.1.2.3");
        assertThat(XFF.resolve(ip("10.0.0.1"), h)).isEqualTo(ip("198.51.100.7"));
    }

    @Test
    void whenEveryHopIsATrustedProxyTheLeftMostIsTheClient() {
        assertThat(XFF.resolve(ip("10.0.0.1"), headers("X-Forwarded-For", "10.9.9.9, 10.1.2.3"))).isEqualTo(ip("10.9.9.9"));
    }

    @Test
    void withoutTheHeaderATrustedPeerIsItselfTheClient() {
        assertThat(XFF.resolve(ip("10.0.0.1"), headers())).isEqualTo(ip("10.0.0.1"));
    }

    @Test
    void aHopThatIsNotAnAddressStopsAtTheNearestTrustedProxyNeverAHostName() {
        assertThat(XFF.resolve(ip("10.0.0.1"), headers("X-Forwarded-For", "198.51.100.7, unknown, 10.1.2.3")))
                .isEqualTo(ip("10.1.2.3"));
        assertThat(XFF.resolve(ip("10.0.0.1"), headers("X-Forwarded-For", "localhost"))).isEqualTo(ip("10.0.0.1"));
        assertThat(XFF.resolve(ip("10.0.0.1"), headers("X-Forwarded-For", "example.com"))).isEqualTo(ip("10.0.0.1"));
        assertThat(XFF.resolve(ip("10.0.0.1"), headers("X-Forwarded-For", ""))).isEqualTo(ip("10.0.0.1"));
    }

    @Test
    void ipv6PeersHopsAndRangesWork() {
        assertThat(XFF.resolve(ip("2001:db8:a::1"), headers("X-Forwarded-For", "2001:db8:ffff::42, 2001:db8:a:1::9")))
                .isEqualTo(ip("2001:db8:ffff::42"));
        assertThat(XFF.resolve(ip("2001:db8:b::1"), headers("X-Forwarded-For", "198.51.100.7")))
                .as("outside the trusted /48").isEqualTo(ip("2001:db8:b::1"));
        assertThat(XFF.resolve(ip("10.0.0.1"), headers("X-Forwarded-For", "[2001:db8::5]:4711")))
                .isEqualTo(ip("2001:db8::5"));
    }

    @Test
    void anIpv4HopMayCarryAPortAndAMappedIpv6PeerCountsAsIpv4() {
        assertThat(XFF.resolve(ip("10.0.0.1"), headers("X-Forwarded-For", "198.51.100.7:51234"))).isEqualTo(ip("198.51.100.7"));
        assertThat(XFF.resolve(ip("::ffff:10.0.0.1"), headers("X-Forwarded-For", "198.51.100.7"))).isEqualTo(ip("198.51.100.7"));
    }

    @Test
    void forwardedSyntaxQuotedIpv6PortsParametersAndCase() {
        HttpFields h = headers("Forwarded", "for=1.1.1.1, For=\"[2001:db8:cafe::17]:4711\";proto=https;by=10.0.0.9,"
                + " for=10.4.4.4;host=\"gw.example.com\"");
        assertThat(FORWARDED.resolve(ip("10.0.0.1"), h)).isEqualTo(ip("2001:db8:cafe::17"));
        assertThat(FORWARDED.resolve(ip("10.0.0.1"), headers("Forwarded", "proto=https;for=192.0.2.60")))
                .isEqualTo(ip("192.0.2.60"));
    }

    @Test
    void forwardedUnknownAndObfuscatedHopsStopTheWalk() {
        assertThat(FORWARDED.resolve(ip("10.0.0.1"), headers("Forwarded", "for=192.0.2.60, for=unknown")))
                .isEqualTo(ip("10.0.0.1"));
        assertThat(FORWARDED.resolve(ip("10.0.0.1"), headers("Forwarded", "for=192.0.2.60, for=_hidden, for=10.2.2.2")))
                .isEqualTo(ip("10.2.2.2"));
        assertThat(FORWARDED.resolve(ip("10.0.0.1"), headers("Forwarded", "proto=https")))
                .as("an element without for=").isEqualTo(ip("10.0.0.1"));
    }

    @Test
    void aQuotedCommaOrSemicolonDoesNotSplitAForwardedElement() {
        HttpFields h = headers("Forwarded", "for=192.0.2.60;host=\"a,b;c\", for=10.3.3.3");
        assertThat(ClientAddressResolver.forwardedHops(h.getValuesList("Forwarded")))
                .containsExactly("192.0.2.60", "10.3.3.3");
        assertThat(FORWARDED.resolve(ip("10.0.0.1"), h)).isEqualTo(ip("192.0.2.60"));
    }

    @Test
    void onlyTheConfiguredHeaderIsReadSoOneAProxyPassesThroughCannotBeForged() {
        HttpFields h = headers("X-Forwarded-For", "198.51.100.7", "Forwarded", "for=1.1.1.1");
        assertThat(XFF.resolve(ip("10.0.0.1"), h)).isEqualTo(ip("198.51.100.7"));
        assertThat(FORWARDED.resolve(ip("10.0.0.1"), h)).isEqualTo(ip("1.1.1.1"));
        assertThat(FORWARDED.resolve(ip("10.0.0.1"), headers("X-Forwarded-For", "198.51.100.7"))).isEqualTo(ip("10.0.0.1"));
    }

    @Test
    void literalsNeverResolveNames() {
        for (String notLiteral : List.of("localhost", "gw.example.com", "1.2.3", "999.1.1.1", "[::1", "::1]", "fe80::1%eth0",
                "1.2.3.4:99999", "_hidden", "unknown")) {
            assertThat(ClientAddressResolver.literal(notLiteral)).as(notLiteral).isNull();
        }
    }

    @Test
    void onlyTheNearestHopsAreRead() {
        StringBuilder many = new StringBuilder("198.51.100.7");
        for (int i = 0; i < ClientAddressResolver.MAX_HOPS + 5; i++) {
            many.append(", 10.0.0.").append(i + 1);
        }
        InetAddress client = XFF.resolve(ip("10.0.0.1"), headers("X-Forwarded-For", many.toString()));
        assertThat(client).as("the left-most hop read, a proxy").isEqualTo(ip("10.0.0.6"));
    }
}
