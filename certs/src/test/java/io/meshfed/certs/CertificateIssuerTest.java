package io.meshfed.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.x509.Extension;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class CertificateIssuerTest {
  private final CertificateIssuer issuer = TestPki.issuer();

  @ParameterizedTest
  @EnumSource(KeyType.class)
  @DisplayName("a mesh root is a self-signed CA with critical basicConstraints and keyUsage, key ids, a random serial and a per-generation DN")
  void rootHasTheRequiredShape(KeyType type) throws Exception {
    CertifiedKey root = issuer.createRoot("prod", 3, type, CertificateIssuer.ROOT_VALIDITY);
    X509Certificate c = root.certificate();

    assertThat(c.getSubjectX500Principal()).isEqualTo(c.getIssuerX500Principal());
    assertThat(c.getSubjectX500Principal().getName()).contains("CN=meshfed root prod v3");
    assertThat(c.getBasicConstraints()).isEqualTo(1);
    assertThat(c.getCriticalExtensionOIDs()).contains(Extension.basicConstraints.getId(), Extension.keyUsage.getId());
    boolean[] usage = c.getKeyUsage();
    assertThat(usage[5]).as("keyCertSign").isTrue();
    assertThat(usage[6]).as("cRLSign").isTrue();
    assertThat(usage[0]).as("digitalSignature").isFalse();
    assertThat(c.getExtensionValue(Extension.subjectKeyIdentifier.getId())).isNotNull();
    assertThat(c.getExtensionValue(Extension.authorityKeyIdentifier.getId())).isNotNull();
    assertThat(c.getSerialNumber().signum()).isPositive();
    assertThat(c.getSerialNumber().bitLength()).isGreaterThanOrEqualTo(64).isLessThanOrEqualTo(159);
    assertThat(KeyType.of(c.getPublicKey())).isEqualTo(type);
    assertThat(c.getNotAfter().toInstant()).isEqualTo(TestPki.NOW.plus(CertificateIssuer.ROOT_VALIDITY));
    assertThat(CertificateIssuer.generationOf(root)).isEqualTo(3);
    c.verify(c.getPublicKey(), Fips.PROVIDER);
  }

  @Test
  @DisplayName("two generations of one mesh never share a DN, and serials differ")
  void generationsHaveDistinctNames() {
    CertifiedKey v1 = issuer.createRoot("prod", 1, KeyType.EC_P256, CertificateIssuer.ROOT_VALIDITY);
    CertifiedKey v2 = issuer.createRoot("prod", 2, KeyType.EC_P256, CertificateIssuer.ROOT_VALIDITY);
    assertThat(v1.subject()).isNotEqualTo(v2.subject());
    assertThat(v1.certificate().getSerialNumber()).isNotEqualTo(v2.certificate().getSerialNumber());
  }

  @Test
  @DisplayName("a cluster intermediate is signed by the root, has pathLen 0 and a default validity of three years")
  void intermediateShape() throws Exception {
    TestPki.Hierarchy h = TestPki.hierarchy(issuer, "prod");
    X509Certificate c = h.intermediate().certificate();
    assertThat(c.getBasicConstraints()).isZero();
    assertThat(c.getIssuerX500Principal()).isEqualTo(h.root().certificate().getSubjectX500Principal());
    assertThat(c.getSubjectX500Principal().getName()).contains("meshfed cluster c1 ca 1");
    assertThat(c.getNotAfter().toInstant()).isEqualTo(TestPki.NOW.plus(CertificateIssuer.INTERMEDIATE_VALIDITY));
    c.verify(h.root().certificate().getPublicKey(), Fips.PROVIDER);
  }

  @Test
  @DisplayName("a server leaf carries DNS and IP SANs and serverAuth; a client leaf its identity as CN and clientAuth; both backdated and one year")
  void leafShapes() throws Exception {
    TestPki.Hierarchy h = TestPki.hierarchy(issuer, "prod");
    CertificateInfo server = CertificateInfo.of(h.server().certificate(), TestPki.NOW);
    assertThat(server.dnsNames()).containsExactly("localhost", "controller.mesh.example");
    assertThat(server.ipAddresses()).containsExactly("127.0.0.1");
    assertThat(server.extendedKeyUsages()).containsExactly("serverAuth");
    assertThat(server.ca()).isFalse();
    assertThat(server.notBefore()).isEqualTo(TestPki.NOW.minus(CertificateIssuer.BACKDATE));
    assertThat(server.notAfter()).isEqualTo(TestPki.NOW.plus(LeafSpec.DEFAULT_VALIDITY));
    assertThat(h.server().chain()).containsExactly(h.intermediate().certificate());

    CertificateInfo client = CertificateInfo.of(h.client().certificate(), TestPki.NOW);
    assertThat(client.subject()).contains("CN=agent.c1");
    assertThat(client.extendedKeyUsages()).containsExactly("clientAuth");
    assertThat(client.dnsNames()).isEmpty();
    h.client().certificate().verify(h.intermediate().certificate().getPublicKey(), Fips.PROVIDER);
  }

  @Test
  @DisplayName("an anonymous client leaf has no CN (subject O=meshfed only), clientAuth only, and chains to its issuer; a server leaf cannot be anonymous")
  void anonymousClientLeafHasNoCommonName() throws Exception {
    CertifiedKey root = issuer.createRoot("prod", 1, KeyType.EC_P256, TestPki.days(400));
    CertifiedKey anon = issuer.issueLeaf(root, LeafSpec.anonymousClient(), KeyType.EC_P256);
    assertThat(anon.certificate().getSubjectX500Principal().getName()).isEqualTo("O=meshfed");
    assertThat(anon.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    anon.certificate().verify(root.certificate().getPublicKey(), Fips.PROVIDER);
    assertThatThrownBy(() -> new LeafSpec(LeafSpec.Kind.SERVER, null, java.util.List.of("a.example"), java.util.List.of(), TestPki.days(1)))
        .isInstanceOf(PkiException.class).hasMessageContaining("common name must not be empty");
    assertThatThrownBy(() -> LeafSpec.client(null)).isInstanceOf(PkiException.class).hasMessageContaining("common name must not be empty");
  }

  @Test
  @DisplayName("a leaf that would outlive its issuer is refused with a clear error")
  void leafNeverOutlivesIssuer() {
    CertifiedKey root = issuer.createRoot("prod", 1, KeyType.EC_P256, TestPki.days(100));
    assertThatThrownBy(() -> issuer.issueLeaf(root, LeafSpec.client("remote-c1"), KeyType.EC_P256))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("leaf remote-c1")
        .hasMessageContaining("may not outlive its issuer");
    assertThatThrownBy(() -> issuer.createIntermediate(root, "prod", "c1", KeyType.EC_P256, CertificateIssuer.INTERMEDIATE_VALIDITY))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("may not outlive its issuer");
    assertThat(issuer.issueLeaf(root, LeafSpec.client("remote-c1").withValidity(TestPki.days(50)), KeyType.EC_P256)).isNotNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"bad_name.example", "-lead.example", "trail-.example", "a..b", "*", "*.com", "x.*.example", ""})
  @DisplayName("invalid DNS SANs are refused, naming the field and the rule")
  void invalidDnsRefused(String name) {
    assertThatThrownBy(() -> LeafSpec.server(List.of(name), List.of()))
        .isInstanceOf(PkiException.class)
        .satisfies(e -> assertThat(((PkiException) e).input()).isEqualTo("dns"));
  }

  @Test
  @DisplayName("a wildcard first label is accepted")
  void wildcardAccepted() {
    assertThat(LeafSpec.server(List.of("*.mesh.cilium.io"), List.of()).dnsNames()).containsExactly("*.mesh.cilium.io");
  }

  @Test
  @DisplayName("unknown key types and weak RSA sizes are refused by name")
  void unknownKeyTypeRefused() {
    assertThatThrownBy(() -> KeyType.parse("--key-type", "rsa-1024"))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("--key-type")
        .hasMessageContaining("ec-p256, ec-p384, rsa-3072");
    assertThatThrownBy(() -> KeyType.parse("--key-type", "ed25519")).isInstanceOf(PkiException.class);
  }

  @Test
  @DisplayName("bad mesh names are refused")
  void badMeshName() {
    assertThatThrownBy(() -> issuer.createRoot("Prod_1", 1, KeyType.EC_P256, CertificateIssuer.ROOT_VALIDITY))
        .isInstanceOf(PkiException.class)
        .hasMessageContaining("mesh");
  }

  @Test
  @DisplayName("the CA pin is sha256 of the SubjectPublicKeyInfo, as kubeadm prints it")
  void publicKeyPin() throws Exception {
    CertifiedKey root = issuer.createRoot("prod", 1, KeyType.EC_P256, CertificateIssuer.ROOT_VALIDITY);
    String pin = CertificateInfo.publicKeyPin(root.certificate());
    byte[] expected = java.security.MessageDigest.getInstance("SHA-256").digest(root.certificate().getPublicKey().getEncoded());
    assertThat(pin).isEqualTo("sha256:" + java.util.HexFormat.of().formatHex(expected));
  }
}
