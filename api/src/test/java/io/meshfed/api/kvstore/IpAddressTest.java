package io.meshfed.api.kvstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.api.cluster.InvalidValueException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing and printing follow Go's net.ParseIP / net.IP.String, which Cilium's keys are made of. */
class IpAddressTest {

    @ParameterizedTest
    @ValueSource(strings = {"10.244.2.74", "0.0.0.0", "255.255.255.255", "172.18.0.2", "fd00:10:244::e2d6", "::",
        "::1", "fd00:10:244::", "1:0:2:3:4:5:6:7", "fc00:c111::2", "2001:db8::1:0:0:1"})
    @DisplayName("canonical text prints back unchanged")
    void canonicalRoundTrip(String text) {
        assertThat(IpAddress.parse("ip", text)).hasToString(text);
    }

    @ParameterizedTest(name = "{0} prints as {1}")
    @CsvSource({
        "FD00:0:0:0:0:0:0:1, fd00::1",
        "fd00:0010::1, fd00:10::1",
        "0:0:0:0:0:0:0:0, ::",
        "1:0:0:2:0:0:0:3, 1:0:0:2::3",
        "1:0:0:2:3:0:0:4, 1::2:3:0:0:4",
        "::ffff:10.0.0.1, 10.0.0.1",
        "::10.0.0.1, ::a00:1",
        "1:2:3:4:5:6:1.2.3.4, 1:2:3:4:5:6:102:304",
        "1:2:3:4:5:6:7::, 1:2:3:4:5:6:7:0",
        "::2:3:4:5:6:7:8, 0:2:3:4:5:6:7:8"})
    @DisplayName("other spellings print the way Go prints them (RFC 5952, IPv4-mapped as IPv4)")
    void printsLikeGo(String text, String printed) {
        assertThat(IpAddress.parse("ip", text)).hasToString(printed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " 10.0.0.1", "10.0.0.1 ", "010.0.0.1", "10.0.0.01", "1.2.3", "1.2.3.4.5", "256.0.0.1",
        "1..2.3", "1.2.3.", ".1.2.3", "localhost", "host.example", "fe80::1%eth0", "[::1]", ":::", "1::2::3",
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7:8::", "12345::", "::g", "1:2:3:4:5:6:7:1.2.3.4", "::1.2.3",
        ":1::", "1:", "\u0661.\u0662.\u0663.\u0664", "\uff11::", "1.2.3.4/8"})
    @DisplayName("everything Go's net.ParseIP refuses is refused (and nothing is resolved)")
    void refusesLikeGo(String text) {
        assertThat(IpAddress.tryParse(text)).isEmpty();
        assertThat(IpAddress.read("HostIP", text).refusal()).hasValueSatisfying(finding -> {
            assertThat(finding.field()).isEqualTo("HostIP");
            assertThat(finding.rule()).isEqualTo(IpAddress.RULE);
        });
    }

    @Test
    @DisplayName("parse() names the field in its exception")
    void parseThrowsWithField() {
        assertThatThrownBy(() -> IpAddress.parse("spec.ip", "10.0.0.256"))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("spec.ip: \"10.0.0.256\" must be an IPv4 or IPv6 address");
        assertThat(IpAddress.tryParse(null)).isEmpty();
    }

    @Test
    @DisplayName("family, bytes and equality")
    void familyAndBytes() {
        IpAddress v4 = IpAddress.parse("ip", "10.0.0.1");
        assertThat(v4.isIpv4()).isTrue();
        assertThat(v4.bitLength()).isEqualTo(32);
        assertThat(v4.bytes()).containsExactly(10, 0, 0, 1);
        assertThat(IpAddress.parse("ip", "::ffff:10.0.0.1")).isEqualTo(v4);
        IpAddress v6 = IpAddress.parse("ip", "fd00::1");
        assertThat(v6.isIpv4()).isFalse();
        assertThat(v6.bitLength()).isEqualTo(128);
        assertThat(IpAddress.ofBytes(v6.bytes())).isEqualTo(v6).hasSameHashCodeAs(v6);
        assertThatThrownBy(() -> IpAddress.ofBytes(new byte[5])).isInstanceOf(IllegalArgumentException.class);
    }
}
