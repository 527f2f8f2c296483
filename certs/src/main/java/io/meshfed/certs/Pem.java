package io.meshfed.certs;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM encoding of certificates and keys. Keys are always PKCS#8 ({@code BEGIN PRIVATE KEY}), the
 * form Netty, Go and OpenSSL all read. Clear-text key PEM exists only in memory (for TLS options and
 * for the data of Kubernetes Secrets, whose at-rest protection is the cluster's); files on disk go
 * through {@link KeyEncryption}.
 */
public final class Pem {
  private Pem() {}

  public static String encodeCertificates(Collection<X509Certificate> certs) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      for (X509Certificate cert : certs) {
        writer.writeObject(cert);
      }
    } catch (IOException e) {
      throw new IllegalStateException("PEM encoding of a certificate failed", e);
    }
    return out.toString();
  }

  public static String encodeCertificate(X509Certificate cert) {
    return encodeCertificates(List.of(cert));
  }

  /** Clear-text PKCS#8: for in-memory use only (TLS options, Secret data). */
  public static String encodePrivateKeyInMemory(PrivateKey key) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(new JcaPKCS8Generator(key, null));
    } catch (IOException e) {
      throw new IllegalStateException("PEM encoding of a private key failed", e);
    }
    return out.toString();
  }

  /** Reads every certificate in a PEM text; refuses text that holds none or holds anything broken. */
  public static List<X509Certificate> decodeCertificates(String source, String pem) {
    List<X509Certificate> certs = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter().setProvider(Fips.PROVIDER);
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o;
      while ((o = parser.readObject()) != null) {
        if (o instanceof X509CertificateHolder holder) {
          certs.add(converter.getCertificate(holder));
        } else {
          throw new PkiException(source, "expected only CERTIFICATE blocks, found " + o.getClass().getSimpleName());
        }
      }
    } catch (IOException | CertificateException | RuntimeException e) {
      if (e instanceof PkiException p) {
        throw p;
      }
      throw new PkiException(source, "corrupt or truncated PEM certificate: " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new PkiException(source, "no PEM CERTIFICATE block found (empty, truncated or not PEM)");
    }
    return certs;
  }

  public static X509Certificate decodeCertificate(String source, String pem) {
    List<X509Certificate> certs = decodeCertificates(source, pem);
    if (certs.size() != 1) {
      throw new PkiException(source, "expected exactly one certificate, found " + certs.size());
    }
    return certs.get(0);
  }

  public static List<X509Certificate> readCertificates(Path file) {
    return decodeCertificates(file.toString(), readText(file));
  }

  /**
   * Reads a private key: clear PKCS#8 or traditional, or {@code ENCRYPTED PRIVATE KEY} when a
   * passphrase is given.
   */
  public static PrivateKey decodePrivateKey(String source, String pem, Passphrase passphrase) {
    try (PEMParser parser = new PEMParser(new StringReader(pem))) {
      Object o = parser.readObject();
      if (o == null) {
        throw new PkiException(source, "no PEM private key block found (empty, truncated or not PEM)");
      }
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter().setProvider(Fips.PROVIDER);
      if (o instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
        if (passphrase == null) {
          throw new PkiException(source, "the key is encrypted; a passphrase is needed (--passphrase-file or MESHFED_CA_PASSPHRASE)");
        }
        return KeyEncryption.decrypt(source, encrypted, passphrase);
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      if (o instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      throw new PkiException(source, "expected a PRIVATE KEY block, found " + o.getClass().getSimpleName());
    } catch (PEMException e) {
      throw new PkiException(source, "corrupt private key PEM: " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      if (e instanceof PkiException p) {
        throw p;
      }
      throw new PkiException(source, "corrupt or truncated private key PEM: " + e.getMessage(), e);
    }
  }

  public static String readText(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new PkiException(file.toString(), "file does not exist");
    } catch (IOException e) {
      throw new PkiException(file.toString(), "cannot read: " + e.getMessage(), e);
    }
  }
}
