package io.meshfed.controller.cli.ca;

import io.meshfed.certs.CertificateInfo;
import io.meshfed.certs.Pem;
import io.meshfed.controller.cli.OutputFormat;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshfed ca inspect FILE}: what a certificate (or every certificate of a chain file) says. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "Show subject, issuer, serial, validity, SANs, EKU, SHA-256 fingerprint and days left.")
public final class CaInspectCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "FILE", description = "PEM file with one or more certificates.")
  Path file;

  @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT",
      description = "table, json or yaml.")
  OutputFormat output;

  @Override
  public Integer call() {
    List<X509Certificate> certs = Pem.readCertificates(file);
    Instant now = Instant.now();
    List<CertificateInfo> infos = new ArrayList<>();
    for (X509Certificate c : certs) {
      infos.add(CertificateInfo.of(c, now));
    }
    var out = spec.commandLine().getOut();
    if (output != OutputFormat.TABLE) {
      output.print(out, infos.size() == 1 ? infos.get(0) : infos);
      return 0;
    }
    for (int i = 0; i < infos.size(); i++) {
      CertificateInfo info = infos.get(i);
      if (infos.size() > 1) {
        out.println("[" + i + "]");
      }
      List<List<String>> rows = new ArrayList<>();
      rows.add(List.of("subject", info.subject()));
      rows.add(List.of("issuer", info.issuer()));
      rows.add(List.of("serial", info.serial()));
      rows.add(List.of("not before", info.notBefore().toString()));
      rows.add(List.of("not after", info.notAfter().toString()));
      rows.add(List.of("days left", String.valueOf(info.daysLeft())));
      rows.add(List.of("ca", info.ca() ? "yes (pathLen " + (info.pathLength() == Integer.MAX_VALUE ? "none" : info.pathLength()) + ")" : "no"));
      rows.add(List.of("key", info.keyType()));
      rows.add(List.of("dns", String.join(", ", info.dnsNames())));
      rows.add(List.of("ip", String.join(", ", info.ipAddresses())));
      rows.add(List.of("eku", String.join(", ", info.extendedKeyUsages())));
      rows.add(List.of("sha256", info.sha256Fingerprint()));
      OutputFormat.table(out, List.of("FIELD", "VALUE"), rows);
    }
    return 0;
  }
}
