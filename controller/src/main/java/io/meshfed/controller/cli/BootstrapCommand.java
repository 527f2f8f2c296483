package io.meshfed.controller.cli;

import io.meshfed.certs.IpAddresses;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.Passphrase;
import io.meshfed.controller.bootstrap.Bootstrap;
import io.meshfed.controller.bootstrap.BootstrapRequest;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshfed bootstrap}: creates the mesh. */
@Command(name = "bootstrap", mixinStandardHelpOptions = true,
    description = "Create a mesh: root CA, controller and admin certificates, etcd users and roles, the mesh record, controller.yaml and meshfed.yaml.")
public final class BootstrapCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--mesh", required = true, paramLabel = "NAME", description = "Mesh name.")
  String mesh;

  @Option(names = "--max-clusters", defaultValue = "255", paramLabel = "N", description = "255 (default) or 511; fixed for the life of the mesh.")
  int maxClusters;

  @Option(names = "--key-type", defaultValue = "ec-p256", paramLabel = "TYPE", description = "Root key type for a new CA: ec-p256, ec-p384, rsa-3072.")
  String keyType;

  @Option(names = "--etcd", required = true, split = ",", paramLabel = "URLS", description = "etcd endpoints (https://HOST:PORT, comma-separated).")
  List<String> etcd;

  @Option(names = "--etcd-ca", required = true, paramLabel = "FILE", description = "Roots that etcd's server certificate chains to.")
  Path etcdCa;

  @Option(names = "--etcd-cert", required = true, paramLabel = "FILE", description = "Client certificate of an etcd user with the root role (used only by bootstrap).")
  Path etcdCert;

  @Option(names = "--etcd-key", required = true, paramLabel = "FILE", description = "Its key (clear or encrypted with the passphrase).")
  Path etcdKey;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write certificates and configuration.")
  Path out;

  @Option(names = "--ca-dir", paramLabel = "DIR", description = "Use this existing CA directory (from `meshfed ca init`) as the mesh CA.")
  Path caDir;

  @Option(names = "--controller-dns", paramLabel = "NAME", description = "DNS name of the controller (repeatable; default localhost).")
  List<String> controllerDns = new ArrayList<>();

  @Option(names = "--controller-ip", paramLabel = "ADDR", description = "IP of the controller (repeatable; default 127.0.0.1).")
  List<String> controllerIps = new ArrayList<>();

  @Option(names = "--controller-url", paramLabel = "URL", description = "The URL clients use (default https://<first name>:8443).")
  String controllerUrl;

  @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase that encrypts every private key (else $MESHFED_CA_PASSPHRASE).")
  Path passphraseFile;

  @Override
  public Integer call() {
    MeshfedCommand root = (MeshfedCommand) spec.parent().userObject();
    if (maxClusters != 255 && maxClusters != 511) {
      throw CliException.usage("--max-clusters must be 255 or 511, got " + maxClusters);
    }
    List<InetAddress> ips = new ArrayList<>();
    for (String ip : controllerIps) {
      ips.add(IpAddresses.parse("--controller-ip", ip));
    }
    List<String> dns = controllerDns;
    if (dns.isEmpty() && ips.isEmpty()) {
      dns = List.of("localhost");
      ips.add(IpAddresses.parse("--controller-ip", "127.0.0.1"));
    }
    if (controllerUrl != null && !controllerUrl.startsWith("https://")) {
      throw CliException.usage("--controller-url must be https://");
    }
    BootstrapRequest req = new BootstrapRequest(mesh, maxClusters, KeyType.parse("--key-type", keyType), etcd, etcdCa, etcdCert, etcdKey,
        out, caDir, dns, ips, controllerUrl, Passphrase.resolve(passphraseFile, root.env()));
    var err = spec.commandLine().getErr();
    Bootstrap.Result result = new Bootstrap(Clock.systemUTC()).run(req, msg -> {
      err.println("... " + msg);
      err.flush();
    });
    var o = spec.commandLine().getOut();
    o.println("mesh \"" + mesh + "\" bootstrapped (max " + maxClusters + " clusters)");
    o.println("  ca hash:           " + result.caHash());
    o.println("  controller config: " + result.layout().controllerConfig());
    o.println("  admin CLI config:  " + result.layout().cliConfig() + "  (export MESHFED_CONFIG=" + result.layout().cliConfig() + ")");
    o.println("  etcd check:        " + result.etcdCheck());
    o.println("next: meshfed controller --config " + result.layout().controllerConfig());
    o.println("      meshfed token create   # then `meshfed join ... --ca-hash " + result.caHash() + "` in each member");
    o.flush();
    return result.controllerCanReachEtcd() ? Main.OK : Main.FAILURE;
  }

  static List<String> split(String s) {
    return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
  }
}
