package io.meshfed.controller.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshfed.controller.testing.CiliumAgentReader;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A member client that watched and was closed leaves nothing behind: the soak run found every
 * leave and rejoin leaking the JDK HTTP clients of the member's sync session and policy worker
 * (their selector threads, and sockets in CLOSE_WAIT), because fabric8 shut their executor down
 * under exchanges that still had to end. {@link MemberHttpClients} shares one executor instead.
 */
class MemberHttpClientsTest {
  private static SimulatedClusters clusters;

  @BeforeAll
  static void start() {
    clusters = SimulatedClusters.builder().cluster("c1", 1).start();
  }

  @AfterAll
  static void stop() {
    if (clusters != null) {
      clusters.close();
    }
  }

  /** Live JDK HTTP clients: each runs one selector thread until it is closed, or released and collected. */
  static long selectorThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().matches("HttpClient-\\d+-SelectorManager")).count();
  }

  @Test
  @DisplayName("clients that ran a watch and were closed are all released: no selector thread is left over")
  void closedWatchingClientsAreReleased() throws Exception {
    long before = selectorThreads();
    for (int i = 0; i < 4; i++) {
      KubernetesClient client = MemberConnection.fromKubeconfig(clusters.cluster("c1").kubeconfig(), null);
      SharedIndexInformer<GenericKubernetesResource> informer =
          client.genericKubernetesResources(CiliumAgentReader.IDENTITIES).runnableInformer(0);
      informer.start().toCompletableFuture().get(60, TimeUnit.SECONDS);
      assertThat(informer.getStore().list()).as("the informer listed the seeded identities").isNotEmpty();
      assertThat(selectorThreads()).as("a live client runs a selector thread").isGreaterThan(before);
      await().atMost(Duration.ofSeconds(60)).until(informer::isWatching);
      // As a sync session or policy worker stops: the informer, then the client, with no pause between.
      informer.stop();
      client.close();
    }

    // A released JDK client ends its selector thread once it is collected and has no exchange left.
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
      System.gc();
      return selectorThreads() <= before;
    });
  }
}
