package io.meshfed.controller.member;

/**
 * Two Pod CIDR blocks that share addresses.
 *
 * @param mine  the block of the cluster being checked (the joining member)
 * @param other the block it collides with (of another member)
 */
public record CidrOverlap(PodCidr mine, PodCidr other) {

  @Override
  public String toString() {
    return mine + " overlaps " + other;
  }
}
