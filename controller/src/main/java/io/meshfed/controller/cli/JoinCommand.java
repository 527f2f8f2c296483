package io.meshfed.controller.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.api.cluster.ClusterName;
import io.meshfed.certs.CertificateInfo;
import io.meshfed.certs.TrustBundle;
import io.meshfed.controller.clustermesh.EtcdProxyName;
import io.meshfed.controller.join.JoinRequest;
import io.meshfed.controller.member.MemberConnection;
import io.meshfed.controller.member.MemberDeprovisioner;
import io.meshfed.controller.member.MemberFacts;
import io.meshfed.controller.member.MemberInspector;
import io.meshfed.controller.member.MemberProvisioner;
import io.meshfed.controller.member.PodCidr;
import io.meshfed.controller.member.ProvisionedMember;
import io.meshfed.controller.member.ProvisioningPlan;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code meshfed join}: run by whoever administers the member, with the member's kubeconfig and a
 * join token. Pins the mesh CA before any secret leaves the machine, reports every pre-flight
 * finding at once, provisions a least-privilege ServiceAccount in the member, and registers the
 * cluster. If registration fails after the member was changed, the member is cleaned up again, so
 * the same command can simply be re-run.
 */
@Command(name = "join", mixinStandardHelpOptions = true, description = "Join a cluster to the mesh.")
public final class JoinCommand implements Callable<Integer> {
  /** Lifetime of the member ServiceAccount token the controller holds; it renews it before expiry. */
  static final Duration MEMBER_TOKEN_TTL = io.meshfed.controller.runtime.Controller.MEMBER_TOKEN_TTL;

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--controller", required = true, paramLabel = "URL", description = "The controller's https URL.")
  String controller;

  @Option(names = "--token", required = true, paramLabel = "TOKEN", description = "Join token <id>.<secret> from `meshfed token create`.")
  String token;

  @Option(names = "--ca-hash", required = true, paramLabel = "sha256:HEX", description = "Pin of the mesh CA, from `meshfed token create`.")
  String caHash;

  @Option(names = "--kubeconfig", required = true, paramLabel = "FILE", description = "Kubeconfig of the joining cluster (needs rights to create a namespace, RBAC and a ServiceAccount).")
  Path kubeconfig;

  @Option(names = "--context", paramLabel = "NAME", description = "Kubeconfig context (default: current).")
  String context;

  @Option(names = "--cluster-name", required = true, paramLabel = "NAME")
  String clusterName;

  @Option(names = "--cluster-id", required = true, paramLabel = "ID")
  String clusterIdText;

  @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Label for policy placement (repeatable).")
  List<String> labels = new ArrayList<>();

  @Option(names = "--dry-run", description = "Check everything and print the plan; change nothing.")
  boolean dryRun;

  @Option(names = "--etcd-proxy", description = "This member's Cilium agents read the mesh etcd through an etcd gRPC proxy in the member"
      + " (the agent chart's etcdProxy): the controller issues the proxy's certificates, sets an etcd password for the member and"
      + " points cilium-clustermesh at the proxy. Changed only by joining again.")
  boolean etcdProxy;

  @Option(names = "--etcd-proxy-name", paramLabel = "NAME", description = "The proxy's name in the member: <agent chart fullname>-etcd-proxy"
      + " (default: " + EtcdProxyName.DEFAULT + ", the chart installed as release meshfed-agent). Only with --etcd-proxy.")
  String etcdProxyName;

  @Option(names = {"-o", "--output"}, defaultValue = "table", converter = OutputFormat.Converter.class, paramLabel = "FORMAT")
  OutputFormat output;

  @Override
  public Integer call() {
    var err = spec.commandLine().getErr();
    var out = spec.commandLine().getOut();
    if (!controller.startsWith("https://")) {
      throw CliException.usage("--controller must be an https:// URL");
    }
    if (!caHash.matches("sha256:[0-9a-f]{64}")) {
      throw CliException.usage("--ca-hash must be sha256:<64 hex digits>, as `meshfed token create` prints it");
    }
    int clusterId;
    try {
      clusterId = Integer.parseInt(clusterIdText.trim());
    } catch (NumberFormatException e) {
      throw CliException.usage("--cluster-id must be a number, got \"" + clusterIdText + "\"");
    }
    if (etcdProxyName != null && !etcdProxy) {
      throw CliException.usage("--etcd-proxy-name needs --etcd-proxy");
    }
    Optional<EtcdProxyName> proxy = Optional.empty();
    if (etcdProxy) {
      String name = etcdProxyName == null ? EtcdProxyName.DEFAULT : etcdProxyName;
      EtcdProxyName.check("--etcd-proxy-name", name).ifPresent(f -> {
        throw CliException.usage(f.message());
      });
      proxy = Optional.of(new EtcdProxyName(name));
    }
    Map<String, String> labelMap = new LinkedHashMap<>();
    for (String l : labels) {
      int eq = l.indexOf('=');
      if (eq <= 0) {
        throw CliException.usage("--label must be KEY=VALUE, got \"" + l + "\"");
      }
      labelMap.put(l.substring(0, eq), l.substring(eq + 1));
    }

    // 1. Pin the CA: fetch the public bundle, compare its root's key hash with --ca-hash, and only
    //    then talk to the controller with that bundle as the sole trust (and send the token).
    progress("fetching the mesh CA from " + controller);
    TrustBundle bundle;
    try (ApiClient discovery = ApiClient.unverifiedForCaDiscovery(controller)) {
      JsonNode ca = discovery.get("/api/v1/join/ca");
      bundle = TrustBundle.parse("controller CA bundle", ca.path("bundle").asText());
    }
    String presented = CertificateInfo.publicKeyPin(bundle.newest());
    if (!presented.equals(caHash)) {
      throw CliException.failure("ca-hash: the controller presents CA " + presented + ", not the pinned " + caHash
          + "; refusing to send the token (wrong controller, or someone in between)");
    }

    try (ApiClient api = ApiClient.serverAuthenticated(controller, bundle);
        KubernetesClient member = MemberConnection.fromKubeconfig(kubeconfig, context)) {
      // 2. Pre-flight: what the member shows us, and what the controller says; all findings at once.
      progress("inspecting the member through " + kubeconfig + (context == null ? "" : " (context " + context + ")"));
      MemberFacts facts = new MemberInspector(clusterName).inspect(member);
      JoinRequest request = new JoinRequest(clusterName, clusterId, labelMap, facts.kubeSystemUid().orElse(null),
          facts.podCidrs().stream().map(PodCidr::toString).toList(),
          new JoinRequest.CiliumConfig(facts.ciliumClusterName().orElse(null),
              facts.ciliumClusterId().isPresent() ? String.valueOf(facts.ciliumClusterId().getAsInt()) : null,
              String.valueOf(facts.maxConnectedClusters())),
          null, proxy.map(EtcdProxyName::value).orElse(null));
      List<String[]> findings = new ArrayList<>();
      ClusterName.check("--cluster-name", clusterName).ifPresent(f -> findings.add(new String[] {f.field(), f.message()}));
      // Every message below already starts with its field ("cluster-id: \"2\" is already used ...").
      facts.findings().forEach(f -> findings.add(new String[] {f.field(), f.message()}));
      progress("running the controller's pre-flight");
      try {
        JsonNode pre = api.post("/api/v1/join/preflight", request, token);
        for (JsonNode f : pre.path("findings")) {
          findings.add(new String[] {f.path("field").asText(), f.path("message").asText()});
        }
      } catch (ApiClientException e) {
        if (e.status() == 0) {
          throw e;
        }
        findings.add(new String[] {e.field() == null ? "controller" : e.field(), e.getMessage()});
        // (ApiClient already prefixes the field)
      }
      ProvisioningPlan plan = new MemberProvisioner(clusterName, Clock.systemUTC(), proxy).plan(member);
      plan.findings().forEach(f -> findings.add(new String[] {f.field(), f.message()}));
      if (!findings.isEmpty()) {
        report(out, "refused", findings, plan, null);
        err.println("error: join refused: " + findings.size() + " pre-flight finding(s); nothing was changed");
        findings.forEach(f -> err.println("  - " + f[1]));
        err.flush();
        return Main.FAILURE;
      }
      if (dryRun) {
        report(out, "dry-run", findings, plan, null);
        return Main.OK;
      }

      // 3. Provision the member, then register; undo the member side if registration fails.
      progress("provisioning the least-privilege ServiceAccount in the member");
      ProvisionedMember provisioned = new MemberProvisioner(clusterName, Clock.systemUTC(), proxy).provision(member, MEMBER_TOKEN_TTL, this::progress);
      JoinRequest withCredentials = request.withCredentials(provisioned.credentials().toJson());
      JsonNode joined;
      Optional<EtcdProxyName> joinProxy = proxy;
      Runnable undoMember = () -> new MemberDeprovisioner(clusterName, joinProxy).deprovision(member, this::progress);
      try {
        progress("registering " + clusterName + " with the controller");
        joined = api.post("/api/v1/join", withCredentials, token);
      } catch (ApiClientException e) {
        if (!answerLost(e)) {
          progress("registration refused; removing what this join created in the member");
          undoMember.run();
          throw e;
        }
        joined = settleLostAnswer(api, e, undoMember);
      } catch (RuntimeException e) {
        progress("registration failed; removing what this join created in the member");
        undoMember.run();
        throw e;
      }
      report(out, "joined", findings, plan, joined);
      return Main.OK;
    }
  }

  private void report(java.io.PrintWriter out, String outcome, List<String[]> findings, ProvisioningPlan plan, JsonNode joined) {
    if (output != OutputFormat.TABLE) {
      Map<String, Object> doc = new LinkedHashMap<>();
      doc.put("outcome", outcome);
      doc.put("cluster", clusterName);
      doc.put("findings", findings.stream().map(f -> Map.of("field", f[0], "message", f[1])).toList());
      doc.put("memberPlan", plan.objects().stream().map(o -> o.describe()).toList());
      doc.put("controllerRecords", List.of("meshfed/clusters/" + clusterName, "meshfed/cluster-ids/" + clusterIdText, "meshfed/cluster-uids/<kube-system uid>",
          "meshfed/tokens/" + token.split("\\.")[0] + " (one use spent)"));
      if (joined != null) {
        doc.put("result", joined);
      }
      output.print(out, doc);
      return;
    }
    switch (outcome) {
      case "dry-run" -> {
        out.println("dry run: every check passed; nothing was changed. The join would:");
        plan.describe().forEach(l -> out.println("  member:     " + l));
        out.println("  controller: register meshfed/clusters/" + clusterName + " (ID " + clusterIdText + "), spend one use of the token");
        out.println("  controller: issue the intermediate CA of " + clusterName + " and the agent certificate agent." + clusterName
            + ", write them into Secret meshfed-system/meshfed-agent-tls");
        if (etcdProxy) {
          EtcdProxyName p = new EtcdProxyName(etcdProxyName == null ? EtcdProxyName.DEFAULT : etcdProxyName);
          out.println("  controller: issue the etcd proxy's CN-less upstream certificate and its serving certificate for "
              + p.dnsNames().get(0) + ", write them into Secrets meshfed-system/" + p.upstreamSecret() + " and meshfed-system/" + p.serverSecret());
          out.println("  controller: set a password on etcd user member-" + clusterName + " and point kube-system/cilium-clustermesh at "
              + p.serviceUrl());
        }
      }
      case "joined" -> {
        out.println("joined " + clusterName + " (ID " + clusterIdText + ")");
        out.println("  certificates: Secret " + joined.path("agentSecret").asText());
        out.println("next steps:");
        joined.path("nextSteps").forEach(s -> out.println("  " + s.asText()));
      }
      default -> { }
    }
    out.flush();
  }

  /**
   * How long a join whose answer was lost asks for its outcome: a controller restart, the killed
   * leader's election lease (15 s by default) and the new leader's rollback of a dead join fit.
   */
  static final Duration OUTCOME_WAIT = Duration.ofSeconds(120);
  static final Duration OUTCOME_POLL = Duration.ofSeconds(2);

  /**
   * True when the registration may have been committed although no answer says so: no HTTP answer
   * (connection refused, reset or timed out: the controller may have died after committing) or a
   * 5xx other than 502 MemberWriteFailed (the one the controller sends after undoing its side).
   * A 4xx is a refusal: nothing was registered.
   */
  static boolean answerLost(ApiClientException e) {
    return e.status() == 0 || (e.status() >= 500 && e.status() != 502);
  }

  /**
   * Asks the controller (with the join's own token) what became of a registration whose answer was
   * lost, until it says JOINED (the join is complete: report it) or NONE (never registered or rolled
   * back: undo the member side, fail). Unknown after {@link #OUTCOME_WAIT}: the member side is left
   * in place, since the mesh may hold the cluster, and the error says how to find out.
   */
  private JsonNode settleLostAnswer(ApiClient api, ApiClientException lost, Runnable undoMember) {
    progress("no answer to the registration (" + lost.getMessage() + "); asking the controller what became of it");
    long deadline = System.nanoTime() + OUTCOME_WAIT.toNanos();
    String last = lost.getMessage();
    while (System.nanoTime() < deadline) {
      JsonNode o;
      try {
        o = api.post("/api/v1/join/outcome", Map.of("clusterName", clusterName), token);
      } catch (ApiClientException e) {
        last = e.getMessage();
        if (e.status() == 401 || e.status() == 403) {
          break; // the token cannot ask (expired): waiting longer tells nothing
        }
        pause();
        continue;
      }
      String state = o.path("state").asText();
      if (state.equals("JOINED")) {
        progress("the controller had completed the join");
        return o.path("joined");
      }
      if (state.equals("NONE")) {
        progress("the controller holds no registration from this join; removing what this join created in the member");
        undoMember.run();
        throw lost;
      }
      last = "the registration is still JOINING (under way, or waiting for the leader to roll a dead join back)";
      pause();
    }
    throw CliException.failure("the outcome of the join of " + clusterName + " is unknown (" + last + "); what it created in the"
        + " member was left in place. An admin can run `meshfed clusters`: if " + clusterName + " is listed, the join completed;"
        + " if not, run this join again with a new token (it reuses the member objects)");
  }

  private static void pause() {
    try {
      Thread.sleep(OUTCOME_POLL.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CliException.failure("interrupted while asking for the outcome of the join");
    }
  }

  private void progress(String message) {
    spec.commandLine().getErr().println("... " + message);
    spec.commandLine().getErr().flush();
  }
}
