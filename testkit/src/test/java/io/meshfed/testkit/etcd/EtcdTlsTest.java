package io.meshfed.testkit.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.etcd.jetcd.Client;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** etcd with https and mandatory client certificates, the way the product runs it. */
class EtcdTlsTest {

    /** Filled by JUnit before the etcd extension runs (built-in extensions come first). */
    @TempDir
    static Path pkiDir;

    private static OpenSslPki pki;

    /** Certificates are issued when etcd starts, into pkiDir, which JUnit deletes whatever happens. */
    @RegisterExtension
    static final EtcdExtension ETCD = EtcdExtension.singleNode().withTls(() -> pki().etcdTls());

    private static synchronized OpenSslPki pki() {
        if (pki == null) {
            pki = OpenSslPki.generate(pkiDir);
        }
        return pki;
    }

    @Test
    void servesHttpsOnLoopback() {
        assertThat(ETCD.endpoints()).singleElement().asString().matches("https://127\\.0\\.0\\.1:\\d+");
        assertThat(ETCD.etcdCluster().tls()).contains(pki().etcdTls());
    }

    @Test
    void clientPresentingTheClientCertificateCanPutAndGet() throws Exception {
        SslContextBuilder withClientCert = GrpcSslContexts.forClient()
                .trustManager(pki().caCert().toFile())
                .keyManager(pki().clientCert().toFile(), pki().clientKey().toFile());

        try (Client client = tlsClient(withClientCert.build())) {
            Kv.put(client, "meshfed/tls/key", "secret");

            assertThat(Kv.get(client, "meshfed/tls/key")).contains("secret");
        }
    }

    @Test
    void clientWithoutACertificateIsRefused() throws SSLException {
        SslContext trustOnly = GrpcSslContexts.forClient().trustManager(pki().caCert().toFile()).build();

        try (Client client = tlsClient(trustOnly)) {
            assertThatThrownBy(() -> Kv.put(client, "meshfed/tls/intruder", "x"))
                    .isInstanceOf(ExecutionException.class)
                    .hasStackTraceContaining("UNAVAILABLE")
                    // etcd aborts the handshake with a fatal alert: refused for want of a certificate.
                    .hasRootCauseInstanceOf(SSLHandshakeException.class);
        }
    }

    @Test
    void jetcdClientConvenienceIsOnlyForPlainHttp() {
        assertThatThrownBy(ETCD::jetcdClient)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("sslContext");
    }

    /** Fails fast instead of waiting for a channel that will never become ready. */
    private static Client tlsClient(SslContext sslContext) {
        return Client.builder()
                .endpoints(ETCD.endpoints().toArray(String[]::new))
                .sslContext(sslContext)
                .waitForReady(false)
                .build();
    }
}
