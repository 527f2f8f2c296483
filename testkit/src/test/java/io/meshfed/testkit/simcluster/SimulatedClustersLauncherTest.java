package io.meshfed.testkit.simcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The simulated-cluster launcher is found, reports bad input clearly and cleans up")
class SimulatedClustersLauncherTest {

  @Test
  @DisplayName("without a built launcher, start() says how to build it")
  void missingLauncherNamesTheBuildCommand(@TempDir Path empty) {
    assertThatThrownBy(() -> SimulatedClusters.builder().simclusterHome(empty).cluster("c1", 1).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("build simcluster first: mvn -pl simcluster package");
  }

  @Test
  @DisplayName("an invalid cluster name fails start() at once with the launcher's error naming the flag")
  void invalidClusterNameIsReported() {
    assertThatThrownBy(() -> SimulatedClusters.builder().cluster("Not_Valid", 1).start())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("exited with code 2")
        .hasMessageContaining("--cluster name=Not_Valid");
  }

  @Test
  @DisplayName("close() ends the launcher process and deletes its folder")
  void closeCleansUp() {
    SimulatedClusters clusters = SimulatedClusters.builder().cluster("solo", 3).nodes(1).start();
    Path workDir = clusters.workDir();
    int port = clusters.cluster("solo").port();
    clusters.close();
    assertThat(workDir).doesNotExist();
    assertThat(ProcessHandle.allProcesses()
        .filter(process -> process.info().commandLine().orElse("").contains(workDir.toString())))
        .as("no launcher left for %s (port %d)", workDir, port).isEmpty();
  }

  @Test
  @DisplayName("with Cilium's CRD files the simulated cluster serves their real schemas")
  void realCrdSchemasFromSharedFolder() {
    Path crdDir = findUpwards(Path.of("shared", "cilium", "crds", "upstream-main-711821bf"));
    assumeTrue(crdDir != null, "skipped: ../shared/cilium/crds/upstream-main-711821bf is not on this machine");
    try (SimulatedClusters clusters = SimulatedClusters.builder().cluster("real", 4).nodes(1).crdDir(crdDir).start();
        KubernetesClient client = SimulatedClusterClients.connect(clusters.cluster("real"))) {
      CustomResourceDefinition cnp = client.apiextensions().v1().customResourceDefinitions()
          .withName("ciliumnetworkpolicies.cilium.io").get();
      assertThat(cnp.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties())
          .containsKeys("spec", "specs", "status");
      assertThat(SimulatedClusterClients.list(client, SimulatedClusterClients.ENDPOINTS)).isNotEmpty();
    }
  }

  private static Path findUpwards(Path relative) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve(relative))) {
        return dir.resolve(relative);
      }
    }
    return null;
  }
}
