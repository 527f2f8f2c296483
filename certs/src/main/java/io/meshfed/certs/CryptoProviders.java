package io.meshfed.certs;

/**
 * Which JCA providers do the key generation, signing and certificate parsing. The product always
 * uses {@link #FIPS}; {@link #JDK} exists so the issuance benchmark can measure the FIPS cost
 * against the JDK's own providers in the same run.
 */
public enum CryptoProviders {
  FIPS(Fips.PROVIDER, Fips.PROVIDER, Fips.PROVIDER),
  JDK("SunEC", "SunRsaSign", "SUN");

  private final String ec;
  private final String rsa;
  private final String certificates;

  CryptoProviders(String ec, String rsa, String certificates) {
    this.ec = ec;
    this.rsa = rsa;
    this.certificates = certificates;
  }

  /** The provider for keys and signatures of this type. */
  public String forKeyType(KeyType type) {
    return type == KeyType.RSA_3072 ? rsa : ec;
  }

  /** The provider that turns encoded certificates into {@code X509Certificate}s. */
  public String certificates() {
    return certificates;
  }
}
