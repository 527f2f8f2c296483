package io.meshfed.controller.store;

import io.etcd.jetcd.Client;
import io.grpc.netty.GrpcSslContexts;
import io.meshfed.api.tls.MeshTls;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.Fips;
import io.meshfed.certs.TrustBundle;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.net.URI;
import java.security.Security;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * How meshfed reaches etcd: gRPC over mTLS on BCJSSE, as an etcd user whose name is the CN of the
 * client certificate (etcd runs with {@code --client-cert-auth}). Plain-text endpoints are refused.
 *
 * @param endpoints https URLs of the etcd members
 * @param identity the client certificate and key (its CN is the etcd user)
 * @param trust the roots the etcd server certificate must chain to
 */
public record EtcdAccess(List<String> endpoints, CertifiedKey identity, TrustBundle trust) {

  public EtcdAccess {
    endpoints = List.copyOf(endpoints);
    if (endpoints.isEmpty()) {
      throw new StoreException("etcd.endpoints", "at least one etcd endpoint is required");
    }
    for (String e : endpoints) {
      URI uri;
      try {
        uri = URI.create(e);
      } catch (IllegalArgumentException ex) {
        throw new StoreException("etcd.endpoints", "\"" + e + "\" is not a URL");
      }
      if (!"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() <= 0) {
        throw new StoreException("etcd.endpoints", "\"" + e + "\" must be https://HOST:PORT (meshfed talks to etcd only over mTLS)");
      }
    }
  }

  /** The etcd user this access acts as. */
  public String user() {
    return MeshTls.commonName(identity.certificate());
  }

  /** A new jetcd client. The caller closes it (jetcd keeps its own private Vert.x instance). */
  public Client connect() {
    return Client.builder()
        .endpoints(endpoints.toArray(String[]::new))
        .sslContext(sslContext(identity, trust))
        .connectTimeout(Duration.ofSeconds(5))
        .retryMaxDuration(Duration.ofSeconds(15))
        .keepaliveTime(Duration.ofSeconds(30))
        .keepaliveTimeout(Duration.ofSeconds(10))
        .build();
  }

  /**
   * The gRPC client TLS context meshfed uses towards etcd (and, in tests, towards a member's etcd
   * proxy): BCJSSE, TLS 1.3/1.2, {@code trust} for the server, and {@code identity} as the client
   * certificate, or none when null.
   */
  public static SslContext sslContext(CertifiedKey identity, TrustBundle trust) {
    Fips.install();
    try {
      SslContextBuilder builder = GrpcSslContexts.configure(SslContextBuilder.forClient(), SslProvider.JDK)
          .sslContextProvider(Security.getProvider(Fips.JSSE_PROVIDER))
          .trustManager(MeshTls.trustManagerFactory(trust))
          .protocols("TLSv1.3", "TLSv1.2");
      if (identity != null) {
        builder.keyManager(MeshTls.keyManagerFactory(identity));
      }
      return builder.build();
    } catch (SSLException e) {
      throw new StoreException("etcd.tls", "cannot build the etcd TLS context: " + e.getMessage(), e);
    }
  }
}
