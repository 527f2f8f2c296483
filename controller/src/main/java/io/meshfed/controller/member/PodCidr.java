package io.meshfed.controller.member;

import io.meshfed.api.cluster.InvalidValueException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An IPv4 or IPv6 CIDR block such as {@code 10.1.0.0/16} or {@code fd00:10:1::/64}.
 *
 * <p>Parsed by hand, never through {@link java.net.InetAddress}: {@code InetAddress.getByName}
 * resolves anything that is not a literal through DNS, and a Pod CIDR read from a member must
 * never cause a lookup. Host bits are masked off, as Go's {@code net.ParseCIDR} does for the
 * network it returns ({@code 10.1.2.3/16} is the block {@code 10.1.0.0/16}); IPv4 octets with
 * leading zeros are refused, as Go refuses them (they would read as octal elsewhere).
 */
public final class PodCidr implements Comparable<PodCidr> {

  /** Field name used in messages when the caller does not give one. */
  public static final String FIELD = "pod-cidr";

  private static final int IPV4_BITS = 32;
  private static final int IPV6_BITS = 128;
  private static final int IPV6_GROUPS = 8;

  private final boolean ipv6;
  private final BigInteger network;
  private final int prefixLength;

  private PodCidr(boolean ipv6, BigInteger network, int prefixLength) {
    this.ipv6 = ipv6;
    this.prefixLength = prefixLength;
    this.network = network.andNot(hostMask(bits(ipv6), prefixLength));
  }

  /** Parses {@code raw}; errors name the field {@value #FIELD}. */
  public static PodCidr parse(String raw) {
    return parse(FIELD, raw);
  }

  /**
   * Parses {@code raw} as {@code ADDRESS/PREFIX}.
   *
   * @throws InvalidValueException naming {@code field} when the text is not a CIDR
   */
  public static PodCidr parse(String field, String raw) {
    if (raw == null || raw.isBlank()) {
      throw new InvalidValueException(field, raw, "must be a CIDR such as 10.1.0.0/16 or fd00::/64");
    }
    String text = raw.strip();
    int slash = text.indexOf('/');
    if (slash < 0 || slash != text.lastIndexOf('/')) {
      throw new InvalidValueException(field, raw, "must be ADDRESS/PREFIX, such as 10.1.0.0/16 or fd00::/64");
    }
    String address = text.substring(0, slash);
    String prefix = text.substring(slash + 1);
    boolean ipv6 = address.indexOf(':') >= 0;
    BigInteger value = ipv6 ? parseIpv6(field, raw, address) : parseIpv4(field, raw, address);
    int bits = bits(ipv6);
    if (prefix.isEmpty() || prefix.length() > 3 || !prefix.chars().allMatch(PodCidr::isDecimalDigit)
        || (prefix.length() > 1 && prefix.charAt(0) == '0') || Integer.parseInt(prefix) > bits) {
      throw new InvalidValueException(field, raw, "must have a prefix length of 0.." + bits);
    }
    return new PodCidr(ipv6, value, Integer.parseInt(prefix));
  }

  public boolean isIpv6() {
    return ipv6;
  }

  public int prefixLength() {
    return prefixLength;
  }

  /** True when every address of {@code other} is in this block. */
  public boolean contains(PodCidr other) {
    return ipv6 == other.ipv6 && prefixLength <= other.prefixLength
        && other.network.andNot(hostMask(bits(ipv6), prefixLength)).equals(network);
  }

  /**
   * True when the two blocks share an address. CIDR blocks never overlap partially: they overlap
   * exactly when one contains the other. An IPv4 block never overlaps an IPv6 one.
   */
  public boolean overlaps(PodCidr other) {
    return contains(other) || other.contains(this);
  }

  private static int bits(boolean ipv6) {
    return ipv6 ? IPV6_BITS : IPV4_BITS;
  }

  private static BigInteger hostMask(int bits, int prefixLength) {
    return BigInteger.ONE.shiftLeft(bits - prefixLength).subtract(BigInteger.ONE);
  }

  private static boolean isDecimalDigit(int c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHexDigit(int c) {
    return isDecimalDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }

  private static BigInteger parseIpv4(String field, String raw, String address) {
    long value = parseIpv4Bits(address);
    if (value < 0) {
      throw new InvalidValueException(field, raw, "must start with an IPv4 address of four decimal octets 0..255"
          + " without leading zeros, or an IPv6 address");
    }
    return BigInteger.valueOf(value);
  }

  /** The 32 bits of a dotted quad, or -1 when it is not one. */
  private static long parseIpv4Bits(String address) {
    String[] octets = address.split("\\.", -1);
    if (octets.length != 4) {
      return -1;
    }
    long value = 0;
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(PodCidr::isDecimalDigit)
          || (octet.length() > 1 && octet.charAt(0) == '0')) {
        return -1;
      }
      int number = Integer.parseInt(octet);
      if (number > 255) {
        return -1;
      }
      value = (value << 8) | number;
    }
    return value;
  }

  private static BigInteger parseIpv6(String field, String raw, String address) {
    List<Integer> groups = parseIpv6Groups(address);
    if (groups == null) {
      throw new InvalidValueException(field, raw, "must start with an IPv6 address of eight groups of 1..4 hex"
          + " digits (\"::\" at most once, an IPv4 tail allowed), or an IPv4 address");
    }
    BigInteger value = BigInteger.ZERO;
    for (int group : groups) {
      value = value.shiftLeft(16).or(BigInteger.valueOf(group));
    }
    return value;
  }

  /** The eight 16-bit groups of an IPv6 literal, or null when it is not one (zones are refused). */
  private static List<Integer> parseIpv6Groups(String address) {
    int doubleColon = address.indexOf("::");
    if (doubleColon >= 0 && address.indexOf("::", doubleColon + 1) >= 0) {
      return null;
    }
    List<Integer> head;
    List<Integer> tail;
    if (doubleColon < 0) {
      head = parseGroupList(address, true);
      tail = List.of();
    } else {
      head = parseGroupList(address.substring(0, doubleColon), false);
      tail = parseGroupList(address.substring(doubleColon + 2), true);
    }
    if (head == null || tail == null) {
      return null;
    }
    int present = head.size() + tail.size();
    if (doubleColon < 0 ? present != IPV6_GROUPS : present >= IPV6_GROUPS) {
      return null;
    }
    List<Integer> groups = new ArrayList<>(head);
    for (int i = present; i < IPV6_GROUPS; i++) {
      groups.add(0);
    }
    groups.addAll(tail);
    return groups;
  }

  /** Colon-separated groups ("" is no group); the last may be a dotted quad when allowed. */
  private static List<Integer> parseGroupList(String text, boolean ipv4TailAllowed) {
    List<Integer> groups = new ArrayList<>();
    if (text.isEmpty()) {
      return groups;
    }
    String[] parts = text.split(":", -1);
    for (int i = 0; i < parts.length; i++) {
      String part = parts[i];
      if (ipv4TailAllowed && i == parts.length - 1 && part.indexOf('.') >= 0) {
        long ipv4 = parseIpv4Bits(part);
        if (ipv4 < 0) {
          return null;
        }
        groups.add((int) (ipv4 >>> 16));
        groups.add((int) (ipv4 & 0xffff));
      } else if (part.isEmpty() || part.length() > 4 || !part.chars().allMatch(PodCidr::isHexDigit)) {
        return null;
      } else {
        groups.add(Integer.parseInt(part, 16));
      }
    }
    return groups;
  }

  /** Orders IPv4 before IPv6, then by network address, then wider blocks first. */
  @Override
  public int compareTo(PodCidr other) {
    if (ipv6 != other.ipv6) {
      return ipv6 ? 1 : -1;
    }
    int byNetwork = network.compareTo(other.network);
    return byNetwork != 0 ? byNetwork : Integer.compare(prefixLength, other.prefixLength);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof PodCidr that && ipv6 == that.ipv6 && prefixLength == that.prefixLength
        && network.equals(that.network);
  }

  @Override
  public int hashCode() {
    return Objects.hash(ipv6, network, prefixLength);
  }

  /** The canonical text: the network address (RFC 5952 form for IPv6) and the prefix length. */
  @Override
  public String toString() {
    return (ipv6 ? formatIpv6() : formatIpv4()) + "/" + prefixLength;
  }

  private String formatIpv4() {
    long value = network.longValue();
    return ((value >>> 24) & 0xff) + "." + ((value >>> 16) & 0xff) + "." + ((value >>> 8) & 0xff) + "." + (value & 0xff);
  }

  /** RFC 5952: lower-case hex, no leading zeros, the longest run of two or more zero groups as "::". */
  private String formatIpv6() {
    int[] groups = new int[IPV6_GROUPS];
    for (int i = 0; i < IPV6_GROUPS; i++) {
      groups[i] = network.shiftRight(16 * (IPV6_GROUPS - 1 - i)).intValue() & 0xffff;
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < IPV6_GROUPS; i++) {
      int length = 0;
      while (i + length < IPV6_GROUPS && groups[i + length] == 0) {
        length++;
      }
      if (length > bestLength) {
        bestStart = i;
        bestLength = length;
      }
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < IPV6_GROUPS; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(Integer.toHexString(groups[i]));
    }
    return out.toString();
  }
}
