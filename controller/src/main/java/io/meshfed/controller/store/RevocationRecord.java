package io.meshfed.controller.store;

import java.time.Instant;

/** A revoked certificate serial ({@code meshfed/revoked/<serial>}); kept until the certificate expires. */
public record RevocationRecord(String serial, String cluster, String reason, Instant revokedAt, Instant notAfter) {}
