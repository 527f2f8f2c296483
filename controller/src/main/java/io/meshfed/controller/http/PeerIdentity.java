package io.meshfed.controller.http;

import io.meshfed.api.tls.MeshTls;
import io.vertx.ext.web.RoutingContext;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is calling, from the verified TLS client certificate only (never from a header or body).
 *
 * @param serialHex the certificate serial in lower-case hex, as revocations are stored
 */
public record PeerIdentity(String commonName, String serialHex) {

  /** The verified peer, or null when the client presented no certificate. */
  public static PeerIdentity of(RoutingContext ctx) {
    SSLSession session = ctx.request().connection().sslSession();
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate leaf)) {
        return null;
      }
      return new PeerIdentity(MeshTls.commonName(leaf), leaf.getSerialNumber().toString(16));
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }
}
