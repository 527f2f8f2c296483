package io.meshfed.controller.cli.ca;

import io.meshfed.certs.ChainVerifier;
import io.meshfed.certs.Pem;
import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.cli.Main;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshfed ca verify}: does CERT chain to a root of the bundle, now? Exit 0 yes, 1 no. */
@Command(name = "verify", mixinStandardHelpOptions = true, description = "Verify a certificate (and its chain) against a trust bundle with PKIX; exit 0 when valid, 1 when not.")
public final class CaVerifyCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--bundle", required = true, paramLabel = "FILE", description = "Trusted roots (PEM).")
  Path bundle;

  @Option(names = "--chain", paramLabel = "FILE", description = "Intermediates (PEM), if CERT does not carry them.")
  Path chain;

  @Parameters(index = "0", paramLabel = "CERT", description = "The certificate; further certificates in the file are taken as its chain.")
  Path cert;

  @Override
  public Integer call() {
    TrustBundle trust = TrustBundle.parse(bundle.toString(), Pem.readText(bundle));
    List<X509Certificate> certs = Pem.readCertificates(cert);
    List<X509Certificate> intermediates = new ArrayList<>(certs.subList(1, certs.size()));
    if (chain != null) {
      intermediates.addAll(Pem.readCertificates(chain));
    }
    ChainVerifier.Result result = new ChainVerifier(Clock.systemUTC()).verify(trust, certs.get(0), intermediates);
    var out = spec.commandLine().getOut();
    if (result.valid()) {
      out.println("OK: " + certs.get(0).getSubjectX500Principal().getName() + " chains to " + result.anchor().getSubjectX500Principal().getName());
      out.flush();
      return Main.OK;
    }
    spec.commandLine().getErr().println("error: " + cert + ": does not verify against " + bundle + ": " + result.reason());
    spec.commandLine().getErr().flush();
    return Main.FAILURE;
  }
}
