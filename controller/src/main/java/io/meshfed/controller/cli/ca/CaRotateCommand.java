package io.meshfed.controller.cli.ca;

import io.meshfed.certs.CaDirectory;
import io.meshfed.certs.CaRotation;
import io.meshfed.certs.CertificateIssuer;
import io.meshfed.certs.KeyType;
import io.meshfed.certs.MeshPki;
import io.meshfed.certs.RenewalPolicy;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshfed ca rotate}: prints the plan, then executes it (unless --dry-run). */
@Command(name = "rotate", mixinStandardHelpOptions = true,
    description = "Renew what is inside its renewal window, or replace the root key; prints the plan, then executes it.")
public final class CaRotateCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;
  @Mixin CaStoreOptions store;

  @Option(names = "--dry-run", description = "Print the plan and change nothing.")
  boolean dryRun;

  @Option(names = "--force-renew", description = "Renew the root now (same key).")
  boolean forceRenew;

  @Option(names = "--force-replace-key", description = "Replace the root key now: new root generation, old root kept in the bundle during the rollout.")
  boolean forceReplaceKey;

  @Option(names = "--key-type", paramLabel = "TYPE", description = "Move the root to this key type (implies a key replacement).")
  String keyType;

  @Option(names = "--finish-rollout", description = "Every peer has the new material: forget superseded certificates and prune roots nothing chains to.")
  boolean finishRollout;

  @Option(names = "--renewal-window-days", defaultValue = "30", paramLabel = "DAYS", description = "Renew certificates that expire within this many days (default 30).")
  int windowDays;

  @Override
  public Integer call() {
    CaDirectory dir = store.open(CliContext.root(spec));
    MeshPki pki = dir.load();
    KeyType wanted = keyType == null ? pki.keyType() : KeyType.parse("--key-type", keyType);
    RenewalPolicy policy = new RenewalPolicy(Duration.ofDays(windowDays));
    CaRotation rotation = new CaRotation(CertificateIssuer.systemDefault(), policy);
    CaRotation.Plan plan = rotation.plan(pki, new CaRotation.Options(new RenewalPolicy.Force(forceRenew, forceReplaceKey), wanted, finishRollout));
    var out = spec.commandLine().getOut();
    out.println("plan:");
    plan.describe().forEach(line -> out.println("  " + line));
    out.flush();
    if (dryRun || !plan.changesAnything()) {
      if (dryRun) {
        out.println("dry run: nothing changed");
      }
      return 0;
    }
    CliContext.progress(spec, "executing the plan");
    MeshPki next = rotation.apply(pki, plan);
    dir.save(next);
    out.println("done: root v" + next.generation() + ", bundle holds " + next.bundle().roots().size() + " root(s)");
    out.flush();
    return 0;
  }
}
