package io.meshfed.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.controller.clustermesh.EtcdProxyName;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.member.MemberDeprovisioner;
import io.meshfed.controller.member.StepResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshfed leave --cluster N}: the controller revokes the cluster's certificates and deletes
 * its records and synced data; with {@code --kubeconfig}, the ServiceAccount, RBAC and Secrets that
 * join created in the member are removed too (best effort, each step reported).
 */
@Command(name = "leave", mixinStandardHelpOptions = true, description = "Remove a cluster from the mesh.")
public final class LeaveCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;
  @Mixin AdminOptions admin;

  @Option(names = "--cluster", required = true, paramLabel = "NAME")
  String cluster;

  @Option(names = "--kubeconfig", paramLabel = "FILE", description = "The member's kubeconfig, to remove what join created there.")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME")
  String context;

  @Option(names = "--dry-run", description = "Print the steps; change nothing.")
  boolean dryRun;

  @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
  OutputFormat output;

  @Override
  public Integer call() {
    List<Map<String, Object>> steps = new ArrayList<>();
    Optional<EtcdProxyName> proxy = Optional.empty();
    try (ApiClient api = admin.connect(TokenCommand.root(spec))) {
      // Before the controller forgets the member: whether join gave it an etcd proxy, whose Role
      // and Secrets the member side removes too.
      if (kubeconfig != null) {
        try {
          String name = api.get("/api/v1/clusters/" + cluster).path("etcdProxy").asText(null);
          proxy = Optional.ofNullable(name).map(EtcdProxyName::new);
        } catch (ApiClientException e) {
          if (e.status() != 404) {
            throw e;
          }
        }
      }
      JsonNode r = api.delete("/api/v1/clusters/" + cluster + (dryRun ? "?dryRun=true" : ""));
      for (JsonNode s : r.path("steps")) {
        steps.add(step("controller", s.path("step").asText(), s.path("ok").asBoolean(), s.path("message").asText()));
      }
    }
    if (kubeconfig != null) {
      if (dryRun) {
        steps.add(step("member", "delete the meshfed-labelled namespace, ServiceAccount, RBAC and Secrets that join created", true, "would run"));
      } else {
        try (KubernetesClient member = MemberConnection.fromKubeconfig(kubeconfig, context)) {
          for (StepResult s : new MemberDeprovisioner(cluster, proxy).deprovision(member, m -> { })) {
            steps.add(step("member", s.step(), s.ok(), s.message()));
          }
        }
      }
    } else {
      steps.add(step("member", "remove the ServiceAccount and RBAC from the member", false, "skipped: pass --kubeconfig to remove them"));
    }
    var out = spec.commandLine().getOut();
    if (output != OutputFormat.TABLE) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("cluster", cluster);
      doc.put("dryRun", dryRun);
      doc.put("steps", steps);
      output.print(out, doc);
    } else {
      List<List<String>> rows = new ArrayList<>();
      for (Map<String, Object> s : steps) {
        rows.add(List.of(String.valueOf(s.get("where")), String.valueOf(s.get("step")), (Boolean) s.get("ok") ? "ok" : "FAILED", String.valueOf(s.get("message"))));
      }
      OutputFormat.table(out, List.of("WHERE", "STEP", "RESULT", "MESSAGE"), rows);
      out.println(dryRun ? "dry run: nothing changed" : cluster + " has left the mesh");
      out.flush();
    }
    return Main.OK;
  }

  private static Map<String, Object> step(String where, String step, boolean ok, String message) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("where", where);
    m.put("step", step);
    m.put("ok", ok);
    m.put("message", message);
    return m;
  }
}
