package io.meshfed.certs;

import java.security.NoSuchAlgorithmException;
import java.security.NoSuchProviderException;
import java.security.SecureRandom;

/**
 * One shared FIPS DRBG for the process. BCFIPS's "DEFAULT" SecureRandom is an approved DRBG seeded
 * from the JVM's entropy source; creating one per call would re-seed every time for no benefit.
 */
public final class FipsRandom {
  private static volatile SecureRandom instance;

  private FipsRandom() {}

  public static SecureRandom get() {
    SecureRandom r = instance;
    if (r == null) {
      synchronized (FipsRandom.class) {
        r = instance;
        if (r == null) {
          Fips.install();
          try {
            r = SecureRandom.getInstance("DEFAULT", Fips.PROVIDER);
          } catch (NoSuchAlgorithmException | NoSuchProviderException e) {
            throw new IllegalStateException("BCFIPS has no DEFAULT DRBG", e);
          }
          instance = r;
        }
      }
    }
    return r;
  }
}
