package io.meshfed.charts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** NOTES.txt tells what to do next with commands that exist, with their required flags. */
class NotesTest {
  private static final Pattern REQUIRED_OPTION = Pattern.compile("@Option\\(names = \"(--[a-z-]+)\", required = true");

  /** The required flags of a meshfed CLI command, read from its picocli source. */
  private static Set<String> requiredFlags(String command) {
    Path source = Charts.helmDir().resolveSibling("controller").resolve("src/main/java/io/meshfed/controller/cli").resolve(command + ".java");
    Set<String> flags = new LinkedHashSet<>();
    Matcher m = REQUIRED_OPTION.matcher(Charts.read(source));
    while (m.find()) {
      flags.add(m.group(1));
    }
    assertThat(flags).as("required flags in " + source).isNotEmpty();
    return flags;
  }

  /** The command line in the notes that starts with "meshfed WORD", continuation lines joined. */
  private static String commandLine(String notes, String command) {
    String joined = notes.replace("\\\n", " ");
    int at = joined.indexOf("meshfed " + command + " ");
    assertThat(at).as("notes show `meshfed " + command + "`:\n" + notes).isNotNegative();
    int end = joined.indexOf('\n', at);
    return joined.substring(at, end < 0 ? joined.length() : end);
  }

  @Test
  void controllerNotesWalkThroughBootstrapTokenJoinAndAgent() {
    String notes = Charts.notes(Charts.CONTROLLER, "");
    assertThat(commandLine(notes, "bootstrap")).contains(requiredFlags("BootstrapCommand")).contains("--mesh prod");
    assertThat(commandLine(notes, "join")).contains(requiredFlags("JoinCommand"));
    assertThat(notes).contains("meshfed token create", "mf-meshfed-controller-server-tls", "mf-meshfed-controller-ca-passphrase",
        "rollout status deployment/mf-meshfed-controller");
    assertThat(notes).contains("helm install meshfed-agent helm/meshfed-agent -n meshfed-system",
        "--set clusterName=c1", "--set controller.address=<controller host>:9443");
    assertThat(notes).doesNotContain("WARNING");
  }

  @Test
  void controllerNotesExplainReplicasAndBundledEtcd() {
    String notes = Charts.notes(Charts.CONTROLLER, "replicas: 3\netcd:\n  bundled:\n    enabled: true\n");
    assertThat(notes).contains("NOTE: replicas=3", "(etcd lease of 15 s) and runs sync", "GET /api/v1/leader", "port-forward pod/mf-meshfed-controller-etcd-0 2379:2379",
        "--etcd https://localhost:2379", "mf-meshfed-controller-etcd-server", "mf-meshfed-controller-etcd-peer");
  }

  @Test
  void agentNotesNameTheSecretAndTheLeaveOrder() {
    String notes = Charts.notes(Charts.AGENT, "");
    assertThat(notes).contains("cluster \"c1\"", "meshfed.example.com:9443", "meshfed-agent-tls", "meshfed join",
        "helm -n meshfed uninstall mf", "not meshfed-system");
    String proxy = Charts.notes(Charts.AGENT, "etcdProxy:\n  enabled: true\n  endpoints: [\"https://etcd.mesh:2379\"]\n");
    assertThat(proxy).contains("mf-meshfed-agent-etcd-proxy.meshfed.svc:2379 -> https://etcd.mesh:2379");
  }
}
