package io.meshfed.controller.cli.ca;

import io.meshfed.certs.CaDirectory;
import io.meshfed.certs.CertificateInfo;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.IpAddresses;
import io.meshfed.certs.IssuedCertificate;
import io.meshfed.certs.LeafSpec;
import io.meshfed.certs.MeshPki;
import io.meshfed.certs.PkiException;
import io.meshfed.controller.cli.CliException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshfed ca issue}: a cluster intermediate, a server leaf or a client leaf. */
@Command(name = "issue", mixinStandardHelpOptions = true,
    description = "Issue a cluster intermediate CA, a server certificate or a client certificate; writes PREFIX.crt and PREFIX.key (encrypted).")
public final class CaIssueCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin CaStoreOptions store;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Kind kind;

  static final class Kind {
    @Option(names = "--intermediate", paramLabel = "CLUSTER", description = "An intermediate CA for this member cluster (pathLen 0).")
    String intermediate;

    @Option(names = "--server", description = "A server certificate (needs --dns and/or --ip).")
    boolean server;

    @Option(names = "--client", description = "A client certificate (needs --cn).")
    boolean client;
  }

  @Option(names = "--dns", paramLabel = "NAME", description = "DNS subjectAlternativeName (repeatable).")
  List<String> dns = new ArrayList<>();

  @Option(names = "--ip", paramLabel = "ADDR", description = "IP subjectAlternativeName (repeatable).")
  List<String> ips = new ArrayList<>();

  @Option(names = "--cn", paramLabel = "CN", description = "Client identity, e.g. remote-<cluster> or agent.<cluster>.")
  String cn;

  @Option(names = "--issuer", defaultValue = "root", paramLabel = "CLUSTER",
      description = "Sign with this cluster's intermediate instead of the root.")
  String issuerName;

  @Option(names = "--validity-days", paramLabel = "DAYS", description = "Validity (default: 1095 for intermediates, 365 for leaves).")
  Integer validityDays;

  @Option(names = "--out", paramLabel = "PREFIX", description = "Write PREFIX.crt (certificate and chain) and PREFIX.key (encrypted).")
  Path out;

  @Override
  public Integer call() throws IOException {
    CaDirectory dir = store.open(CliContext.root(spec));
    MeshPki pki = dir.load();
    CertificateIssuer issuer = CertificateIssuer.systemDefault();
    String name;
    MeshPki next;
    if (kind.intermediate != null) {
      if (!dns.isEmpty() || !ips.isEmpty() || cn != null) {
        throw CliException.usage("--intermediate takes no --dns, --ip or --cn");
      }
      name = kind.intermediate;
      CaDirectory.validateEntryName("--intermediate", name);
      Duration validity = validityDays == null ? CertificateIssuer.INTERMEDIATE_VALIDITY : days(validityDays);
      CliContext.progress(spec, "issuing the intermediate CA of cluster " + name);
      next = pki.withIntermediate(issuer, name, validity);
    } else {
      if (out == null) {
        throw CliException.usage("--out PREFIX is required for --server and --client");
      }
      name = CaDirectory.validateEntryName("--out", out.getFileName().toString());
      LeafSpec leaf;
      if (kind.server) {
        if (cn != null) {
          throw CliException.usage("--server takes --dns/--ip, not --cn");
        }
        List<InetAddress> addrs = new ArrayList<>();
        for (String ip : ips) {
          addrs.add(IpAddresses.parse("--ip", ip));
        }
        if (dns.isEmpty() && addrs.isEmpty()) {
          throw CliException.usage("--server needs at least one --dns or --ip");
        }
        leaf = LeafSpec.server(dns, addrs);
      } else {
        if (cn == null) {
          throw CliException.usage("--client needs --cn");
        }
        if (!dns.isEmpty() || !ips.isEmpty()) {
          throw CliException.usage("--client takes --cn, not --dns/--ip");
        }
        leaf = LeafSpec.client(cn);
      }
      if (validityDays != null) {
        leaf = leaf.withValidity(days(validityDays));
      }
      CliContext.progress(spec, "issuing a " + (kind.server ? "server" : "client") + " certificate signed by " + issuerName);
      next = pki.withLeaf(issuer, name, issuerName, leaf, out.toAbsolutePath().toString());
    }
    dir.save(next);
    IssuedCertificate entry = next.issued().get(name);
    if (kind.intermediate != null && out != null) {
      dir.writeOutput(out, entry.current());
    }
    CertificateInfo info = CertificateInfo.of(entry.current().certificate(), issuer.clock().instant());
    var w = spec.commandLine().getOut();
    w.println("issued " + info.subject());
    w.println("  issuer:   " + info.issuer());
    w.println("  expires:  " + info.notAfter() + " (" + info.daysLeft() + " days)");
    if (entry.out() != null || (kind.intermediate != null && out != null)) {
      Path p = out;
      w.println("  wrote:    " + p + ".crt, " + p + ".key (encrypted)");
    }
    w.flush();
    return 0;
  }

  private static Duration days(int n) {
    if (n <= 0) {
      throw new PkiException("--validity-days", "must be a positive number of days");
    }
    return Duration.ofDays(n);
  }
}
