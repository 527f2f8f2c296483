package io.meshfed.controller.bootstrap;

import io.etcd.jetcd.Client;
import io.meshfed.api.cluster.MaxConnectedClusters;
import io.meshfed.certs.CaDirectory;
import io.meshfed.certs.CertificateInfo;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.CertifiedKey;
import io.meshfed.certs.KeyEncryption;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.MeshPki;
import io.meshfed.certs.Pem;
import io.meshfed.certs.PkiException;
import io.meshfed.certs.SecretBox;
import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.config.ControllerConfig;
import io.meshfed.controller.config.CliConfig;
import io.meshfed.controller.config.YamlFiles;
import io.meshfed.controller.store.CaRecord;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.store.EtcdAuth;
import io.meshfed.controller.store.MeshRecord;
import io.meshfed.controller.store.MeshStore;
import io.meshfed.controller.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.function.Consumer;

/**
 * Creates a mesh: the root CA (or adopts an existing CA directory), the controller's server and
 * etcd client certificates, the admin client certificate, etcd users and roles, the mesh record,
 * and the controller and CLI configuration files.
 *
 * <p>Order matters for "nothing half-written": everything that can be refused is checked before
 * anything is created (the mesh must not exist in etcd, the output directory must not hold a
 * bootstrap); etcd auth setup is idempotent; the mesh record is one transaction; if anything fails
 * after files were written, the output directory this run created is removed again.
 */
public final class Bootstrap {
  /** The CN of the admin client certificate; the API grants admin rights to exactly this identity. */
  public static final String ADMIN_CN = "meshfed-admin";

  private final Clock clock;

  public Bootstrap(Clock clock) {
    this.clock = clock;
  }

  /** What bootstrap produced, for the summary. */
  public record Result(BootstrapLayout layout, String caHash, boolean controllerCanReachEtcd, String etcdCheck) {}

  public Result run(BootstrapRequest req, Consumer<String> progress) {
    MaxConnectedClusters max = MaxConnectedClusters.of(req.maxConnectedClusters());
    BootstrapLayout layout = new BootstrapLayout(req.outDir().toAbsolutePath().normalize());
    if (Files.exists(layout.controllerConfig()) || Files.exists(layout.cliConfig())) {
      throw new PkiException("--out " + layout.out(), "already holds a bootstrap (controller.yaml or meshfed.yaml); choose an empty directory");
    }
    TrustBundle etcdTrust = TrustBundle.parse(req.etcdCa().toString(), Pem.readText(req.etcdCa()));
    List<X509Certificate> rootCerts = Pem.readCertificates(req.etcdCert());
    PrivateKey rootKey = Pem.decodePrivateKey(req.etcdKey().toString(), Pem.readText(req.etcdKey()), req.passphrase());
    io.meshfed.certs.KeyMatch.require(req.etcdKey().toString(), rootCerts.get(0), rootKey);
    EtcdAccess rootAccess = new EtcdAccess(req.etcdEndpoints(), new CertifiedKey(rootCerts.get(0), rootKey, rootCerts.subList(1, rootCerts.size())), etcdTrust);

    progress.accept("connecting to etcd " + String.join(",", req.etcdEndpoints()) + " as " + rootAccess.user());
    boolean createdOut = !Files.exists(layout.out());
    try (MeshStore rootStore = new MeshStore(rootAccess.connect())) {
      rootStore.mesh().ifPresent(m -> {
        throw new StoreException("mesh", "a mesh (\"" + m.name() + "\") already exists in this etcd; refusing to bootstrap over it");
      });
      try {
        return create(req, max, layout, etcdTrust, rootStore, progress);
      } catch (RuntimeException e) {
        if (createdOut) {
          progress.accept("failed; removing " + layout.out());
          deleteQuietly(layout.out());
        }
        throw e;
      }
    }
  }

  private Result create(BootstrapRequest req, MaxConnectedClusters max, BootstrapLayout layout, TrustBundle etcdTrust,
      MeshStore rootStore, Consumer<String> progress) {
    CertificateIssuer issuer = new CertificateIssuer(clock, io.meshfed.certs.FipsRandom.get());
    CaDirectory caDir;
    MeshPki pki;
    if (req.caDir() != null) {
      caDir = new CaDirectory(req.caDir(), req.passphrase());
      progress.accept("using the mesh CA in " + caDir.path());
      pki = caDir.load();
      if (!pki.mesh().equals(req.mesh())) {
        throw new PkiException("--ca-dir " + req.caDir(), "belongs to mesh \"" + pki.mesh() + "\", not \"" + req.mesh() + "\"");
      }
    } else {
      caDir = new CaDirectory(layout.caDir(), req.passphrase());
      progress.accept("creating the mesh root CA (" + req.keyType().cliName() + ") in " + caDir.path());
      pki = MeshPki.create(issuer, req.mesh(), req.keyType());
      caDir.init(pki, false, clock);
    }
    progress.accept("issuing the controller's server, etcd client and admin certificates");
    pki = pki.withLeaf(issuer, "controller-server", "root", LeafSpec.server(req.controllerDnsNames(), req.controllerIps()),
        layout.controllerServer().toString());
    pki = pki.withLeaf(issuer, "controller-etcd", "root", LeafSpec.client(EtcdAuth.CONTROLLER_USER), layout.controllerEtcd().toString());
    pki = pki.withLeaf(issuer, "admin", "root", LeafSpec.client(ADMIN_CN), layout.admin().toString());
    caDir.save(pki);
    try {
      Files.createDirectories(layout.pki());
      Files.writeString(layout.bundle(), pki.bundle().toPem());
      Files.writeString(layout.etcdCa(), etcdTrust.toPem());
    } catch (IOException e) {
      throw new PkiException(layout.pki().toString(), "cannot write: " + e.getMessage(), e);
    }

    progress.accept("creating etcd users and roles (" + EtcdAuth.CONTROLLER_USER + ": read-write on " + EtcdAuth.CONTROLLER_PREFIXES + ") and enabling auth");
    new EtcdAuth(rootStore.client()).setUpForController();

    progress.accept("writing the mesh record");
    MeshRecord mesh = new MeshRecord(req.mesh(), max.value(), clock.instant(), Base64.getEncoder().encodeToString(SecretBox.newSalt()));
    CaRecord ca = new CaRecord(pki.generation(), pki.bundle().toPem(), Pem.encodeCertificate(pki.root().certificate()),
        KeyEncryption.encrypt(pki.root().privateKey(), req.passphrase()));
    rootStore.bootstrap(mesh, ca);

    progress.accept("writing " + layout.controllerConfig() + " and " + layout.cliConfig());
    String url = req.controllerUrl() != null ? req.controllerUrl()
        : "https://" + (req.controllerDnsNames().isEmpty() ? req.controllerIps().get(0).getHostAddress() : req.controllerDnsNames().get(0)) + ":8443";
    int port = java.net.URI.create(url).getPort() > 0 ? java.net.URI.create(url).getPort() : 8443;
    ControllerConfig controller = new ControllerConfig(req.mesh(), new ControllerConfig.Listen("0.0.0.0", port), url,
        new ControllerConfig.Etcd(req.etcdEndpoints(), rel(layout, layout.etcdCa()), rel(layout, Path.of(layout.controllerEtcd() + ".crt")),
            rel(layout, Path.of(layout.controllerEtcd() + ".key"))),
        new ControllerConfig.Tls(rel(layout, Path.of(layout.controllerServer() + ".crt")), rel(layout, Path.of(layout.controllerServer() + ".key")),
            rel(layout, layout.bundle())),
        null, null, null, null, null, null, null, null, null, null, null, null);
    CliConfig cli = new CliConfig(url, rel(layout, layout.bundle()), rel(layout, Path.of(layout.admin() + ".crt")), rel(layout, Path.of(layout.admin() + ".key")));
    try {
      YamlFiles.write(layout.controllerConfig(), controller);
      YamlFiles.write(layout.cliConfig(), cli);
    } catch (IOException e) {
      throw new PkiException(layout.out().toString(), "cannot write configuration: " + e.getMessage(), e);
    }

    progress.accept("checking that the controller's etcd user can read its state");
    String check;
    boolean ok;
    EtcdAccess controllerAccess = new EtcdAccess(req.etcdEndpoints(), pki.issued().get("controller-etcd").current(), etcdTrust);
    try (MeshStore asController = new MeshStore(controllerAccess.connect())) {
      asController.checkSchema();
      ok = true;
      check = "ok: " + EtcdAuth.CONTROLLER_USER + " reads meshfed/";
    } catch (StoreException e) {
      ok = false;
      check = "the controller cannot reach etcd as " + EtcdAuth.CONTROLLER_USER + " (" + e.getMessage()
          + "); etcd must trust the mesh root: add " + layout.bundle() + " to etcd's --trusted-ca-file";
    }
    return new Result(layout, CertificateInfo.publicKeyPin(pki.root().certificate()), ok, check);
  }

  private static String rel(BootstrapLayout layout, Path p) {
    return layout.out().relativize(p.toAbsolutePath().normalize()).toString();
  }

  private static void deleteQuietly(Path dir) {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException ignored) {
      // best effort: the failure that brought us here is what the user must see
    }
  }
}
