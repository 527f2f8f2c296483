package io.meshfed.certs;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Rotation of the whole mesh PKI in two pure steps: {@link #plan} says what will happen (printed by
 * {@code meshfed ca rotate --dry-run}), {@link #apply} does it and returns the next {@link MeshPki}.
 *
 * <p>Root key replacement follows the overlap pattern: the new root joins the bundle first, every
 * intermediate and leaf is re-issued under it, and the old root stays trusted while any superseded
 * certificate (still held by peers) chains to it. {@code finishRollout} declares that peers have
 * picked up the new material; the old root is then pruned. An expired old root is pruned anyway.
 */
public final class CaRotation {
  private final CertificateIssuer issuer;
  private final RenewalPolicy policy;

  public CaRotation(CertificateIssuer issuer, RenewalPolicy policy) {
    this.issuer = issuer;
    this.policy = policy;
  }

  /** What the operator asked for beyond the policy. */
  public record Options(RenewalPolicy.Force force, KeyType wantedKeyType, boolean finishRollout) {
    public static Options defaults(KeyType keyType) {
      return new Options(RenewalPolicy.Force.NONE, keyType, false);
    }
  }

  /** One line of the plan. */
  public record Step(String subject, RenewalDecision decision, String reason) {
    @Override
    public String toString() {
      return subject + ": " + decision + " (" + reason + ")";
    }
  }

  /** The whole plan: per-certificate decisions, then what happens to the bundle. */
  public record Plan(
      Step root, List<Step> issued, boolean dropSuperseded, List<X509Certificate> rootsToPrune, KeyType keyType) {
    public boolean changesAnything() {
      return root.decision() != RenewalDecision.NOOP
          || issued.stream().anyMatch(s -> s.decision() != RenewalDecision.NOOP)
          || dropSuperseded
          || !rootsToPrune.isEmpty();
    }

    /** Human-readable lines, in execution order. */
    public List<String> describe() {
      List<String> lines = new ArrayList<>();
      lines.add(root.toString());
      issued.forEach(s -> lines.add(s.toString()));
      if (dropSuperseded) {
        lines.add("rollout finished: superseded certificates are forgotten");
      }
      for (X509Certificate r : rootsToPrune) {
        lines.add("bundle: prune " + r.getSubjectX500Principal().getName() + " (nothing chains to it any more, or it expired)");
      }
      if (!changesAnything()) {
        lines.add("nothing to do");
      }
      return lines;
    }
  }

  public Plan plan(MeshPki pki, Options options) {
    Instant now = issuer.clock().instant();
    X509Certificate rootCert = pki.root().certificate();
    RenewalDecision rootDecision = policy.decide(
        now, rootCert.getNotAfter().toInstant(), KeyType.of(rootCert.getPublicKey()), options.wantedKeyType(), options.force());
    Step rootStep = new Step("root v" + pki.generation(), rootDecision, reason(rootDecision, rootCert, now));

    List<Step> steps = new ArrayList<>();
    for (IssuedCertificate entry : pki.issued().values()) {
      X509Certificate cert = entry.current().certificate();
      RenewalDecision d;
      String why;
      if (rootDecision == RenewalDecision.REPLACE_KEY) {
        d = RenewalDecision.REPLACE_KEY;
        why = "re-issued under root v" + (pki.generation() + 1);
      } else {
        KeyType type = KeyType.of(cert.getPublicKey());
        d = policy.decide(now, cert.getNotAfter().toInstant(), type, type, RenewalPolicy.Force.NONE);
        why = reason(d, cert, now);
      }
      steps.add(new Step(label(entry), d, why));
    }

    // Which old roots would still be needed after this rotation and the optional rollout finish.
    boolean dropSuperseded = options.finishRollout() && pki.issued().values().stream().anyMatch(e -> !e.superseded().isEmpty());
    List<X509Certificate> prune = new ArrayList<>();
    if (rootDecision != RenewalDecision.REPLACE_KEY) {
      MeshPki afterFinish = dropSuperseded ? withoutSuperseded(pki) : pki;
      TrustBundle pruned = pki.bundle().prune(now, r -> stillUsed(afterFinish, r));
      for (X509Certificate r : pki.bundle().roots()) {
        if (!pruned.roots().contains(r)) {
          prune.add(r);
        }
      }
    }
    return new Plan(rootStep, steps, dropSuperseded, prune, options.wantedKeyType());
  }

  public MeshPki apply(MeshPki pki, Plan plan) {
    MeshPki next = pki;
    switch (plan.root().decision()) {
      case RENEW -> {
        CertifiedKey renewed = issuer.renewRoot(pki.root(), CertificateIssuer.ROOT_VALIDITY);
        next = new MeshPki(pki.mesh(), pki.keyType(), pki.generation(), renewed, pki.bundle().withNewest(renewed.certificate()), pki.issued());
      }
      case REPLACE_KEY -> {
        int gen = pki.generation() + 1;
        CertifiedKey fresh = issuer.createRoot(pki.mesh(), gen, plan.keyType(), CertificateIssuer.ROOT_VALIDITY);
        next = new MeshPki(pki.mesh(), plan.keyType(), gen, fresh, pki.bundle().withNewest(fresh.certificate()), pki.issued());
      }
      case NOOP -> { }
      default -> throw new IllegalStateException();
    }
    // Intermediates before leaves, so leaves are signed by the renewed or replaced intermediate.
    List<IssuedCertificate> ordered = new ArrayList<>(next.issued().values());
    ordered.sort((a, b) -> Boolean.compare(a.kind() != IssuedCertificate.Kind.INTERMEDIATE, b.kind() != IssuedCertificate.Kind.INTERMEDIATE));
    for (IssuedCertificate entry : ordered) {
      Step step = plan.issued().stream().filter(s -> s.subject().equals(label(entry))).findFirst().orElse(null);
      if (step == null || step.decision() == RenewalDecision.NOOP) {
        continue;
      }
      next = next.with(reissue(next, entry, step.decision()));
    }
    if (plan.dropSuperseded()) {
      next = withoutSuperseded(next);
    }
    if (!plan.rootsToPrune().isEmpty()) {
      List<X509Certificate> kept = new ArrayList<>(next.bundle().roots());
      kept.removeAll(plan.rootsToPrune());
      next = new MeshPki(next.mesh(), next.keyType(), next.generation(), next.root(), TrustBundle.of(kept), next.issued());
    }
    return next;
  }

  private IssuedCertificate reissue(MeshPki pki, IssuedCertificate entry, RenewalDecision decision) {
    CertifiedKey signer = pki.signer(entry.issuer());
    Duration remaining = Duration.between(issuer.clock().instant(), signer.certificate().getNotAfter().toInstant());
    if (entry.kind() == IssuedCertificate.Kind.INTERMEDIATE) {
      Duration validity = min(CertificateIssuer.INTERMEDIATE_VALIDITY, remaining);
      if (decision == RenewalDecision.RENEW) {
        // Same key, same DN: leaves it signed keep verifying.
        CertifiedKey renewed = issuer.createIntermediateForKey(signer, pki.mesh(), entry.current(), validity);
        return entry.reissued(renewed);
      }
      return entry.reissued(issuer.createIntermediate(signer, pki.mesh(), entry.name(), pki.keyType(), validity));
    }
    LeafSpec spec = entry.spec().withValidity(min(entry.spec().validity(), remaining));
    if (decision == RenewalDecision.RENEW) {
      return entry.reissued(issuer.issueLeaf(signer, spec, entry.current().certificate().getPublicKey(), entry.current().privateKey()));
    }
    return entry.reissued(issuer.issueLeaf(signer, spec, KeyType.of(entry.current().certificate().getPublicKey())));
  }

  private static boolean stillUsed(MeshPki pki, X509Certificate root) {
    for (X509Certificate cert : pki.certificatesInUse()) {
      X509Certificate r = pki.rootOf(cert);
      if (r != null && r.equals(root)) {
        return true;
      }
    }
    return false;
  }

  private static MeshPki withoutSuperseded(MeshPki pki) {
    MeshPki next = pki;
    for (IssuedCertificate e : pki.issued().values()) {
      next = next.with(e.withoutSuperseded());
    }
    return next;
  }

  private static String label(IssuedCertificate entry) {
    return entry.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + entry.name();
  }

  private String reason(RenewalDecision d, X509Certificate cert, Instant now) {
    long days = Duration.between(now, cert.getNotAfter().toInstant()).toDays();
    return switch (d) {
      case NOOP -> "valid for " + days + " more days, renewal window " + policy.renewalWindow().toDays() + " days";
      case RENEW -> days < 0 ? "expired " + (-days) + " days ago" : "expires in " + days + " days (window " + policy.renewalWindow().toDays() + " days) or renewal forced";
      case REPLACE_KEY -> "key replacement forced or key type changed";
    };
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
