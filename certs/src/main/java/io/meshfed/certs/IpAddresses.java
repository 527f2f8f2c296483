package io.meshfed.certs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Parses IP literals without ever asking DNS (InetAddress.getByName would resolve host names). */
public final class IpAddresses {
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]+");

  private IpAddresses() {}

  public static InetAddress parse(String field, String value) {
    if (value == null || !(IPV4.matcher(value).matches() || (value.contains(":") && IPV6.matcher(value).matches()))) {
      throw new PkiException(field, "\"" + value + "\" is not an IPv4 or IPv6 address");
    }
    try {
      return InetAddress.getByName(value);
    } catch (UnknownHostException e) {
      throw new PkiException(field, "\"" + value + "\" is not an IP address: " + e.getMessage(), e);
    }
  }
}
