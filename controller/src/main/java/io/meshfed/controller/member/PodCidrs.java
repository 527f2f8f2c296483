package io.meshfed.controller.member;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Pod CIDR arithmetic for the join pre-flight: a joining member's Pod CIDRs must not share an
 * address with another member's, or routing between the clusters would be ambiguous.
 */
public final class PodCidrs {

  private PodCidrs() {
  }

  /** Parses an IPv4 or IPv6 CIDR without any DNS lookup; see {@link PodCidr#parse(String)}. */
  public static PodCidr parse(String cidr) {
    return PodCidr.parse(cidr);
  }

  /** True when the blocks share an address (one contains the other; v4 and v6 never overlap). */
  public static boolean overlaps(PodCidr a, PodCidr b) {
    return a.overlaps(b);
  }

  /** {@link #overlaps(PodCidr, PodCidr)} on text; errors name the field {@value PodCidr#FIELD}. */
  public static boolean overlaps(String a, String b) {
    return parse(a).overlaps(parse(b));
  }

  /**
   * Every pair (one of {@code mine}, one of {@code others}) that overlaps, in the order of
   * {@code mine} then {@code others}; empty when the member may join.
   */
  public static List<CidrOverlap> overlapsAny(Collection<PodCidr> mine, Collection<PodCidr> others) {
    List<CidrOverlap> conflicts = new ArrayList<>();
    for (PodCidr candidate : mine) {
      for (PodCidr other : others) {
        if (candidate.overlaps(other)) {
          conflicts.add(new CidrOverlap(candidate, other));
        }
      }
    }
    return List.copyOf(conflicts);
  }
}
