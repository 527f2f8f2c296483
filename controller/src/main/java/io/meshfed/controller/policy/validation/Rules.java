package io.meshfed.controller.policy.validation;

import static io.meshfed.controller.policy.validation.Report.child;
import static io.meshfed.controller.policy.validation.Report.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.meshfed.controller.member.PodCidr;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * One Cilium policy rule ({@code spec} or an item of {@code specs}): the CRD's schema, strictly
 * (unknown fields are errors), plus what the Cilium agent's {@code Rule.Sanitize} refuses although
 * the CRD lets it through. The agent-side rules implemented, from {@code pkg/policy/api/rule_validation.go}:
 * <ul>
 *   <li>in one ingress (egress) allow rule, at most one kind of L3 peer (fromEndpoints, fromCIDR,
 *       fromCIDRSet, fromEntities, fromNodes, fromGroups; egress: the to* peers, toServices and toFQDNs
 *       included); deny rules are not sanitized by the agent and may combine them;</li>
 *   <li>toServices not with toPorts; icmps not with toPorts (allow rules);</li>
 *   <li>DNS rules only on egress, only with ports listed, never with a port range; other L7 rules
 *       only with protocol TCP (an omitted protocol is ANY) and never on port 0;</li>
 *   <li>listener only on egress and never with L7 rules; serverNames with L7 rules only together
 *       with terminatingTLS; no L7 rules in host policies (nodeSelector);</li>
 *   <li>nodeSelector only in a CiliumClusterwideNetworkPolicy (the agent refuses it in a namespaced
 *       one);</li>
 *   <li>an {@code except} CIDR must lie inside its {@code cidr}.</li>
 * </ul>
 */
final class Rules {

  /** The four sections of a rule and the fields each one takes (from the CRD). */
  enum Section {
    INGRESS("ingress", false, false, List.of("authentication", "fromCIDR", "fromCIDRSet", "fromEndpoints",
        "fromEntities", "fromGroups", "fromNodes", "fromRequires", "icmps", "toPorts")),
    INGRESS_DENY("ingressDeny", false, true, List.of("fromCIDR", "fromCIDRSet", "fromEndpoints", "fromEntities",
        "fromGroups", "fromNodes", "fromRequires", "icmps", "toPorts")),
    EGRESS("egress", true, false, List.of("authentication", "icmps", "toCIDR", "toCIDRSet", "toEndpoints",
        "toEntities", "toFQDNs", "toGroups", "toNodes", "toPorts", "toRequires", "toServices")),
    EGRESS_DENY("egressDeny", true, true, List.of("icmps", "toCIDR", "toCIDRSet", "toEndpoints", "toEntities",
        "toGroups", "toNodes", "toPorts", "toRequires", "toServices"));

    final String field;
    final boolean egress;
    final boolean deny;
    final List<String> fields;
    final String peer;

    Section(String field, boolean egress, boolean deny, List<String> fields) {
      this.field = field;
      this.egress = egress;
      this.deny = deny;
      this.fields = fields;
      this.peer = egress ? "to" : "from";
    }

    /** The L3 peer fields of which an allow rule may use one kind only (Cilium's {@code l3Members}). */
    List<String> l3Peers() {
      return egress ? List.of("toEndpoints", "toCIDR", "toCIDRSet", "toEntities", "toServices", "toFQDNs", "toGroups", "toNodes")
          : List.of("fromEndpoints", "fromCIDR", "fromCIDRSet", "fromEntities", "fromNodes", "fromGroups");
    }

    Map<String, String> hints() {
      Map<String, String> hints = new HashMap<>();
      hints.put("auth", ": the old auth field was replaced by authentication: {mode: required}");
      List<String> other = (egress ? INGRESS : EGRESS).fields;
      for (String f : other) {
        if (!fields.contains(f) && !f.equals("authentication")) {
          hints.put(f, ": " + field + " rules take " + peer + "* peers (" + String.join(", ", fields) + ")");
        }
      }
      if (deny) {
        hints.put("authentication", ": is not allowed in deny rules");
        if (egress) {
          hints.put("toFQDNs", ": is not supported in egressDeny (the CRD has no toFQDNs there)");
        }
      }
      return Map.copyOf(hints);
    }
  }

  private static final List<String> RULE_FIELDS = List.of("description", "egress", "egressDeny", "enableDefaultDeny",
      "endpointSelector", "ingress", "ingressDeny", "labels", "log", "nodeSelector");
  private static final List<String> PORT_RULE_FIELDS = List.of("listener", "originatingTLS", "ports", "rules",
      "serverNames", "terminatingTLS");
  private static final Map<String, String> DENY_PORT_RULE_HINTS = Map.of(
      "rules", ": deny rules take no L7 rules (ingressDeny/egressDeny toPorts have only ports)",
      "listener", ": is not allowed in deny rules", "serverNames", ": is not allowed in deny rules",
      "terminatingTLS", ": is not allowed in deny rules", "originatingTLS", ": is not allowed in deny rules");
  private static final Map<String, String> L7_HINTS = Map.of(
      "HTTP", ": field names are case-sensitive: use http",
      "DNS", ": field names are case-sensitive: use dns",
      "kafka", ": Kafka rules were removed from Cilium (deprecated in 1.18, removed in 1.20): only http and dns rules remain",
      "l7proto", ": generic L7 (l7proto/l7) rules were removed in Cilium 1.20",
      "l7", ": generic L7 (l7proto/l7) rules were removed in Cilium 1.20");
  private static final int MAX_PORTS = 40;
  private static final int MAX_ICMP_FIELDS = 40;
  /** Cilium and Envoy compile HTTP rule regexes with RE2; longer ones are refused to bound the work. */
  static final int MAX_REGEX_LENGTH = 4096;

  private final Report report;
  private final Selectors selectors;

  Rules(Report report, ValidationContext context) {
    this.report = report;
    this.selectors = new Selectors(report, context);
  }

  void rule(JsonNode node, String path, boolean clusterwide) {
    ObjectNode rule = report.object(node, path);
    if (rule == null) {
      return;
    }
    report.knownFields(rule, path, RULE_FIELDS, Map.of("specs", ": specs is a top-level field, next to spec"));
    boolean endpoint = rule.has("endpointSelector");
    boolean host = rule.has("nodeSelector");
    if (!endpoint && !host) {
      report.error(child(path, "endpointSelector"), null,
          "is required (or nodeSelector for a host policy in a CiliumClusterwideNetworkPolicy): a rule selects exactly one of them");
    }
    if (endpoint && host) {
      report.error(child(path, "nodeSelector"), null, "must not be set together with endpointSelector (a rule selects exactly one of them)");
    }
    if (host && !clusterwide) {
      report.error(child(path, "nodeSelector"), null,
          "is only allowed in a CiliumClusterwideNetworkPolicy (the Cilium agent refuses a namespaced policy with nodeSelector)");
    }
    if (endpoint) {
      String selectorPath = child(path, "endpointSelector");
      selectors.check(rule.get("endpointSelector"), selectorPath);
      if (!clusterwide && Selectors.constrains(rule.get("endpointSelector"), Selectors.NAMESPACE_LABEL)) {
        report.warn(selectorPath, null, "selects on " + Selectors.NAMESPACE_LABEL
            + ", which a CiliumNetworkPolicy does not allow: its endpointSelector always selects pods of the policy's own namespace");
      }
    }
    if (host) {
      selectors.check(rule.get("nodeSelector"), child(path, "nodeSelector"));
    }
    if (!rule.has("ingress") && !rule.has("ingressDeny") && !rule.has("egress") && !rule.has("egressDeny")) {
      report.error(path, null, "must have at least one of ingress, ingressDeny, egress or egressDeny");
    }
    report.string(rule.get("description"), child(path, "description"));
    defaultDeny(rule.get("enableDefaultDeny"), child(path, "enableDefaultDeny"));
    report.items(rule.get("labels"), child(path, "labels"), this::ruleLabel);
    log(rule.get("log"), child(path, "log"));
    for (Section section : Section.values()) {
      report.items(rule.get(section.field), child(path, section.field), (item, p) -> section(section, item, p, host));
    }
  }

  private void defaultDeny(JsonNode node, String path) {
    ObjectNode deny = report.object(node, path);
    if (deny != null) {
      report.knownFields(deny, path, List.of("egress", "ingress"), Map.of());
      report.bool(deny.get("ingress"), child(path, "ingress"));
      report.bool(deny.get("egress"), child(path, "egress"));
    }
  }

  private void ruleLabel(JsonNode node, String path) {
    ObjectNode label = report.object(node, path);
    if (label != null) {
      report.knownFields(label, path, List.of("key", "source", "value"), Map.of());
      report.required(label, path, "key");
      for (String f : List.of("key", "source", "value")) {
        report.string(label.get(f), child(path, f));
      }
    }
  }

  private void log(JsonNode node, String path) {
    ObjectNode log = report.object(node, path);
    if (log == null) {
      return;
    }
    report.knownFields(log, path, List.of("value"), Map.of());
    String valuePath = child(path, "value");
    String value = report.string(log.get("value"), valuePath);
    if (value != null && value.codePointCount(0, value.length()) > CiliumSyntax.LOG_VALUE_MAX_LENGTH) {
      report.error(valuePath, value, "must be at most " + CiliumSyntax.LOG_VALUE_MAX_LENGTH + " characters");
    } else if (value != null && !CiliumSyntax.LOG_VALUE.matches(value)) {
      report.error(valuePath, value, "must not contain control or unassigned characters");
    }
  }

  private void section(Section section, JsonNode node, String path, boolean hostPolicy) {
    ObjectNode rule = report.object(node, path);
    if (rule == null) {
      return;
    }
    report.knownFields(rule, path, section.fields, section.hints());
    String p = section.peer;
    report.items(rule.get(p + "Endpoints"), child(path, p + "Endpoints"), this::peerEndpoints);
    report.items(rule.get(p + "Nodes"), child(path, p + "Nodes"), selectors::check);
    report.items(rule.get(p + "CIDR"), child(path, p + "CIDR"), this::cidr);
    report.items(rule.get(p + "CIDRSet"), child(path, p + "CIDRSet"), this::cidrRule);
    report.items(rule.get(p + "Entities"), child(path, p + "Entities"), this::entity);
    report.items(rule.get(p + "Groups"), child(path, p + "Groups"), this::group);
    requires(rule.get(p + "Requires"), child(path, p + "Requires"));
    if (section.egress) {
      report.items(rule.get("toServices"), child(path, "toServices"), this::service);
      if (!section.deny) {
        report.items(rule.get("toFQDNs"), child(path, "toFQDNs"), this::fqdnSelector);
      }
    }
    report.items(rule.get("icmps"), child(path, "icmps"), this::icmpRule);
    if (!section.deny) {
      authentication(rule.get("authentication"), child(path, "authentication"));
    }
    report.items(rule.get("toPorts"), child(path, "toPorts"), (item, itemPath) -> portRule(section, item, itemPath, hostPolicy));
    if (!section.deny) {
      combinations(section, rule, path);
    }
  }

  /** Cilium's IngressRule/EgressRule sanitize: what one allow rule may not combine. */
  private void combinations(Section section, ObjectNode rule, String path) {
    String first = null;
    for (String peer : section.l3Peers()) {
      if (!nonEmptyList(rule.get(peer))) {
        continue;
      }
      if (first == null) {
        first = peer;
      } else {
        report.error(child(path, peer), null, "cannot be combined with " + first
            + " in one rule (Cilium refuses it: write one rule per kind of peer)");
      }
    }
    boolean ports = nonEmptyList(rule.get("toPorts"));
    if (ports && section.egress && nonEmptyList(rule.get("toServices"))) {
      report.error(child(path, "toServices"), null, "cannot be combined with toPorts (Cilium refuses it, cilium/cilium#20067)");
    }
    if (ports && nonEmptyList(rule.get("icmps"))) {
      report.error(child(path, "icmps"), null, "cannot be combined with toPorts in one rule (Cilium refuses it: write a separate rule)");
    }
  }

  private static boolean nonEmptyList(JsonNode node) {
    return node != null && node.isArray() && !node.isEmpty();
  }

  private void peerEndpoints(JsonNode node, String path) {
    boolean namesCluster = selectors.check(node, path);
    if (!namesCluster && node != null && node.isObject()) {
      report.warn(path, null, "names no " + Selectors.CLUSTER_LABEL + ": with Cilium's policy-default-local-cluster "
          + "(true by default since 1.19) it selects endpoints of the local cluster only, with it false (the default up to 1.18) "
          + "endpoints of every cluster in the mesh; add the label to say which");
    }
  }

  private void cidr(JsonNode node, String path) {
    String value = report.string(node, path);
    if (value != null && CiliumSyntax.cidr(value) == null) {
      report.error(path, value, CiliumSyntax.cidrRule(value));
    }
  }

  private void cidrRule(JsonNode node, String path) {
    ObjectNode rule = report.object(node, path);
    if (rule == null) {
      return;
    }
    report.knownFields(rule, path, List.of("cidr", "cidrGroupRef", "cidrGroupSelector", "except"), Map.of());
    exactlyOne(rule, path, List.of("cidr", "cidrGroupRef", "cidrGroupSelector"));
    PodCidr cidr = null;
    String cidrText = report.string(rule.get("cidr"), child(path, "cidr"));
    if (cidrText != null) {
      cidr = CiliumSyntax.cidr(cidrText);
      if (cidr == null) {
        report.error(child(path, "cidr"), cidrText, CiliumSyntax.cidrRule(cidrText));
      }
    }
    String ref = report.string(rule.get("cidrGroupRef"), child(path, "cidrGroupRef"));
    if (ref != null && CiliumSyntax.dnsSubdomainProblem(ref) != null) {
      report.error(child(path, "cidrGroupRef"), ref, "must name a CiliumCIDRGroup: " + CiliumSyntax.dnsSubdomainProblem(ref));
    }
    if (rule.has("cidrGroupSelector")) {
      selectors.check(rule.get("cidrGroupSelector"), child(path, "cidrGroupSelector"));
    }
    PodCidr outer = cidr;
    report.items(rule.get("except"), child(path, "except"), (item, itemPath) -> {
      String text = report.string(item, itemPath);
      if (text == null) {
        return;
      }
      PodCidr except = CiliumSyntax.cidr(text);
      if (except == null) {
        report.error(itemPath, text, CiliumSyntax.cidrRule(text));
      } else if (outer != null && !outer.contains(except)) {
        report.error(itemPath, text, "must lie inside cidr " + cidrText);
      }
    });
  }

  /** The CRD's oneOf over {@code fields}: exactly one present. */
  private void exactlyOne(ObjectNode object, String path, List<String> fields) {
    List<String> present = fields.stream().filter(object::has).toList();
    if (present.isEmpty()) {
      report.error(path, null, "must have exactly one of " + String.join(", ", fields));
    }
    for (String extra : present.subList(Math.min(1, present.size()), present.size())) {
      report.error(child(path, extra), null, "must not be set together with " + present.get(0) + " (exactly one of "
          + String.join(", ", fields) + ")");
    }
  }

  private void entity(JsonNode node, String path) {
    String entity = report.string(node, path);
    if (entity == null || CiliumSyntax.ENTITIES.contains(entity)) {
      return;
    }
    if (entity.equals(CiliumSyntax.CLUSTER_MESH)) {
      report.warn(path, entity, "needs Cilium 1.20 or later (cilium/cilium#46813): older Cilium CRDs do not list it and their API server refuses the policy");
    } else if (CiliumSyntax.AGENT_ONLY_ENTITIES.contains(entity)) {
      report.error(path, entity, "is known to the Cilium agent but not to the CRD's enum, so the API server refuses it; use world with toCIDR/fromCIDR 0.0.0.0/0 or ::/0");
    } else {
      report.error(path, entity, "must be one of " + String.join(", ", CiliumSyntax.ENTITIES) + ", " + CiliumSyntax.CLUSTER_MESH);
    }
  }

  private void group(JsonNode node, String path) {
    ObjectNode group = report.object(node, path);
    if (group == null) {
      return;
    }
    report.knownFields(group, path, List.of("aws"), Map.of());
    String awsPath = child(path, "aws");
    ObjectNode aws = report.object(group.get("aws"), awsPath);
    if (aws != null) {
      report.knownFields(aws, awsPath, List.of("labels", "region", "securityGroupsIds", "securityGroupsNames"), Map.of());
      stringMap(aws.get("labels"), child(awsPath, "labels"));
      report.string(aws.get("region"), child(awsPath, "region"));
      report.items(aws.get("securityGroupsIds"), child(awsPath, "securityGroupsIds"), report::string);
      report.items(aws.get("securityGroupsNames"), child(awsPath, "securityGroupsNames"), report::string);
    }
  }

  private void stringMap(JsonNode node, String path) {
    ObjectNode map = report.object(node, path);
    if (map != null) {
      map.properties().forEach(e -> report.string(e.getValue(), child(path, e.getKey())));
    }
  }

  private void requires(JsonNode node, String path) {
    ArrayNode list = report.list(node, path);
    if (list != null && !list.isEmpty()) {
      report.error(path, null, "must be empty: " + Report.leaf(path) + " is deprecated and the CRD allows no items "
          + "(maxItems 0); put the required labels into each peer selector instead");
    }
  }

  private void service(JsonNode node, String path) {
    ObjectNode service = report.object(node, path);
    if (service == null) {
      return;
    }
    report.knownFields(service, path, List.of("k8sService", "k8sServiceSelector"), Map.of());
    String namePath = child(path, "k8sService");
    ObjectNode byName = report.object(service.get("k8sService"), namePath);
    if (byName != null) {
      report.knownFields(byName, namePath, List.of("namespace", "serviceName"), Map.of());
      report.string(byName.get("namespace"), child(namePath, "namespace"));
      report.string(byName.get("serviceName"), child(namePath, "serviceName"));
    }
    String selectorPath = child(path, "k8sServiceSelector");
    ObjectNode bySelector = report.object(service.get("k8sServiceSelector"), selectorPath);
    if (bySelector != null) {
      report.knownFields(bySelector, selectorPath, List.of("namespace", "selector"), Map.of());
      report.required(bySelector, selectorPath, "selector");
      report.string(bySelector.get("namespace"), child(selectorPath, "namespace"));
      if (bySelector.has("selector")) {
        selectors.check(bySelector.get("selector"), child(selectorPath, "selector"));
      }
    }
  }

  /** toFQDNs items and DNS rules: exactly one of matchName and matchPattern. */
  private void fqdnSelector(JsonNode node, String path) {
    ObjectNode selector = report.object(node, path);
    if (selector == null) {
      return;
    }
    report.knownFields(selector, path, List.of("matchName", "matchPattern"), Map.of());
    exactlyOne(selector, path, List.of("matchName", "matchPattern"));
    for (String field : List.of("matchName", "matchPattern")) {
      String value = report.string(selector.get(field), child(path, field));
      String problem = value == null ? null : CiliumSyntax.fqdnProblem(value, field.equals("matchPattern"));
      if (problem != null) {
        report.error(child(path, field), value, problem);
      }
    }
  }

  private void icmpRule(JsonNode node, String path) {
    ObjectNode rule = report.object(node, path);
    if (rule == null) {
      return;
    }
    report.knownFields(rule, path, List.of("fields"), Map.of());
    String fieldsPath = child(path, "fields");
    ArrayNode fields = report.list(rule.get("fields"), fieldsPath);
    if (fields != null && fields.size() > MAX_ICMP_FIELDS) {
      report.error(fieldsPath, null, "must have at most " + MAX_ICMP_FIELDS + " items (has " + fields.size() + ")");
    }
    report.items(fields, fieldsPath, this::icmpField);
  }

  private void icmpField(JsonNode node, String path) {
    ObjectNode field = report.object(node, path);
    if (field == null) {
      return;
    }
    report.knownFields(field, path, List.of("family", "type"), Map.of());
    report.required(field, path, "type");
    String family = field.has("family") ? report.oneOf(field.get("family"), child(path, "family"), CiliumSyntax.ICMP_FAMILIES) : "IPv4";
    String typePath = child(path, "type");
    JsonNode type = field.get("type");
    if (type == null) {
      return;
    }
    if (type.isIntegralNumber()) {
      report.integer(type, typePath, 0, 255);
      return;
    }
    if (!type.isTextual()) {
      report.error(typePath, type.isValueNode() ? type.asText() : null,
          "must be an ICMP type: an integer 0-255 or a type name, not " + Report.describe(type));
      return;
    }
    String name = type.asText();
    if (name.matches("0|[1-9][0-9]{0,2}") && Integer.parseInt(name) <= 255) {
      return;
    }
    if (name.equals(CiliumSyntax.ICMP_NAME_THE_CRD_BREAKS)) {
      report.error(typePath, name, "is refused by the API server: the CRD's pattern misspells it (a folded line makes it "
          + "\"ExtendedEcho Reply\"); use the number: 43 for IPv4, 161 for IPv6");
      return;
    }
    boolean v4 = CiliumSyntax.ICMPV4_TYPES.containsKey(name);
    boolean v6 = CiliumSyntax.ICMPV6_TYPES.containsKey(name);
    if (!v4 && !v6) {
      report.error(typePath, name, "must be an ICMP type: an integer 0-255 or a type name such as EchoReply, Echo (IPv4) or EchoRequest (IPv6)");
    } else if ("IPv6".equals(family) ? !v6 : !v4) {
      report.warn(typePath, name, "is an ICMP" + (v4 ? "v4" : "v6") + " type name but family is " + family
          + ": Cilium maps names per family, so check the family");
    }
  }

  private void authentication(JsonNode node, String path) {
    ObjectNode auth = report.object(node, path);
    if (auth != null) {
      report.knownFields(auth, path, List.of("mode"), Map.of());
      report.required(auth, path, "mode");
      report.oneOf(auth.get("mode"), child(path, "mode"), CiliumSyntax.AUTHENTICATION_MODES);
    }
  }

  // ---- toPorts ----

  private void portRule(Section section, JsonNode node, String path, boolean hostPolicy) {
    ObjectNode rule = report.object(node, path);
    if (rule == null) {
      return;
    }
    if (section.deny) {
      report.knownFields(rule, path, List.of("ports"), DENY_PORT_RULE_HINTS);
    } else {
      report.knownFields(rule, path, PORT_RULE_FIELDS, Map.of());
    }
    String portsPath = child(path, "ports");
    ArrayNode ports = report.list(rule.get("ports"), portsPath);
    if (ports != null && ports.size() > MAX_PORTS) {
      report.error(portsPath, null, "must have at most " + MAX_PORTS + " items (has " + ports.size() + ")");
    }
    List<PortSeen> seen = new ArrayList<>();
    report.items(ports, portsPath, (item, itemPath) -> port(item, itemPath, seen));
    if (section.deny) {
      return;
    }
    boolean l7 = rules(section, rule.get("rules"), child(path, "rules"), seen, rule.has("ports"), portsPath, hostPolicy);
    listener(section, rule.get("listener"), child(path, "listener"), l7);
    serverNames(rule.get("serverNames"), child(path, "serverNames"), l7 && !rule.has("terminatingTLS"));
    tls(rule.get("terminatingTLS"), child(path, "terminatingTLS"));
    tls(rule.get("originatingTLS"), child(path, "originatingTLS"));
  }

  /** A port as read: its number (-1 named or unknown), end port (-1 none), protocol (null = omitted). */
  private record PortSeen(String path, int number, long endPort, String protocol) {}

  private void port(JsonNode node, String path, List<PortSeen> seen) {
    ObjectNode port = report.object(node, path);
    if (port == null) {
      return;
    }
    report.knownFields(port, path, List.of("endPort", "port", "protocol"), Map.of());
    String protocolPath = child(path, "protocol");
    String protocol = port.get("protocol") == null ? null : report.string(port.get("protocol"), protocolPath);
    if (protocol != null && !CiliumSyntax.PROTOCOLS.contains(protocol)) {
      String hint = protocol.toUpperCase(Locale.ROOT).startsWith("ICMP") ? " (ICMP is matched with icmps, not toPorts)"
          : CiliumSyntax.PROTOCOLS.contains(protocol.toUpperCase(Locale.ROOT)) ? " (upper case: " + protocol.toUpperCase(Locale.ROOT) + ")" : "";
      report.error(protocolPath, protocol, "must be one of " + String.join(", ", CiliumSyntax.PROTOCOLS) + hint);
    }
    String portPath = child(path, "port");
    int number = -1;
    if (!port.has("port")) {
      if (protocol == null || !CiliumSyntax.PORTLESS_PROTOCOLS.contains(protocol)) {
        report.error(portPath, null, "is required (a number 0-65535 or a service name; only "
            + String.join(", ", CiliumSyntax.PORTLESS_PROTOCOLS.stream().sorted().toList()) + " go without)");
      }
    } else {
      String text = report.string(port.get("port"), portPath);
      String problem = text == null ? null : CiliumSyntax.portProblem(text);
      if (problem != null) {
        report.error(portPath, text, problem);
      } else if (text != null) {
        number = CiliumSyntax.portNumber(text);
      }
    }
    Long end = report.integer(port.get("endPort"), child(path, "endPort"), 0, 65535);
    if (end != null && number > 0 && end < number) {
      report.warn(child(path, "endPort"), end.toString(), "is below port " + number + ": the range is empty, Cilium matches port " + number + " only");
    }
    seen.add(new PortSeen(path, number, end == null ? -1 : end, protocol));
  }

  /** The L7 rules of a port rule; returns whether there are any (http or dns present). */
  private boolean rules(Section section, JsonNode node, String path, List<PortSeen> ports, boolean portsListed,
      String portsPath, boolean hostPolicy) {
    ObjectNode rules = report.object(node, path);
    if (rules == null) {
      return false;
    }
    int before = report.errorCount();
    report.knownFields(rules, path, List.of("dns", "http"), L7_HINTS);
    boolean unknown = report.errorCount() > before;
    boolean http = rules.has("http");
    boolean dns = rules.has("dns");
    if (http && dns) {
      report.error(child(path, "dns"), null, "must not be set together with http (a port rule has one kind of L7 rules)");
    } else if (!http && !dns && !unknown) {
      report.error(path, null, "must have exactly one of http or dns");
    }
    report.items(rules.get("http"), child(path, "http"), this::httpRule);
    report.items(rules.get("dns"), child(path, "dns"), this::fqdnSelector);
    if (!http && !dns) {
      return false;
    }
    if (hostPolicy) {
      report.error(path, null, "is not supported in host policies (nodeSelector): Cilium refuses L7 rules there");
    }
    if (dns && !section.egress) {
      report.error(child(path, "dns"), null, "is only allowed in egress rules (Cilium refuses DNS rules on ingress)");
    }
    if (dns && (!portsListed || ports.isEmpty())) {
      report.error(portsPath, null, "must list the DNS port (53) for dns rules");
    }
    for (PortSeen port : ports) {
      if (port.number() == 0) {
        report.error(child(port.path(), "port"), "0", "must not be 0 with L7 rules (Cilium refuses L7 rules on port 0)");
      }
      if (dns && port.endPort() > port.number() && port.number() >= 0) {
        report.error(child(port.path(), "endPort"), String.valueOf(port.endPort()), "must not make a port range with dns rules (Cilium refuses it)");
      }
      if (http && !"TCP".equals(port.protocol()) && (port.protocol() == null || CiliumSyntax.PROTOCOLS.contains(port.protocol()))) {
        report.error(child(port.path(), "protocol"), port.protocol(), "must be TCP with http rules (Cilium applies HTTP rules to TCP only"
            + (port.protocol() == null ? "; an omitted protocol means ANY)" : ")"));
      }
    }
    return true;
  }

  private void httpRule(JsonNode node, String path) {
    ObjectNode rule = report.object(node, path);
    if (rule == null) {
      return;
    }
    report.knownFields(rule, path, List.of("headerMatches", "headers", "host", "method", "path"), Map.of());
    for (String field : List.of("method", "path", "host")) {
      regex(rule.get(field), child(path, field));
    }
    report.items(rule.get("headers"), child(path, "headers"), report::string);
    report.items(rule.get("headerMatches"), child(path, "headerMatches"), this::headerMatch);
  }

  private void regex(JsonNode node, String path) {
    String value = report.string(node, path);
    if (value == null) {
      return;
    }
    if (value.length() > MAX_REGEX_LENGTH) {
      report.error(path, value, "must be at most " + MAX_REGEX_LENGTH + " characters");
      return;
    }
    if (RegexSize.estimate(value) > RegexSize.LIMIT) {
      report.error(path, value, "expands to more than " + RegexSize.LIMIT + " instructions (nested counted repetitions): simplify it");
      return;
    }
    try {
      Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      report.error(path, value, "is not a valid RE2 regular expression (Cilium and Envoy use RE2): " + e.getDescription());
    } catch (RuntimeException e) {
      report.error(path, value, "is not a valid RE2 regular expression (Cilium and Envoy use RE2): " + e.getMessage());
    }
  }

  private void headerMatch(JsonNode node, String path) {
    ObjectNode match = report.object(node, path);
    if (match == null) {
      return;
    }
    report.knownFields(match, path, List.of("mismatch", "name", "secret", "value"), Map.of());
    report.required(match, path, "name");
    String name = report.string(match.get("name"), child(path, "name"));
    if (name != null && name.isEmpty()) {
      report.error(child(path, "name"), name, "must not be empty");
    }
    report.string(match.get("value"), child(path, "value"));
    if (match.has("mismatch")) {
      report.oneOf(match.get("mismatch"), child(path, "mismatch"), CiliumSyntax.MISMATCH_ACTIONS);
    }
    secret(match.get("secret"), child(path, "secret"));
  }

  private void secret(JsonNode node, String path) {
    ObjectNode secret = report.object(node, path);
    if (secret != null) {
      report.knownFields(secret, path, List.of("name", "namespace"), Map.of());
      report.required(secret, path, "name");
      report.string(secret.get("name"), child(path, "name"));
      report.string(secret.get("namespace"), child(path, "namespace"));
    }
  }

  private void tls(JsonNode node, String path) {
    ObjectNode tls = report.object(node, path);
    if (tls == null) {
      return;
    }
    report.knownFields(tls, path, List.of("certificate", "privateKey", "secret", "trustedCA"), Map.of());
    report.required(tls, path, "secret");
    secret(tls.get("secret"), child(path, "secret"));
    for (String field : List.of("certificate", "privateKey", "trustedCA")) {
      report.string(tls.get(field), child(path, field));
    }
  }

  private void listener(Section section, JsonNode node, String path, boolean l7) {
    ObjectNode listener = report.object(node, path);
    if (listener == null) {
      return;
    }
    report.knownFields(listener, path, List.of("envoyConfig", "name", "priority"), Map.of());
    report.required(listener, path, "envoyConfig");
    report.required(listener, path, "name");
    nonEmptyString(listener.get("name"), child(path, "name"));
    report.integer(listener.get("priority"), child(path, "priority"), 1, 100);
    String configPath = child(path, "envoyConfig");
    ObjectNode config = report.object(listener.get("envoyConfig"), configPath);
    if (config != null) {
      report.knownFields(config, configPath, List.of("kind", "name"), Map.of());
      report.required(config, configPath, "name");
      nonEmptyString(config.get("name"), child(configPath, "name"));
      if (config.has("kind")) {
        report.oneOf(config.get("kind"), child(configPath, "kind"), CiliumSyntax.ENVOY_CONFIG_KINDS);
      }
    }
    if (!section.egress) {
      report.error(path, null, "is only allowed in egress rules (Cilium refuses a listener on ingress)");
    }
    if (l7) {
      report.error(path, null, "cannot be combined with L7 rules (Cilium refuses it)");
    }
  }

  private void nonEmptyString(JsonNode node, String path) {
    String value = report.string(node, path);
    if (value != null && value.isEmpty()) {
      report.error(path, value, "must not be empty");
    }
  }

  private void serverNames(JsonNode node, String path, boolean l7WithoutTermination) {
    ArrayNode names = report.list(node, path);
    if (names == null) {
      return;
    }
    if (names.isEmpty()) {
      report.error(path, null, "must not be empty (remove it to match any server name)");
    }
    if (l7WithoutTermination) {
      report.error(path, null, "needs terminatingTLS when the port rule has L7 rules (Cilium refuses it otherwise)");
    }
    Set<String> unique = new HashSet<>();
    report.items(names, path, (item, itemPath) -> {
      String name = report.string(item, itemPath);
      if (name == null) {
        return;
      }
      String problem = CiliumSyntax.fqdnProblem(name, true);
      if (problem != null) {
        report.error(itemPath, name, problem);
      }
      if (!unique.add(name)) {
        report.error(itemPath, name, "is listed twice (serverNames is a set)");
      }
    });
  }
}
