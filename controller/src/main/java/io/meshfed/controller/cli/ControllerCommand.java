package io.meshfed.controller.cli;

import io.meshfed.certs.Passphrase;
import io.meshfed.controller.config.ControllerConfig;
import io.meshfed.controller.runtime.Controller;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshfed controller --config FILE}: runs the controller until SIGTERM/SIGINT. */
@Command(name = "controller", mixinStandardHelpOptions = true, description = "Run the meshfed controller.")
public final class ControllerCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE", description = "controller.yaml (written by bootstrap).")
  Path config;

  @Option(names = "--listen", paramLabel = "HOST:PORT", description = "Override listen.host/port (port 0 = any free port).")
  String listen;

  @Option(names = "--etcd", split = ",", paramLabel = "URLS", description = "Override etcd.endpoints.")
  List<String> etcd;

  @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Passphrase of the private keys (else passphraseFile in the config, else $MESHFED_CA_PASSPHRASE).")
  Path passphraseFile;

  @Override
  public Integer call() throws Exception {
    MeshfedCommand root = (MeshfedCommand) spec.parent().userObject();
    ControllerConfig cfg = ControllerConfig.load(config, root.env(), listen, etcd);
    Path pp = passphraseFile != null ? passphraseFile : cfg.passphraseFile() == null ? null : Path.of(cfg.passphraseFile());
    Controller controller = Controller.start(cfg, Passphrase.resolve(pp, root.env()), Clock.systemUTC());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      controller.close();
      stopped.countDown();
    }, "meshfed-shutdown"));
    // One machine-readable line on stdout: tests and the demo read the port from it.
    spec.commandLine().getOut().println("meshfed controller listening on https://" + cfg.listen().host() + ":" + controller.port()
        + ", agents (gRPC) on " + cfg.listen().host() + ":" + controller.grpcPort());
    spec.commandLine().getOut().flush();
    stopped.await();
    return Main.OK;
  }
}
