package dev.parley.identity;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ClientAddressTests {

    @Test
    void anIpv4AddressIsItsOwnKey() {
        assertThat(ClientAddress.key("203.0.113.7")).isEqualTo("203.0.113.7");
    }

    @Test
    void ipv6AddressesOfOneSlash64ShareAKey() {
        assertThat(ClientAddress.key("2001:db8:1:2:aaaa::1")).isEqualTo(ClientAddress.key("2001:db8:1:2::ffff"))
            .isEqualTo("2001:db8:1:2::/64");
        assertThat(ClientAddress.key("2001:db8:1:3::1")).isNotEqualTo(ClientAddress.key("2001:db8:1:2::1"));
    }

    @Test
    void anIpv4MappedAddressCountsAsItsIpv4Address() {
        assertThat(ClientAddress.key("::ffff:203.0.113.7")).isEqualTo("203.0.113.7");
    }
}
