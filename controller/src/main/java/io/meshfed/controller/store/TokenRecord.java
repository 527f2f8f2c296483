package io.meshfed.controller.store;

import java.time.Instant;

/**
 * A join token ({@code meshfed/tokens/<id>}), stored with an etcd lease that ends with it. Only the
 * SHA-256 of the secret is stored; the secret is 80 random bits shown once.
 *
 * @param clusterName when set, the token joins only a cluster of this name
 */
public record TokenRecord(
    String id, String secretSha256, int usesLeft, String clusterName, Instant createdAt, Instant expiresAt, long leaseId, String description) {

  public TokenRecord withUsesLeft(int n) {
    return new TokenRecord(id, secretSha256, n, clusterName, createdAt, expiresAt, leaseId, description);
  }
}
