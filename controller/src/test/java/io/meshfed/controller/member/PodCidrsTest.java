package io.meshfed.controller.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.api.cluster.InvalidValueException;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Pod CIDR parsing and overlap arithmetic (IPv4 and IPv6, no DNS)")
class PodCidrsTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "10.1.0.0/16, 10.1.0.0/16",
      "10.1.2.3/16, 10.1.0.0/16",
      "0.0.0.0/0, 0.0.0.0/0",
      "192.168.1.255/32, 192.168.1.255/32",
      "fd00:10:1::/64, fd00:10:1::/64",
      "FD00:0010:0001:0000:0000:0000:0000:0000/48, fd00:10:1::/48",
      "2001:db8::1/128, 2001:db8::1/128",
      "2001:db8:0:0:1:0:0:1/128, 2001:db8::1:0:0:1/128",
      "::/0, ::/0",
      "::ffff:10.1.0.0/112, ::ffff:a01:0/112",
      "1:2:3:4:5:6:7::/128, 1:2:3:4:5:6:7:0/128",
      "fd00::abcd/120, fd00::ab00/120",
  })
  void parsesToTheCanonicalNetwork(String raw, String canonical) {
    assertThat(PodCidrs.parse(raw)).hasToString(canonical);
    assertThat(PodCidrs.parse(canonical)).isEqualTo(PodCidrs.parse(raw));
  }

  @ParameterizedTest(name = "\"{0}\" is refused")
  @ValueSource(strings = {"", "10.1.0.0", "10.1.0.0/33", "10.1.0/16", "10.1.0.0.0/16", "256.1.0.0/16",
      "010.1.0.0/16", "10.1.0.0/016", "10.1.0.0/-1", "10.1.0.0/16/1", "fd00::/129", "fd00:::1/64",
      "fd00::1::2/64", "12345::/64", "1:2:3:4:5:6:7:8:9/64", "1:2:3:4:5:6:7/64", "fe80::1%eth0/64",
      "localhost/8", "example.com/24", "fd00::g/64", " /8"})
  void refusesWhatIsNotACidrWithoutLookingItUp(String raw) {
    // A host name must never be resolved: "localhost/8" is refused by syntax alone.
    assertThatThrownBy(() -> PodCidrs.parse(raw))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageStartingWith(PodCidr.FIELD);
  }

  @Test
  void errorsNameTheFieldTheCallerGives() {
    assertThatThrownBy(() -> PodCidr.parse("Node n1 spec.podCIDRs", "10.1.0.0"))
        .isInstanceOf(InvalidValueException.class)
        .hasMessageContaining("Node n1 spec.podCIDRs")
        .hasMessageContaining("\"10.1.0.0\"");
  }

  @ParameterizedTest(name = "{0} and {1}: {2}")
  @CsvSource({
      // identical, nested either way, the whole space
      "10.1.0.0/16, 10.1.0.0/16, true",
      "10.1.0.0/16, 10.1.7.0/24, true",
      "10.1.7.0/24, 10.1.0.0/16, true",
      "0.0.0.0/0, 172.16.0.0/12, true",
      "10.1.0.0/16, 10.1.255.255/32, true",
      // adjacent, disjoint
      "10.1.0.0/16, 10.2.0.0/16, false",
      "10.1.0.0/24, 10.1.1.0/24, false",
      "10.0.0.0/15, 10.2.0.0/16, false",
      "10.0.0.0/15, 10.1.0.0/16, true",
      // IPv6
      "fd00:10:1::/48, fd00:10:1:5::/64, true",
      "fd00:10:1::/64, fd00:10:1:1::/64, false",
      "fd00::/8, fdff:ffff::/32, true",
      "fd00::/8, fe80::/10, false",
      "::/0, 2001:db8::/32, true",
      // families never overlap, even for the same bits
      "0.0.0.0/0, ::/0, false",
      "10.1.0.0/16, ::a01:0/112, false",
  })
  void overlapMeansOneContainsTheOther(String a, String b, boolean overlap) {
    assertThat(PodCidrs.overlaps(a, b)).isEqualTo(overlap);
    assertThat(PodCidrs.overlaps(b, a)).as("symmetric").isEqualTo(overlap);
  }

  @Test
  void overlapsAnyReturnsEveryConflictingPair() {
    List<PodCidr> joining = List.of(PodCidrs.parse("10.1.0.0/16"), PodCidrs.parse("fd00:1::/64"),
        PodCidrs.parse("10.9.0.0/24"));
    List<PodCidr> others = List.of(PodCidrs.parse("10.0.0.0/8"), PodCidrs.parse("10.1.4.0/24"),
        PodCidrs.parse("10.2.0.0/16"), PodCidrs.parse("fd00:1::/48"), PodCidrs.parse("fd00:2::/64"));

    assertThat(PodCidrs.overlapsAny(joining, others)).extracting(CidrOverlap::toString).containsExactly(
        "10.1.0.0/16 overlaps 10.0.0.0/8",
        "10.1.0.0/16 overlaps 10.1.4.0/24",
        "fd00:1::/64 overlaps fd00:1::/48",
        "10.9.0.0/24 overlaps 10.0.0.0/8");
  }

  @Test
  void overlapsAnyIsEmptyForDisjointMembers() {
    // The simulated clusters' layout: 10.<id>.0.0/16 per cluster.
    List<PodCidr> c1 = List.of(PodCidrs.parse("10.1.0.0/24"), PodCidrs.parse("10.1.1.0/24"));
    List<PodCidr> c2 = List.of(PodCidrs.parse("10.2.0.0/24"), PodCidrs.parse("10.2.1.0/24"));
    assertThat(PodCidrs.overlapsAny(c1, c2)).isEmpty();
    assertThat(PodCidrs.overlapsAny(c1, List.of())).isEmpty();
  }

  @Test
  void sortsIpv4FirstThenByAddressThenWiderFirst() {
    List<PodCidr> sorted = new TreeSet<>(List.of(PodCidrs.parse("fd00::/64"),
        PodCidrs.parse("10.2.0.0/16"), PodCidrs.parse("10.1.0.0/24"), PodCidrs.parse("10.1.0.0/16"))).stream().toList();
    assertThat(sorted).extracting(PodCidr::toString)
        .containsExactly("10.1.0.0/16", "10.1.0.0/24", "10.2.0.0/16", "fd00::/64");
  }
}
