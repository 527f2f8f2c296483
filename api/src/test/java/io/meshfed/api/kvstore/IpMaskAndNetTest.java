package io.meshfed.api.kvstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.api.cluster.InvalidValueException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IpMaskAndNetTest {

    @ParameterizedTest(name = "/{0} of {1} bits is {2}")
    @CsvSource({"24, 32, ////AA==", "8, 32, /wAAAA==", "32, 32, /////w==", "0, 32, AAAAAA==",
        "64, 128, //////////8AAAAAAAAAAA==", "128, 128, /////////////////////w=="})
    @DisplayName("masks are Go's net.IPMask bytes in standard base64")
    void base64(int ones, int bits, String base64) {
        IpMask mask = IpMask.ofPrefix(ones, bits);
        assertThat(mask.toBase64()).isEqualTo(base64);
        assertThat(IpMask.fromBase64(base64)).contains(mask);
        assertThat(mask.prefixLength()).isEqualTo(ones);
        assertThat(mask.bitLength()).isEqualTo(bits);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/wD/AA==", "not base64!", "////AAA=", "", "//8="})
    @DisplayName("non-prefix masks, odd lengths and non-base64 are refused")
    void refusesOddMasks(String base64) {
        assertThat(IpMask.fromBase64(base64)).isEmpty();
    }

    @Test
    @DisplayName("ofPrefix refuses impossible prefixes")
    void refusesImpossiblePrefixes() {
        assertThatThrownBy(() -> IpMask.ofPrefix(33, 32)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IpMask.ofPrefix(8, 64)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"10.244.0.0/24, 10.244.0.0/24", "10.244.0.5/24, 10.244.0.0/24", "fd00:10:244::/64, fd00:10:244::/64",
        "fd00:10:244:1::9089/64, fd00:10:244:1::/64", "0.0.0.0/0, 0.0.0.0/0"})
    @DisplayName("CIDRs parse like Go's net.ParseCIDR, host bits cleared")
    void parsesCidrs(String text, String printed) {
        assertThat(IpNet.parseCidr("podCIDR", text)).hasToString(printed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/024", "x/8", "10.0.0.0/", "/8", "fd00::/129"})
    @DisplayName("anything else is refused with the field named")
    void refusesBadCidrs(String text) {
        assertThat(IpNet.tryParseCidr(text)).isEmpty();
        assertThatThrownBy(() -> IpNet.parseCidr("spec.ipam.podCIDRs[0]", text))
                .isInstanceOf(InvalidValueException.class)
                .hasMessageStartingWith("spec.ipam.podCIDRs[0]:");
    }

    @Test
    @DisplayName("a mask of the other address family is refused")
    void refusesFamilyMismatch() {
        assertThatThrownBy(() -> new IpNet(IpAddress.parse("ip", "10.0.0.0"), IpMask.ofPrefix(64, 128)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
