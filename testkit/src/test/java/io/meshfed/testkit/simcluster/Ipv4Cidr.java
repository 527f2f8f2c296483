package io.meshfed.testkit.simcluster;

/** An IPv4 CIDR for test assertions: containment and overlap. */
record Ipv4Cidr(long base, int prefixLength) {

  static Ipv4Cidr parse(String cidr) {
    String[] parts = cidr.split("/");
    return new Ipv4Cidr(address(parts[0]), Integer.parseInt(parts[1]));
  }

  static long address(String dotted) {
    long value = 0;
    for (String octet : dotted.split("\\.")) {
      value = (value << 8) | Integer.parseInt(octet);
    }
    return value;
  }

  long size() {
    return 1L << (32 - prefixLength);
  }

  boolean contains(String ip) {
    long address = address(ip);
    return address >= base && address < base + size();
  }

  boolean overlaps(Ipv4Cidr other) {
    return base < other.base + other.size() && other.base < base + size();
  }
}
