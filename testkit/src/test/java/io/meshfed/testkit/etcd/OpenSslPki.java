package io.meshfed.testkit.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away PKI made with the system {@code openssl} CLI, for this module's TLS tests only
 * (the product issues certificates with the certs module): an EC P-256 CA, a server certificate
 * for {@code IP:127.0.0.1} and {@code DNS:localhost}, and a client certificate with CN
 * {@code root}. Every private key is written as unencrypted PKCS#8 PEM, the form Netty's
 * {@code SslContextBuilder} (and so jetcd) reads.
 *
 * @param dir the directory holding every file (a JUnit {@code @TempDir}, so JUnit deletes it even
 *     when a test class fails to start)
 */
record OpenSslPki(Path dir) {

    private static final String CA_EXTENSIONS = """
            basicConstraints = critical, CA:TRUE
            keyUsage = critical, keyCertSign, cRLSign
            subjectKeyIdentifier = hash
            """;
    private static final String SERVER_EXTENSIONS = """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = serverAuth, clientAuth
            subjectAltName = IP:127.0.0.1, DNS:localhost
            authorityKeyIdentifier = keyid
            """;
    private static final String CLIENT_EXTENSIONS = """
            basicConstraints = critical, CA:FALSE
            keyUsage = critical, digitalSignature
            extendedKeyUsage = clientAuth
            authorityKeyIdentifier = keyid
            """;

    /** Creates the CA, server and client material in {@code dir}. */
    static OpenSslPki generate(Path dir) {
        try {
            OpenSslPki pki = new OpenSslPki(dir);
            pki.selfSignedCa();
            pki.leaf("server", "/CN=etcd-server", SERVER_EXTENSIONS);
            pki.leaf("client", "/CN=root", CLIENT_EXTENSIONS);
            return pki;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path caCert() {
        return dir.resolve("ca.pem");
    }

    Path serverCert() {
        return dir.resolve("server.pem");
    }

    Path serverKey() {
        return dir.resolve("server-key.pem");
    }

    Path clientCert() {
        return dir.resolve("client.pem");
    }

    Path clientKey() {
        return dir.resolve("client-key.pem");
    }

    /** The server side, as etcd wants it. */
    EtcdTls etcdTls() {
        return new EtcdTls(serverCert(), serverKey(), caCert());
    }

    private void selfSignedCa() throws IOException {
        Path key = pkcs8Key("ca");
        Path csr = dir.resolve("ca.csr");
        openssl("req", "-new", "-key", key, "-subj", "/CN=meshfed test CA", "-out", csr);
        openssl("x509", "-req", "-in", csr, "-signkey", key, "-days", "2", "-sha256",
                "-extfile", extensionFile("ca", CA_EXTENSIONS), "-out", caCert());
    }

    private void leaf(String name, String subject, String extensions) throws IOException {
        Path key = pkcs8Key(name);
        Path csr = dir.resolve(name + ".csr");
        openssl("req", "-new", "-key", key, "-subj", subject, "-out", csr);
        openssl("x509", "-req", "-in", csr, "-CA", caCert(), "-CAkey", dir.resolve("ca-key.pem"),
                "-CAcreateserial", "-CAserial", dir.resolve("ca.srl"), "-days", "2", "-sha256",
                "-extfile", extensionFile(name, extensions), "-out", dir.resolve(name + ".pem"));
    }

    /** An EC P-256 key converted to unencrypted PKCS#8 ("BEGIN PRIVATE KEY"). */
    private Path pkcs8Key(String name) throws IOException {
        Path sec1 = dir.resolve(name + "-key.sec1.pem");
        Path pkcs8 = dir.resolve(name + "-key.pem");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", sec1);
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", sec1, "-out", pkcs8);
        return pkcs8;
    }

    private Path extensionFile(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name + ".ext"), content, StandardCharsets.US_ASCII);
    }

    private void openssl(Object... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add("openssl");
        for (Object arg : args) {
            command.add(arg.toString());
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("openssl failed: " + command + System.lineSeparator() + output);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command, e);
        }
    }
}
