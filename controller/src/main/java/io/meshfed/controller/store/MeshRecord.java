package io.meshfed.controller.store;

import java.time.Instant;

/**
 * The mesh itself ({@code meshfed/mesh}): written once by bootstrap.
 *
 * @param secretSalt base64 salt of the key that seals secrets at rest (see {@code SecretBox})
 */
public record MeshRecord(String name, int maxConnectedClusters, Instant createdAt, String secretSalt) {}
