package io.meshfed.controller.sync.convert;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.meshfed.api.cluster.Finding;
import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.kvstore.CacheKeys;
import io.meshfed.api.kvstore.IdentityLabels;
import io.meshfed.api.kvstore.ReadResult;
import io.meshfed.controller.sync.convert.UntypedFields.BadField;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * CiliumIdentity ({@code cilium.io/v2}) → {@code cilium/cache/identities/v1/<c>/id/<ID>} whose
 * value is the label string of spec 2.2, e.g.
 * {@code k8s:app=baz;k8s:io.cilium.k8s.policy.cluster=cluster3;k8s:io.kubernetes.pod.namespace=bar;}.
 *
 * <p>The object is named by its number and carries {@code security-labels}, a map
 * {@code "source:key" → value} (CRD {@code ciliumidentities.yaml}); the label string is built by
 * {@link IdentityLabels#fromSecurityLabels}, as Cilium's clustermesh-apiserver builds it
 * ({@code converters.go}, {@code labels.Map2Labels(...).SortedList()}).
 *
 * <p>Outcomes:
 * <ul>
 *   <li>refused: a name that is not a canonical decimal number; a number outside the member's
 *       identity range (spec 3.3: {@code ID << 16} or {@code << 15} in a 511 mesh); no
 *       {@code k8s:io.cilium.k8s.policy.cluster} label, or one naming another cluster (spec 1.5
 *       item 8: remote agents drop all of these); labels the kvstore format cannot carry;</li>
 *   <li>skipped: no security labels at all, which Cilium also ignores with a warning rather
 *       than treating as an error.</li>
 * </ul>
 */
public final class IdentityConverter {

  /** The CiliumIdentity field holding the labels. */
  public static final String SECURITY_LABELS = "security-labels";

  /** Canonical decimal without leading zeros, at most the 10 digits of a uint32. */
  private static final Pattern NUMERIC_NAME = Pattern.compile("[1-9][0-9]{0,9}");

  private final MemberCluster member;

  /** A converter for the identities of {@code member}. */
  public IdentityConverter(MemberCluster member) {
    this.member = Objects.requireNonNull(member, "member");
  }

  /** Converts one CiliumIdentity. */
  public Conversion convert(GenericKubernetesResource identity) {
    String name = identity.getMetadata() == null ? null : identity.getMetadata().getName();
    if (name == null || !NUMERIC_NAME.matcher(name).matches()) {
      return Conversion.Refused.of(new Finding("metadata.name", name,
          "must be the numeric identity, e.g. 196915 (a CiliumIdentity is named by its number)"));
    }
    long number = Long.parseLong(name);
    Map<String, String> securityLabels;
    try {
      securityLabels = UntypedFields.root(identity.getAdditionalProperties()).stringMap(SECURITY_LABELS);
    } catch (BadField bad) {
      return Conversion.Refused.of(bad.finding());
    }
    if (securityLabels.isEmpty()) {
      return new Conversion.Skipped("CiliumIdentity " + name
          + " has no security labels; Cilium's clustermesh-apiserver ignores such identities");
    }
    IdentityLabels labels;
    try {
      labels = IdentityLabels.fromSecurityLabels(securityLabels);
    } catch (InvalidValueException unrepresentable) {
      return Conversion.Refused.of(new Finding(SECURITY_LABELS, unrepresentable.value(), unrepresentable.rule()));
    }
    ReadResult<IdentityLabels> checked = member.validator().checkIdentity(number, labels);
    if (checked instanceof ReadResult.Refused<IdentityLabels> refused) {
      return Conversion.Refused.of(inSourceTerms(refused.finding()));
    }
    return new Conversion.Entries(List.of(
        new KeyValue(CacheKeys.identity(member.name(), number), labels.toBytes())));
  }

  /** The validator speaks of the kvstore value; the user knows the CiliumIdentity's fields. */
  private static Finding inSourceTerms(Finding finding) {
    String field = switch (finding.field()) {
      case "identity" -> "metadata.name";
      case "labels" -> SECURITY_LABELS;
      default -> finding.field();
    };
    return new Finding(field, finding.value(), finding.rule());
  }
}
