package io.meshfed.certs;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a leaf certificate must say. Servers get DNS/IP subjectAlternativeNames and EKU serverAuth;
 * clients get their identity as CN (e.g. {@code remote-<cluster>}, {@code agent.<cluster>}: etcd and
 * the controller read the CN as the user) and EKU clientAuth.
 *
 * <p>A client leaf may have no CN at all ({@link #anonymousClient()}, {@code commonName} null): a
 * certificate that proves membership of the mesh PKI and no identity. etcd's gRPC proxy needs one
 * for its upstream connection (it refuses a certificate with a CN, which the etcd server would
 * take as a user), and a CN-less certificate is also one etcd grants nothing by itself.
 */
public record LeafSpec(
    Kind kind, String commonName, List<String> dnsNames, List<InetAddress> ipAddresses, Duration validity) {

  /** Default leaf validity: one year. */
  public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);

  /** Which side of a TLS connection the leaf is for. */
  public enum Kind {
    SERVER,
    CLIENT,
    /** Both EKUs: for peers that dial and accept (e.g. etcd members). */
    SERVER_AND_CLIENT
  }

  public LeafSpec {
    Objects.requireNonNull(kind, "kind");
    dnsNames = dnsNames.stream().map(n -> DnsNames.validate("dns", n)).toList();
    if (commonName == null ? kind != Kind.CLIENT : commonName.isBlank()) {
      throw new PkiException("cn", "common name must not be empty");
    }
    if (commonName != null && commonName.length() > 64) {
      throw new PkiException("cn", "common name is longer than 64 characters (X.509 upper bound)");
    }
    ipAddresses = List.copyOf(ipAddresses);
    Objects.requireNonNull(validity, "validity");
    if (validity.isNegative() || validity.isZero()) {
      throw new PkiException("validity", "must be positive");
    }
    if (kind != Kind.CLIENT && dnsNames.isEmpty() && ipAddresses.isEmpty()) {
      throw new PkiException("server", "a server certificate needs at least one --dns or --ip");
    }
  }

  /** A server leaf; the CN is the first DNS name, or the first IP. */
  public static LeafSpec server(List<String> dnsNames, List<InetAddress> ips) {
    String cn = !dnsNames.isEmpty() ? dnsNames.get(0) : ips.isEmpty() ? "" : ips.get(0).getHostAddress();
    return new LeafSpec(Kind.SERVER, cn, dnsNames, ips, DEFAULT_VALIDITY);
  }

  /** A client leaf whose CN is the identity it proves. */
  public static LeafSpec client(String commonName) {
    if (commonName == null) {
      throw new PkiException("cn", "common name must not be empty");
    }
    return new LeafSpec(Kind.CLIENT, commonName, List.of(), List.of(), DEFAULT_VALIDITY);
  }

  /** A client leaf without a CN (subject {@code O=meshfed} only): it proves no identity. */
  public static LeafSpec anonymousClient() {
    return new LeafSpec(Kind.CLIENT, null, List.of(), List.of(), DEFAULT_VALIDITY);
  }

  /** How errors and logs name this leaf: its CN, or {@code (no CN)}. */
  public String describe() {
    return commonName == null ? "(no CN)" : commonName;
  }

  public LeafSpec withValidity(Duration newValidity) {
    return new LeafSpec(kind, commonName, dnsNames, ipAddresses, newValidity);
  }

  public LeafSpec withKind(Kind newKind) {
    return new LeafSpec(newKind, commonName, dnsNames, ipAddresses, validity);
  }

  public LeafSpec withCommonName(String cn) {
    return new LeafSpec(kind, cn, dnsNames, ipAddresses, validity);
  }
}
