package io.meshfed.controller.store;

/**
 * The mesh CA as the controller needs it ({@code meshfed/ca}): public material in clear, the root
 * key only as an encrypted PKCS#8 PEM (it signs cluster intermediates at join).
 */
public record CaRecord(int generation, String bundlePem, String rootCertificatePem, String rootKeyEncryptedPem) {}
