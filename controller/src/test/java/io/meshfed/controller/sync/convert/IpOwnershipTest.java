package io.meshfed.controller.sync.convert;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.kvstore.IpAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class IpOwnershipTest {

  static final ClusterName C1 = ClusterName.parse("c1");
  static final ClusterName C2 = ClusterName.parse("c2");
  static final ClusterName C3 = ClusterName.parse("c3");
  static final IpAddress IP = IpAddress.parse("ip", "10.244.2.91");
  static final EndpointRef CEP_002 = new EndpointRef("foo", "cep-002");
  static final EndpointRef CEP_004 = new EndpointRef("foo", "cep-004");

  private final IpOwnership ownership = new IpOwnership();

  @Test
  @DisplayName("a free IP is accepted; claiming it again is accepted again")
  void freeAndOurs() {
    assertThat(ownership.claim(C1, IP, CEP_002)).isEqualTo(new IpClaim.Accepted(IP, new IpHolder(C1, CEP_002)));
    IpClaim again = ownership.claim(C1, IP, CEP_002);

    assertThat(again.accepted()).isTrue();
    assertThat(again.finding()).isEmpty();
    assertThat(ownership.primary(IP)).contains(new IpHolder(C1, CEP_002));
  }

  @Nested
  @DisplayName("two clusters")
  class TwoClusters {

    @Test
    @DisplayName("the second cluster is refused with the holder named, and the first owner is kept")
    void secondClusterRefused() {
      ownership.claim(C1, IP, CEP_002);

      IpClaim claim = ownership.claim(C2, IP, CEP_004);

      assertThat(claim).isEqualTo(new IpClaim.Refused(IP, new IpHolder(C2, CEP_004), new IpHolder(C1, CEP_002)));
      assertThat(claim.accepted()).isFalse();
      assertThat(claim.finding()).hasValueSatisfying(finding -> {
        assertThat(finding.field()).isEqualTo("ip");
        assertThat(finding.value()).isEqualTo("10.244.2.91");
        assertThat(finding.rule()).contains("endpoint foo/cep-002 of cluster c1").contains("one cluster only");
      });
      assertThat(ownership.primary(IP)).contains(new IpHolder(C1, CEP_002));
      assertThat(ownership.claim(C1, IP, CEP_002).accepted()).isTrue();
      assertThat(ownership.claim(C2, IP, CEP_004).accepted()).isFalse();
    }

    @Test
    @DisplayName("when the holder releases, the refused claim of the other cluster takes over")
    void handoverAcrossClusters() {
      ownership.claim(C1, IP, CEP_002);
      ownership.claim(C2, IP, CEP_004);

      IpRelease release = ownership.release(C1, IP, CEP_002);

      assertThat(release).isEqualTo(new IpRelease.HandedOver(IP, new IpHolder(C2, CEP_004)));
      assertThat(ownership.claim(C2, IP, CEP_004).accepted()).isTrue();
      assertThat(ownership.claim(C1, IP, CEP_002)).isInstanceOf(IpClaim.Refused.class);
    }

    @Test
    @DisplayName("a cluster that leaves hands its IPs to the next claimant of another cluster")
    void releaseCluster() {
      IpAddress other = IpAddress.parse("ip", "10.244.2.92");
      IpAddress alone = IpAddress.parse("ip", "10.244.2.93");
      ownership.claim(C1, IP, CEP_002);
      ownership.claim(C1, IP, CEP_004);
      ownership.claim(C2, IP, CEP_004);
      ownership.claim(C2, other, CEP_002);
      ownership.claim(C1, other, CEP_002);
      ownership.claim(C1, alone, CEP_002);

      List<IpRelease.HandedOver> handovers = ownership.releaseCluster(C1);

      assertThat(handovers).containsExactly(new IpRelease.HandedOver(IP, new IpHolder(C2, CEP_004)));
      assertThat(ownership.primary(other)).contains(new IpHolder(C2, CEP_002));
      assertThat(ownership.primary(alone)).isEmpty();
      assertThat(ownership.size()).isEqualTo(2);
    }
  }

  @Nested
  @DisplayName("one cluster, two endpoints (spec 2.3: the first owner stays primary until deleted)")
  class OneCluster {

    @Test
    @DisplayName("the second endpoint waits, and is reported")
    void secondEndpointWaits() {
      ownership.claim(C1, IP, CEP_002);

      IpClaim claim = ownership.claim(C1, IP, CEP_004);

      assertThat(claim).isEqualTo(new IpClaim.Waiting(IP, new IpHolder(C1, CEP_004), new IpHolder(C1, CEP_002)));
      assertThat(claim.accepted()).isFalse();
      assertThat(claim.finding()).hasValueSatisfying(finding ->
          assertThat(finding.rule()).contains("foo/cep-002").contains("first owner stays primary"));
    }

    @Test
    @DisplayName("re-claims (updates) of the waiting endpoint do not make it primary")
    void updatesDoNotSteal() {
      ownership.claim(C1, IP, CEP_002);
      ownership.claim(C1, IP, CEP_004);
      ownership.claim(C1, IP, CEP_004);

      assertThat(ownership.claim(C1, IP, CEP_002).accepted()).isTrue();
      assertThat(ownership.primary(IP)).contains(new IpHolder(C1, CEP_002));
    }

    @Test
    @DisplayName("release by the waiting endpoint changes nothing; release by the primary hands over")
    void releases() {
      EndpointRef third = new EndpointRef("foo", "cep-005");
      ownership.claim(C1, IP, CEP_002);
      ownership.claim(C1, IP, CEP_004);
      ownership.claim(C1, IP, third);

      assertThat(ownership.release(C1, IP, third)).isEqualTo(new IpRelease.Unchanged(IP));
      assertThat(ownership.release(C1, IP, CEP_002)).isEqualTo(new IpRelease.HandedOver(IP, new IpHolder(C1, CEP_004)));
      assertThat(ownership.claim(C1, IP, CEP_002)).isInstanceOf(IpClaim.Waiting.class);
      assertThat(ownership.release(C1, IP, CEP_004)).isEqualTo(new IpRelease.HandedOver(IP, new IpHolder(C1, CEP_002)));
      assertThat(ownership.release(C1, IP, CEP_002)).isEqualTo(new IpRelease.Freed(IP));
      assertThat(ownership.release(C1, IP, CEP_002)).isEqualTo(new IpRelease.Unchanged(IP));
      assertThat(ownership.primary(IP)).isEmpty();
      assertThat(ownership.size()).isZero();
    }
  }

  @Test
  @DisplayName("sessions of many clusters racing for one IP: exactly one wins, every loser names the winner")
  void concurrentClaims() throws Exception {
    int clusters = 16;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<IpClaim>> results = new ArrayList<>();
      for (int i = 0; i < clusters; i++) {
        ClusterName cluster = ClusterName.parse("c" + (i + 1));
        Callable<IpClaim> claim = () -> {
          start.await();
          return ownership.claim(cluster, IP, CEP_002);
        };
        results.add(pool.submit(claim));
      }
      start.countDown();
      List<IpClaim> claims = new ArrayList<>();
      for (Future<IpClaim> result : results) {
        claims.add(result.get(10, TimeUnit.SECONDS));
      }

      List<IpClaim> winners = claims.stream().filter(IpClaim::accepted).toList();
      assertThat(winners).hasSize(1);
      IpHolder winner = winners.get(0).claimant();
      assertThat(claims).filteredOn(claim -> !claim.accepted())
          .hasSize(clusters - 1)
          .allSatisfy(claim -> assertThat(((IpClaim.Refused) claim).holder()).isEqualTo(winner));
      assertThat(ownership.primary(IP)).contains(winner);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("concurrent claims and releases of distinct IPs leave every IP with its own owner")
  void concurrentDistinctIps() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        ClusterName cluster = ClusterName.parse("c" + (t + 1));
        int base = t * 1000;
        done.add(pool.submit(() -> {
          for (int i = 0; i < 1000; i++) {
            IpAddress ip = IpAddress.parse("ip", "10." + ((base + i) >> 8) + "." + ((base + i) & 0xff) + ".1");
            assertThat(ownership.claim(cluster, ip, CEP_002).accepted()).isTrue();
            if (i % 2 == 0) {
              assertThat(ownership.release(cluster, ip, CEP_002)).isEqualTo(new IpRelease.Freed(ip));
            }
          }
        }));
      }
      for (Future<?> future : done) {
        future.get(30, TimeUnit.SECONDS);
      }
      assertThat(ownership.size()).isEqualTo(2000);
    } finally {
      pool.shutdownNow();
    }
  }
}
