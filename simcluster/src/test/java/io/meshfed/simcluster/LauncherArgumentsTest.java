package io.meshfed.simcluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.simcluster.auth.UserProfile;
import io.meshfed.simcluster.auth.UserSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LauncherArgumentsTest {

  @Test
  @DisplayName("clusters, sizes and folders are read from flags, both 'flag value' and 'flag=value'")
  void parsesEverything() {
    LauncherArguments args = LauncherArguments.parse("--cluster", "name=c1,id=1,port=0", "--cluster=name=c2,id=2",
        "--out", "/tmp/x", "--nodes", "4", "--identities=100", "--endpoints", "300", "--services", "7",
        "--namespaces", "3", "--max-connected-clusters", "511", "--crd-dir", "/crds", "--no-stdin");
    assertThat(args.clusters()).containsExactly(new ClusterSpec("c1", 1, 0), new ClusterSpec("c2", 2, 0));
    assertThat(args.sizes()).isEqualTo(new SeedSizes(4, 100, 300, 7, 3));
    assertThat(args.maxConnectedClusters()).isEqualTo(511);
    assertThat(args.outDir()).isEqualTo(Path.of("/tmp/x"));
    assertThat(args.crdDir()).isEqualTo(Path.of("/crds"));
    assertThat(args.stdinControl()).isFalse();
    assertThat(args.users()).isEmpty();
  }

  @Test
  @DisplayName("--user is repeatable and names a profile; the name must suit a file name and not be admin")
  void users() {
    LauncherArguments args = LauncherArguments.parse("--cluster", "name=c1,id=1", "--out", "o",
        "--user", "name=viewer,profile=readonly", "--user=name=ops,profile=admin");
    assertThat(args.users()).containsExactly(new UserSpec("viewer", UserProfile.READONLY),
        new UserSpec("ops", UserProfile.ADMIN));

    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=c1,id=1", "--out", "o",
        "--user", "name=x,profile=root")).hasMessage("--user name=x,profile=root profile=root: expected one of admin,"
        + " readonly");
    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=c1,id=1", "--out", "o",
        "--user", "name=admin,profile=readonly")).hasMessageStartingWith("--user name=admin: built in");
    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=c1,id=1", "--out", "o",
        "--user", "name=Bad_Name,profile=readonly")).hasMessageStartingWith("--user name=Bad_Name");
    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=c1,id=1", "--out", "o",
        "--user", "name=ro")).hasMessageContaining("profile is required");
    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=c1,id=1", "--out", "o",
        "--user", "name=ro,profile=readonly", "--user", "name=ro,profile=admin"))
        .hasMessage("--user name=ro: used twice");
  }

  @Test
  @DisplayName("a user whose kubeconfig file name is another's (user b of a vs admin of a-b) is refused")
  void kubeconfigFileNamesMustNotCollide() {
    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=a,id=1", "--cluster", "name=a-b,id=2",
        "--out", "o", "--user", "name=b,profile=readonly"))
        .hasMessage("--user name=b: its kubeconfig for simulated cluster a would be kubeconfig-a-b.yaml, the file of"
            + " the admin of a-b; choose another user name");
  }

  @Test
  @DisplayName("defaults: 3 nodes, 10 identities, 20 endpoints, 3 services, 2 namespaces, 255 clusters")
  void defaults() {
    LauncherArguments args = LauncherArguments.parse("--cluster", "name=c1,id=1", "--out", "o");
    assertThat(args.sizes()).isEqualTo(SeedSizes.DEFAULT);
    assertThat(args.maxConnectedClusters()).isEqualTo(255);
    assertThat(args.stdinControl()).isTrue();
  }

  @Test
  @DisplayName("bad input is refused with the flag named")
  void badInput() {
    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=Bad,id=1", "--out", "o"))
        .hasMessageStartingWith("--cluster name=Bad");
    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=default,id=1", "--out", "o"))
        .hasMessageContaining("'default'");
    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=c1,id=256", "--out", "o"))
        .hasMessageContaining("id=256: must be 1..255");
    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=c1,id=1", "--cluster", "name=c2,id=1",
        "--out", "o")).hasMessageContaining("id=1: used twice");
    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=c1,id=1")).hasMessageStartingWith("--out");
    assertThatThrownBy(() -> LauncherArguments.parse("--cluster", "name=c1,id=1", "--out", "o", "--nodes", "x"))
        .hasMessageStartingWith("--nodes x");
    assertThatThrownBy(() -> LauncherArguments.parse("--bogus")).hasMessage("--bogus: unknown argument");
  }
}
