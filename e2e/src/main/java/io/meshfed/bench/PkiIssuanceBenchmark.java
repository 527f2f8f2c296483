package io.meshfed.bench;

import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.CryptoProviders;
import io.meshfed.certs.Fips;
import io.meshfed.certs.FipsRandom;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.LeafSpec;
import java.security.KeyPair;
import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Leaf issuance throughput: BCFIPS (what the product runs) against the JDK's own providers (SunEC,
 * SunRsaSign) in the same JVM and run, so the ratio is the FIPS cost. Two operations:
 * {@code issueWithNewKey} generates the leaf key and signs (what join does for an agent), and
 * {@code signOnly} signs a certificate for a key that already exists (what renewal of a
 * CSR-style leaf costs).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PkiIssuanceBenchmark {
  @Param({"FIPS", "JDK"})
  public String providers;

  @Param({"EC_P256", "RSA_3072"})
  public String keyType;

  private CertificateIssuer issuer;
  private CertifiedKey intermediate;
  private KeyPair leafKeys;
  private KeyType type;
  private final LeafSpec spec = LeafSpec.client("agent.bench");

  @Setup
  public void setUp() throws NoSuchAlgorithmException, NoSuchProviderException {
    CryptoProviders p = CryptoProviders.valueOf(providers);
    if (p == CryptoProviders.FIPS) {
      Fips.installAndCheck();
    } else if (java.security.Security.getProvider(Fips.PROVIDER) == null) {
      // JMH runs every parameter set in its own JVM. On the JDK side BCFIPS goes last: SunEC looks up
      // EC parameters through provider order, and BCFIPS first would answer for it. BCFIPS is still
      // needed by name for the key-identifier digest, which both sides then share.
      java.security.Security.addProvider(new org.bouncycastle.jcajce.provider.BouncyCastleFipsProvider());
    }
    // Each side uses its own DRBG: BCFIPS's approved one, or the JDK's native one.
    SecureRandom random = p == CryptoProviders.FIPS ? FipsRandom.get() : SecureRandom.getInstance("NativePRNGNonBlocking", "SUN");
    type = KeyType.valueOf(keyType);
    issuer = new CertificateIssuer(Clock.systemUTC(), random, p);
    CertifiedKey root = issuer.createRoot("bench", 1, type, CertificateIssuer.ROOT_VALIDITY);
    intermediate = issuer.createIntermediate(root, "bench", "c1", type, CertificateIssuer.INTERMEDIATE_VALIDITY);
    leafKeys = type.generate(random, p);
  }

  @Benchmark
  public CertifiedKey issueWithNewKey() {
    return issuer.issueLeaf(intermediate, spec, type);
  }

  @Benchmark
  public CertifiedKey signOnly() {
    return issuer.issueLeaf(intermediate, spec, leafKeys.getPublic(), leafKeys.getPrivate());
  }
}
