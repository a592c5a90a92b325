package dev.keywarden.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    static InetAddress ip(String literal) throws Exception {
        return InetAddress.getByName(literal);
    }

    @Test
    void cidrRangesAndSingleAddressesOfBothFamiliesAreTrusted() throws Exception {
        TrustedProxies p = TrustedProxies.parse("10.0.0.0/8, 192.168.1.7 2001:DB8::/32");
        assertThat(p.ranges()).containsExactly("10.0.0.0/8", "192.168.1.7/32", "2001:db8::/32");
        assertThat(p.trusts(ip("10.200.1.1"))).isTrue();
        assertThat(p.trusts(ip("192.168.1.7"))).isTrue();
        assertThat(p.trusts(ip("192.168.1.8"))).isFalse();
        assertThat(p.trusts(ip("2001:db8:1::1"))).isTrue();
        assertThat(p.trusts(ip("2001:db9::1"))).isFalse();
        assertThat(p.trusts(ip("11.0.0.1"))).isFalse();
    }

    @Test
    void anEmptyListTrustsNoOne() {
        assertThat(TrustedProxies.parse(" , ")).isSameAs(TrustedProxies.NONE);
        assertThat(TrustedProxies.NONE.isEmpty()).isTrue();
    }

    @Test
    void hostNamesBadPrefixesHostBitsAndEveryAddressAreRefused() {
        assertThatThrownBy(() -> TrustedProxies.parse("proxy.internal")).hasMessageContaining("no host names")
                .hasMessageContaining("'proxy.internal'");
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33")).hasMessageContaining("use /0 to /32");
        assertThatThrownBy(() -> TrustedProxies.parse("2001:db8::/129")).hasMessageContaining("use /0 to /128");
        assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/x")).hasMessageContaining("bad prefix length");
        assertThatThrownBy(() -> TrustedProxies.parse("10.1.2.3/8")).hasMessageContaining("bits set after its /8 prefix");
        assertThatThrownBy(() -> TrustedProxies.parse("0.0.0.0/0")).hasMessageContaining("would trust every address");
        assertThatThrownBy(() -> TrustedProxies.parse("::/0")).hasMessageContaining("would trust every address");
    }

    @Test
    void aBadEntryStopsStartUpWithOneLineNamingTheSetting() {
        assertThatThrownBy(() -> ServerSection.parse(Values.ofMap(Map.of("server.trusted_proxies", "10.0.0.0/8, nginx"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("server.trusted_proxies (KEYWARDEN_TRUSTED_PROXIES): '10.0.0.0/8, nginx' must list")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        assertThatThrownBy(() -> ServerSection.parse(Values.ofMap(Map.of("server.forwarded_header", "x-real-ip"))))
                .hasMessageContaining("server.forwarded_header").hasMessageContaining("x-forwarded-for or forwarded");
    }

    @Test
    void theDefaultTrustsNoProxyAndReadsXForwardedFor() {
        ServerConfig c = ServerSection.parse(Values.ofMap(Map.of()));
        assertThat(c.trustedProxies().isEmpty()).isTrue();
        assertThat(c.forwardedHeader()).isEqualTo(ServerConfig.ForwardedHeader.X_FORWARDED_FOR);
        ServerConfig set = ServerSection.parse(Values.ofMap(Map.of("server.trusted_proxies", "10.0.0.0/8",
                "server.forwarded_header", "Forwarded")));
        assertThat(set.trustedProxies().ranges()).containsExactly("10.0.0.0/8");
        assertThat(set.forwardedHeader()).isEqualTo(ServerConfig.ForwardedHeader.FORWARDED);
    }
}
