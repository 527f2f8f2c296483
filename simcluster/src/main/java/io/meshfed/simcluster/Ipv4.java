package io.meshfed.simcluster;

/** IPv4 addresses as unsigned 32-bit numbers, which keeps address arithmetic readable. */
final class Ipv4 {

  private Ipv4() {
  }

  static long parse(String dotted) {
    String[] octets = dotted.split("\\.");
    if (octets.length != 4) {
      throw new IllegalArgumentException("not an IPv4 address: " + dotted);
    }
    long value = 0;
    for (String octet : octets) {
      int part = Integer.parseInt(octet);
      if (part < 0 || part > 255) {
        throw new IllegalArgumentException("not an IPv4 address: " + dotted);
      }
      value = (value << 8) | part;
    }
    return value;
  }

  static String format(long address) {
    return ((address >> 24) & 0xff) + "." + ((address >> 16) & 0xff) + "." + ((address >> 8) & 0xff) + "."
        + (address & 0xff);
  }

  static String cidr(long base, int prefixLength) {
    return format(base) + "/" + prefixLength;
  }
}
