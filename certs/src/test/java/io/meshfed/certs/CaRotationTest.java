package io.meshfed.certs;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CaRotationTest {
  private static final Instant T0 = TestPki.NOW;

  private MeshPki meshWithMaterial(CertificateIssuer issuer) {
    MeshPki pki = MeshPki.create(issuer, "prod", KeyType.EC_P256)
        .withIntermediate(issuer, "c1", CertificateIssuer.INTERMEDIATE_VALIDITY);
    pki = pki.withLeaf(issuer, "agent-c1", "c1", LeafSpec.client("agent.c1"), null);
    return pki.withLeaf(issuer, "controller", IssuedCertificate.ROOT_ISSUER,
        LeafSpec.server(java.util.List.of("localhost"), java.util.List.of(TestPki.loopback())), null);
  }

  @Test
  @DisplayName("a fresh mesh needs nothing: every step is NOOP")
  void freshMeshIsNoop() {
    CertificateIssuer issuer = TestPki.issuerAt(T0);
    MeshPki pki = meshWithMaterial(issuer);
    CaRotation.Plan plan = new CaRotation(issuer, RenewalPolicy.defaults()).plan(pki, CaRotation.Options.defaults(KeyType.EC_P256));
    assertThat(plan.changesAnything()).isFalse();
    assertThat(plan.describe()).last().isEqualTo("nothing to do");
  }

  @Test
  @DisplayName("leaves in their renewal window are renewed with the same key; the root is left alone")
  void leavesRenewInWindow() {
    MeshPki pki = meshWithMaterial(TestPki.issuerAt(T0));
    CertificateIssuer later = TestPki.issuerAt(T0.plus(TestPki.days(340)));
    CaRotation rotation = new CaRotation(later, RenewalPolicy.defaults());
    CaRotation.Plan plan = rotation.plan(pki, CaRotation.Options.defaults(KeyType.EC_P256));
    assertThat(plan.root().decision()).isEqualTo(RenewalDecision.NOOP);
    assertThat(plan.issued()).filteredOn(s -> s.subject().startsWith("client") || s.subject().startsWith("server"))
        .allMatch(s -> s.decision() == RenewalDecision.RENEW);
    assertThat(plan.issued()).filteredOn(s -> s.subject().startsWith("intermediate")).allMatch(s -> s.decision() == RenewalDecision.NOOP);

    MeshPki next = rotation.apply(pki, plan);
    IssuedCertificate agent = next.issued().get("agent-c1");
    assertThat(agent.current().certificate().getPublicKey()).isEqualTo(pki.issued().get("agent-c1").current().certificate().getPublicKey());
    assertThat(agent.current().certificate().getNotAfter()).isAfter(pki.issued().get("agent-c1").current().certificate().getNotAfter());
    assertThat(agent.superseded()).hasSize(1);
  }

  @Test
  @DisplayName("REPLACE_KEY: new root v2 first in the bundle, old root kept while superseded material chains to it; both generations verify; finishing the rollout prunes v1 and old leaves are then refused")
  void replaceKeyOverlapThenPrune() {
    CertificateIssuer issuer = TestPki.issuerAt(T0);
    MeshPki v1 = meshWithMaterial(issuer);
    CertifiedKey oldAgent = v1.issued().get("agent-c1").current();
    X509Certificate oldRoot = v1.root().certificate();
    CaRotation rotation = new CaRotation(issuer, RenewalPolicy.defaults());

    CaRotation.Plan plan = rotation.plan(v1, new CaRotation.Options(new RenewalPolicy.Force(false, true), KeyType.EC_P256, false));
    assertThat(plan.root().decision()).isEqualTo(RenewalDecision.REPLACE_KEY);
    assertThat(plan.issued()).allMatch(s -> s.decision() == RenewalDecision.REPLACE_KEY);
    assertThat(plan.rootsToPrune()).isEmpty();
    MeshPki v2 = rotation.apply(v1, plan);

    assertThat(v2.generation()).isEqualTo(2);
    assertThat(v2.bundle().roots()).hasSize(2);
    assertThat(v2.bundle().newest()).isEqualTo(v2.root().certificate());
    assertThat(v2.bundle().roots()).contains(oldRoot);
    CertifiedKey newAgent = v2.issued().get("agent-c1").current();
    assertThat(newAgent.certificate().getPublicKey()).isNotEqualTo(oldAgent.certificate().getPublicKey());
    ChainVerifier verifier = new ChainVerifier(issuer.clock());
    assertThat(verifier.verify(v2.bundle(), oldAgent.certificate(), oldAgent.chain()).valid()).isTrue();
    assertThat(verifier.verify(v2.bundle(), newAgent.certificate(), newAgent.chain()).valid()).isTrue();
    assertThat(v2.rootOf(newAgent.certificate())).isEqualTo(v2.root().certificate());

    // A later run without finishing keeps v1: superseded leaves still chain to it.
    CaRotation.Plan again = rotation.plan(v2, CaRotation.Options.defaults(KeyType.EC_P256));
    assertThat(again.rootsToPrune()).isEmpty();

    CaRotation.Plan finish = rotation.plan(v2, new CaRotation.Options(RenewalPolicy.Force.NONE, KeyType.EC_P256, true));
    assertThat(finish.dropSuperseded()).isTrue();
    assertThat(finish.rootsToPrune()).containsExactly(oldRoot);
    MeshPki pruned = rotation.apply(v2, finish);
    assertThat(pruned.bundle().roots()).containsExactly(v2.root().certificate());
    assertThat(verifier.verify(pruned.bundle(), oldAgent.certificate(), oldAgent.chain()).valid()).isFalse();
    assertThat(verifier.verify(pruned.bundle(), newAgent.certificate(), newAgent.chain()).valid()).isTrue();
  }

  @Test
  @DisplayName("an expired old root is pruned even if superseded material still names it")
  void expiredOldRootPruned() {
    CertificateIssuer issuer = TestPki.issuerAt(T0);
    MeshPki v1 = meshWithMaterial(issuer);
    CaRotation rotation = new CaRotation(issuer, RenewalPolicy.defaults());
    MeshPki v2 = rotation.apply(v1, rotation.plan(v1, new CaRotation.Options(new RenewalPolicy.Force(false, true), KeyType.EC_P256, false)));
    CertificateIssuer muchLater = TestPki.issuerAt(T0.plus(CertificateIssuer.ROOT_VALIDITY).plus(TestPki.days(1)));
    CaRotation.Plan plan = new CaRotation(muchLater, RenewalPolicy.defaults()).plan(v2, CaRotation.Options.defaults(KeyType.EC_P256));
    assertThat(plan.rootsToPrune()).containsExactly(v1.root().certificate());
  }

  @Test
  @DisplayName("renewing the root keeps key and DN: material signed before still verifies against the renewed bundle")
  void rootRenewalKeepsChains() {
    CertificateIssuer issuer = TestPki.issuerAt(T0);
    MeshPki v1 = meshWithMaterial(issuer);
    Instant late = T0.plus(CertificateIssuer.ROOT_VALIDITY).minus(TestPki.days(10));
    CertificateIssuer lateIssuer = TestPki.issuerAt(late);
    CaRotation rotation = new CaRotation(lateIssuer, RenewalPolicy.defaults());
    CaRotation.Plan plan = rotation.plan(v1, CaRotation.Options.defaults(KeyType.EC_P256));
    assertThat(plan.root().decision()).isEqualTo(RenewalDecision.RENEW);
    MeshPki next = rotation.apply(v1, plan);
    assertThat(next.generation()).isEqualTo(1);
    assertThat(next.bundle().roots()).hasSize(1);
    assertThat(next.root().certificate().getPublicKey()).isEqualTo(v1.root().certificate().getPublicKey());
    assertThat(next.root().certificate().getNotAfter().toInstant()).isAfter(v1.root().certificate().getNotAfter().toInstant());
  }
}
