package io.meshfed.testkit.etcd;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Server-side TLS material for the client port of every etcd member, all PEM files supplied by the
 * caller (the certs module in product tests, {@code openssl} in this module's own tests).
 *
 * <p>With TLS, etcd runs with {@code --client-cert-auth}: every client must present a certificate
 * signed by {@code trustedCaPem}. The server certificate must name {@code IP:127.0.0.1} (and
 * {@code DNS:localhost} if clients connect by that name). Give it the {@code clientAuth} extended
 * key usage as well: etcd's built-in gRPC gateway dials its own client port with the server
 * certificate and logs handshake errors otherwise.
 *
 * <p>Peer traffic stays plain HTTP on purpose: members only ever talk to each other over
 * 127.0.0.1, so encrypting it protects nothing in a test, while it would force callers to issue
 * peer certificates too. What the product relies on, client authentication by certificate, is
 * fully exercised on the client port.
 *
 * @param serverCertPem the server certificate (PEM), optionally followed by its chain
 * @param serverKeyPem the server's private key (PEM; PKCS#8, SEC1 and PKCS#1 all work for etcd)
 * @param trustedCaPem the CA bundle (PEM) that client certificates must chain to
 */
public record EtcdTls(Path serverCertPem, Path serverKeyPem, Path trustedCaPem) {

    /** Checks that all three paths are given; whether the files exist is left to etcd to report. */
    public EtcdTls {
        Objects.requireNonNull(serverCertPem, "serverCertPem");
        Objects.requireNonNull(serverKeyPem, "serverKeyPem");
        Objects.requireNonNull(trustedCaPem, "trustedCaPem");
    }

    /** The etcd flags that put the client port behind TLS with mandatory client certificates. */
    List<String> clientFlags() {
        return List.of(
                "--cert-file=" + serverCertPem.toAbsolutePath(),
                "--key-file=" + serverKeyPem.toAbsolutePath(),
                "--trusted-ca-file=" + trustedCaPem.toAbsolutePath(),
                "--client-cert-auth");
    }

    /** Lists the files that do not exist, so a typo fails fast with a readable message. */
    List<Path> missingFiles() {
        return List.of(serverCertPem, serverKeyPem, trustedCaPem).stream()
                .filter(path -> !Files.isReadable(path))
                .toList();
    }
}
