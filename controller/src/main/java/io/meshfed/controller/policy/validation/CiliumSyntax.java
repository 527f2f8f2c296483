package io.meshfed.controller.policy.validation;

import com.google.re2j.Pattern;
import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.controller.member.PodCidr;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The value syntax of CiliumNetworkPolicy fields, written from the CRD's {@code openAPIV3Schema}
 * (cilium/cilium main 02904c9b and 711821bf, whose union we accept) and from what the Cilium agent
 * and the API server refuse beyond it.
 *
 * <p>CRD patterns are matched with RE2 (linear time): several of them, e.g.
 * {@code ^([-a-zA-Z0-9_]+[.]?)+$}, backtrack exponentially in {@code java.util.regex}.
 */
final class CiliumSyntax {

  /** The entities of the CRD's enum (identical in both CRD versions). */
  static final List<String> ENTITIES = List.of("all", "world", "cluster", "host", "init", "ingress", "unmanaged",
      "remote-node", "health", "none", "kube-apiserver");
  /** Cilium 1.20's entity for every endpoint of every meshed cluster (cilium/cilium#46813, after our CRD snapshot). */
  static final String CLUSTER_MESH = "cluster-mesh";
  /** Entities the agent knows but the CRD's enum omits: the API server refuses them. */
  static final Set<String> AGENT_ONLY_ENTITIES = Set.of("world-ipv4", "world-ipv6");

  /** Port protocols: the older CRD's enum plus the tunnel protocols of the newer one. */
  static final List<String> PROTOCOLS = List.of("TCP", "UDP", "SCTP", "VRRP", "IGMP", "GRE", "IPIP", "IPV6", "ESP",
      "AH", "ANY");
  /** Protocols without transport ports (the newer CRD: they "do not use transport-layer ports"). */
  static final Set<String> PORTLESS_PROTOCOLS = Set.of("VRRP", "IGMP", "GRE", "IPIP", "IPV6", "ESP", "AH");

  static final List<String> AUTHENTICATION_MODES = List.of("disabled", "required", "test-always-fail");
  static final List<String> MISMATCH_ACTIONS = List.of("LOG", "ADD", "DELETE", "REPLACE");
  static final List<String> ENVOY_CONFIG_KINDS = List.of("CiliumEnvoyConfig", "CiliumClusterwideEnvoyConfig");
  static final List<String> ICMP_FAMILIES = List.of("IPv4", "IPv6");
  static final List<String> SELECTOR_OPERATORS = List.of("In", "NotIn", "Exists", "DoesNotExist");

  /**
   * ICMPv4 type names of the CRD's pattern and their numbers; "EchoRequest" is also Echo (8) for
   * IPv4, as cilium/cilium's own host policy example uses it.
   */
  static final Map<String, Integer> ICMPV4_TYPES = Map.ofEntries(Map.entry("EchoReply", 0),
      Map.entry("DestinationUnreachable", 3), Map.entry("Redirect", 5), Map.entry("Echo", 8), Map.entry("EchoRequest", 8),
      Map.entry("RouterAdvertisement", 9), Map.entry("RouterSelection", 10), Map.entry("TimeExceeded", 11),
      Map.entry("ParameterProblem", 12), Map.entry("Timestamp", 13), Map.entry("TimestampReply", 14),
      Map.entry("Photuris", 40), Map.entry("ExtendedEchoRequest", 42), Map.entry("ExtendedEchoReply", 43));
  /** ICMPv6 type names of the CRD's pattern and their numbers. */
  static final Map<String, Integer> ICMPV6_TYPES = Map.ofEntries(Map.entry("DestinationUnreachable", 1),
      Map.entry("PacketTooBig", 2), Map.entry("TimeExceeded", 3), Map.entry("ParameterProblem", 4),
      Map.entry("EchoRequest", 128), Map.entry("EchoReply", 129), Map.entry("MulticastListenerQuery", 130),
      Map.entry("MulticastListenerReport", 131), Map.entry("MulticastListenerDone", 132),
      Map.entry("RouterSolicitation", 133), Map.entry("RouterAdvertisement", 134),
      Map.entry("NeighborSolicitation", 135), Map.entry("NeighborAdvertisement", 136),
      Map.entry("RedirectMessage", 137), Map.entry("RouterRenumbering", 138),
      Map.entry("ICMPNodeInformationQuery", 139), Map.entry("ICMPNodeInformationResponse", 140),
      Map.entry("InverseNeighborDiscoverySolicitation", 141), Map.entry("InverseNeighborDiscoveryAdvertisement", 142),
      Map.entry("HomeAgentAddressDiscoveryRequest", 144), Map.entry("HomeAgentAddressDiscoveryReply", 145),
      Map.entry("MobilePrefixSolicitation", 146), Map.entry("MobilePrefixAdvertisement", 147),
      Map.entry("DuplicateAddressRequestCodeSuffix", 157), Map.entry("DuplicateAddressConfirmationCodeSuffix", 158),
      Map.entry("ExtendedEchoRequest", 160), Map.entry("ExtendedEchoReply", 161));
  /**
   * The CRD's pattern folds a line inside "ExtendedEchoReply", so the API server accepts only the
   * string "ExtendedEcho Reply" (which the agent does not know) and refuses the real name.
   */
  static final String ICMP_NAME_THE_CRD_BREAKS = "ExtendedEchoReply";

  static final int FQDN_MAX_LENGTH = 255;
  static final Pattern FQDN_NAME = Pattern.compile("^([-a-zA-Z0-9_]+[.]?)+$");
  static final Pattern FQDN_PATTERN = Pattern.compile("^([-a-zA-Z0-9_*]+[.]?)+$");
  static final Pattern DNS_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
  static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  static final Pattern LOG_VALUE = Pattern.compile("^\\PC*$");
  static final int LOG_VALUE_MAX_LENGTH = 32;
  /** Label values (the CRD's matchLabels pattern; at most 63). */
  static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
  private static final Pattern LABEL_NAME = Pattern.compile("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
  private static final Pattern LABEL_SOURCE = Pattern.compile("^[A-Za-z0-9][-A-Za-z0-9_.]*$");
  private static final Pattern IANA_SERVICE_NAME = Pattern.compile("^[a-zA-Z0-9]+(-[a-zA-Z0-9]+)*$");
  private static final Pattern HAS_LETTER = Pattern.compile("[a-zA-Z]");
  private static final int IANA_SERVICE_NAME_MAX_LENGTH = 15;

  private CiliumSyntax() {}

  /** A DNS-1123 subdomain (object names): null when valid, else the rule broken. */
  static String dnsSubdomainProblem(String value) {
    if (value.isEmpty()) {
      return "must not be empty";
    }
    if (value.length() > 253) {
      return "must be at most 253 characters (has " + value.length() + ")";
    }
    return DNS_SUBDOMAIN.matches(value) ? null
        : "must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";
  }

  /** A DNS-1123 label (namespaces): null when valid, else the rule broken. */
  static String dnsLabelProblem(String value) {
    if (value.isEmpty()) {
      return "must not be empty";
    }
    if (value.length() > 63) {
      return "must be at most 63 characters (has " + value.length() + ")";
    }
    return DNS_LABEL.matches(value) ? null
        : "must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit";
  }

  /** A Kubernetes label key (a qualified name: optional DNS-subdomain prefix and '/', then a name). */
  static String qualifiedNameProblem(String key) {
    if (key.isEmpty()) {
      return "must not be empty";
    }
    int slash = key.lastIndexOf('/');
    String name = slash < 0 ? key : key.substring(slash + 1);
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      String p = prefix.isEmpty() ? "must not be empty" : dnsSubdomainProblem(prefix);
      if (p != null) {
        return "must have a prefix (before '/') that is a DNS-1123 subdomain: " + p.replace("must ", "");
      }
    }
    if (name.isEmpty() || name.length() > 63 || !LABEL_NAME.matches(name)) {
      return "must have a name (after any '/') of 1 to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
    }
    return null;
  }

  /**
   * A Cilium selector label key: an optional source ({@code k8s:}, {@code any:}, {@code reserved:},
   * ...) and a Kubernetes label key.
   */
  static String selectorKeyProblem(String key) {
    int colon = key.indexOf(':');
    if (colon >= 0) {
      String source = key.substring(0, colon);
      if (!LABEL_SOURCE.matches(source)) {
        return "must be [SOURCE:]KEY with a source such as k8s, any or reserved";
      }
      return qualifiedNameProblem(key.substring(colon + 1));
    }
    return qualifiedNameProblem(key);
  }

  /** A label value: null when valid. */
  static String labelValueProblem(String value) {
    if (value.length() > 63) {
      return "must be at most 63 characters (has " + value.length() + ")";
    }
    return LABEL_VALUE.matches(value) ? null
        : "must be empty or letters, digits, '-', '_' and '.', starting and ending with a letter or digit";
  }

  /**
   * A port: a number 0-65535 or an IANA service name (what the agent accepts; the CRD's own pattern
   * is anchored on one side only and lets e.g. "65536" and "!http" through).
   */
  static String portProblem(String port) {
    if (port.isEmpty()) {
      return "must not be empty: a number 0-65535 or a service name";
    }
    if (port.chars().allMatch(c -> c >= '0' && c <= '9')) {
      if (port.length() > 1 && port.charAt(0) == '0') {
        return "must not have a leading zero (Cilium would read it as octal)";
      }
      if (port.length() > 5 || Integer.parseInt(port) > 65535) {
        return "must be a port number 0-65535";
      }
      return null;
    }
    if (port.length() > IANA_SERVICE_NAME_MAX_LENGTH || !IANA_SERVICE_NAME.matches(port) || !HAS_LETTER.matcher(port).find()) {
      return "must be a port number 0-65535 or an IANA service name (at most 15 letters, digits and single inner '-', with a letter)";
    }
    return null;
  }

  /** The number of a valid numeric port, or -1 for a named port. */
  static int portNumber(String port) {
    return port.chars().allMatch(c -> c >= '0' && c <= '9') ? Integer.parseInt(port) : -1;
  }

  /** An FQDN matchName or matchPattern (the CRD's pattern and length): null when valid. */
  static String fqdnProblem(String value, boolean pattern) {
    if (value.length() > FQDN_MAX_LENGTH) {
      return "must be at most " + FQDN_MAX_LENGTH + " characters (has " + value.length() + ")";
    }
    if (pattern) {
      return FQDN_PATTERN.matches(value) ? null
          : "must match ^([-a-zA-Z0-9_*]+[.]?)+$ (DNS labels with '*' wildcards, no empty label)";
    }
    return FQDN_NAME.matches(value) ? null
        : "must match ^([-a-zA-Z0-9_]+[.]?)+$ (a DNS name: letters, digits, '-' and '_', no wildcard; use matchPattern for '*')";
  }

  /**
   * A CIDR in ADDRESS/PREFIX form, v4 or v6, or null when it is not one. A bare IP is refused: the
   * CRD's {@code format: cidr} makes the API server refuse it (cilium/cilium#47150).
   */
  static PodCidr cidr(String value) {
    if (value.isEmpty() || !value.strip().equals(value) || value.indexOf('/') < 0) {
      return null;
    }
    try {
      return PodCidr.parse("cidr", value);
    } catch (InvalidValueException e) {
      return null;
    }
  }

  /** The rule for a value that {@link #cidr} refused. */
  static String cidrRule(String value) {
    if (value.indexOf('/') < 0 && cidr(value + (value.indexOf(':') >= 0 ? "/128" : "/32")) != null) {
      return "must be a CIDR (ADDRESS/PREFIX): write " + value + (value.indexOf(':') >= 0 ? "/128" : "/32")
          + " (the CRD's format: cidr refuses a bare IP)";
    }
    return "must be a CIDR such as 10.0.0.0/8 or 2001:db8::/32";
  }
}
