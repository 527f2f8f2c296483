package io.meshfed.charts;

import static io.meshfed.charts.Manifests.at;
import static io.meshfed.charts.Manifests.containers;
import static io.meshfed.charts.Manifests.describe;
import static io.meshfed.charts.Manifests.kind;
import static io.meshfed.charts.Manifests.labels;
import static io.meshfed.charts.Manifests.map;
import static io.meshfed.charts.Manifests.maps;
import static io.meshfed.charts.Manifests.podSpec;
import static io.meshfed.charts.Manifests.selects;
import static io.meshfed.charts.Manifests.strings;
import static io.meshfed.charts.Manifests.workloads;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What must hold for every object of both charts under a matrix of values: standard labels,
 * restricted security contexts, read-only Secret mounts, no wildcard or admin RBAC, and selectors
 * that select what they are meant to.
 */
class ChartConventionsTest {
  private static final String CUSTOM = """
      commonLabels:
        team: mesh
      commonAnnotations:
        example.com/owner: platform
      podLabels:
        tier: control
      podAnnotations:
        example.com/scrape: "false"
      """;

  static Stream<Arguments> matrix() {
    return Stream.of(
        Arguments.of(Charts.CONTROLLER, "defaults", ""),
        Arguments.of(Charts.CONTROLLER, "bundled etcd, 1 controller", """
            etcd:
              endpoints: []
              bundled:
                enabled: true
            """),
        Arguments.of(Charts.CONTROLLER, "bundled etcd, 3 controllers, egress restricted", """
            replicas: 3
            updateStrategy:
              type: RollingUpdate
            etcd:
              bundled:
                enabled: true
            networkPolicy:
              egress:
                restrict: true
                to:
                  - ports:
                      - port: 6443
            """),
        Arguments.of(Charts.CONTROLLER, "external etcd, 3 controllers, no NetworkPolicy", """
            replicas: 3
            networkPolicy:
              enabled: false
            """),
        Arguments.of(Charts.CONTROLLER, "custom labels and annotations, passphrase as env", CUSTOM + """
            caPassphrase:
              mountAs: env
            service:
              type: LoadBalancer
              loadBalancerSourceRanges: ["10.0.0.0/8"]
            etcd:
              bundled:
                enabled: true
            """),
        Arguments.of(Charts.CONTROLLER, "no PDB, existing ServiceAccount", """
            podDisruptionBudget:
              enabled: false
            serviceAccount:
              create: false
              name: meshfed
            """),
        Arguments.of(Charts.AGENT, "defaults", ""),
        Arguments.of(Charts.AGENT, "etcd proxy and NetworkPolicy", """
            etcdProxy:
              enabled: true
              replicas: 2
              endpoints: ["https://etcd.mesh.example:2379"]
            networkPolicy:
              enabled: true
            """),
        Arguments.of(Charts.AGENT, "custom labels and annotations, etcd proxy", CUSTOM + """
            etcdProxy:
              enabled: true
              endpoints: ["https://etcd.mesh.example:2379"]
            """),
        Arguments.of(Charts.AGENT, "no RBAC, existing ServiceAccount", """
            rbac:
              create: false
            serviceAccount:
              create: false
              name: agent
            """));
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("matrix")
  void rendersObjects(String chart, String name, String values) {
    List<Map<String, Object>> objects = Charts.render(chart, values);
    assertThat(objects).isNotEmpty();
    assertThat(objects).allSatisfy(o -> {
      assertThat(o.get("apiVersion")).as(describe(o)).isNotNull();
      assertThat(at(o, "metadata.name")).as(describe(o)).isNotNull();
    });
    assertThat(workloads(objects)).as("workloads").isNotEmpty();
    Set<String> seen = new HashSet<>();
    assertThat(objects).allSatisfy(o -> assertThat(seen.add(kind(o) + "/" + at(o, "metadata.namespace") + "/" + Manifests.name(o)))
        .as("unique " + describe(o)).isTrue());
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("matrix")
  void everyObjectAndPodCarriesTheStandardLabels(String chart, String name, String values) {
    List<Map<String, Object>> objects = Charts.render(chart, values);
    boolean custom = values.contains("commonLabels");
    for (Map<String, Object> o : objects) {
      assertStandardLabels(chart, describe(o), labels(o));
      if (custom) {
        assertThat(labels(o)).as(describe(o)).containsEntry("team", "mesh");
        assertThat(map(at(o, "metadata.annotations"))).as(describe(o)).containsEntry("example.com/owner", "platform");
      }
    }
    for (Map<String, Object> w : workloads(objects)) {
      Map<String, String> podLabels = labels(map(at(w, "spec.template")));
      assertStandardLabels(chart, describe(w) + " pod template", podLabels);
      assertThat(podLabels).as(describe(w) + " pod template").containsKey("app.kubernetes.io/component");
    }
  }

  private static void assertStandardLabels(String chart, String what, Map<String, String> labels) {
    assertThat(labels).as(what)
        .containsEntry("app.kubernetes.io/name", chart)
        .containsEntry("app.kubernetes.io/instance", Charts.RELEASE)
        .containsEntry("app.kubernetes.io/version", Charts.APP_VERSION)
        .containsEntry("app.kubernetes.io/managed-by", "Helm")
        .containsEntry("app.kubernetes.io/part-of", "meshfed")
        .containsKey("app.kubernetes.io/component");
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("matrix")
  void everyPodAndContainerIsRestricted(String chart, String name, String values) {
    for (Map<String, Object> w : workloads(Charts.render(chart, values))) {
      Map<String, Object> pod = podSpec(w);
      String what = describe(w);
      assertThat(at(pod, "securityContext.runAsNonRoot")).as(what).isEqualTo(true);
      assertThat(at(pod, "securityContext.runAsUser")).as(what).isEqualTo(65532);
      assertThat(at(pod, "securityContext.seccompProfile.type")).as(what).isEqualTo("RuntimeDefault");
      assertThat(pod).as(what).doesNotContainKeys("hostNetwork", "hostPID", "hostIPC");
      assertThat(containers(pod)).as(what).isNotEmpty().allSatisfy(c -> {
        String cw = what + " container " + c.get("name");
        assertThat(at(c, "securityContext.runAsNonRoot")).as(cw).isEqualTo(true);
        assertThat(at(c, "securityContext.runAsUser")).as(cw).isEqualTo(65532);
        assertThat(at(c, "securityContext.readOnlyRootFilesystem")).as(cw).isEqualTo(true);
        assertThat(at(c, "securityContext.allowPrivilegeEscalation")).as(cw).isEqualTo(false);
        assertThat(at(c, "securityContext.privileged")).as(cw).isEqualTo(false);
        assertThat(strings(at(c, "securityContext.capabilities.drop"))).as(cw).containsExactly("ALL");
        assertThat(at(c, "securityContext.capabilities.add")).as(cw).isNull();
        assertThat(at(c, "securityContext.seccompProfile.type")).as(cw).isEqualTo("RuntimeDefault");
        assertThat(at(c, "resources.requests")).as(cw + " resources").isNotNull();
        assertThat(at(c, "resources.limits.memory")).as(cw + " memory limit").isNotNull();
      });
      // A read-only root file system still needs a writable /tmp.
      assertThat(maps(pod.get("volumes"))).as(what).anySatisfy(v -> assertThat(v).containsKey("emptyDir"));
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("matrix")
  void secretsAndConfigMapsAreMountedReadOnly(String chart, String name, String values) {
    for (Map<String, Object> w : workloads(Charts.render(chart, values))) {
      Map<String, Object> pod = podSpec(w);
      Set<String> readOnlySources = new HashSet<>();
      for (Map<String, Object> v : maps(pod.get("volumes"))) {
        if (v.containsKey("secret") || v.containsKey("configMap") || v.containsKey("projected")) {
          readOnlySources.add(String.valueOf(v.get("name")));
        }
      }
      for (Map<String, Object> c : containers(pod)) {
        for (Map<String, Object> m : maps(c.get("volumeMounts"))) {
          if (readOnlySources.contains(String.valueOf(m.get("name")))) {
            assertThat(m.get("readOnly")).as(describe(w) + " " + c.get("name") + " mount " + m.get("name")).isEqualTo(true);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("matrix")
  void noWildcardAndNoAdminRbac(String chart, String name, String values) {
    for (Map<String, Object> o : Charts.render(chart, values)) {
      if (kind(o).endsWith("Role")) {
        for (Map<String, Object> rule : maps(o.get("rules"))) {
          for (String field : List.of("verbs", "resources", "apiGroups", "resourceNames", "nonResourceURLs")) {
            assertThat(strings(rule.get(field))).as(describe(o) + " " + field).noneMatch(s -> s.contains("*"));
          }
          assertThat(strings(rule.get("verbs"))).as(describe(o) + " is read-only").isSubsetOf("get", "list", "watch");
        }
      }
      if (kind(o).endsWith("RoleBinding")) {
        assertThat(at(o, "roleRef.name")).as(describe(o)).isNotIn("cluster-admin", "admin", "edit", "system:masters");
        assertThat(maps(o.get("subjects"))).as(describe(o)).allSatisfy(s -> assertThat(s.get("kind")).isEqualTo("ServiceAccount"));
      }
    }
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("matrix")
  void selectorsSelectTheirPods(String chart, String name, String values) {
    List<Map<String, Object>> objects = Charts.render(chart, values);
    List<Map<String, String>> pods = workloads(objects).stream().map(w -> labels(map(at(w, "spec.template")))).toList();
    for (Map<String, Object> w : workloads(objects)) {
      assertThat(selects(map(at(w, "spec.selector.matchLabels")), labels(map(at(w, "spec.template")))))
          .as(describe(w) + " selects its own pods").isTrue();
      assertThat(map(at(w, "spec.selector.matchLabels"))).as(describe(w) + " selector without version")
          .doesNotContainKey("app.kubernetes.io/version");
    }
    for (Map<String, Object> o : objects) {
      Map<String, Object> selector = switch (kind(o)) {
        case "Service" -> map(at(o, "spec.selector"));
        case "PodDisruptionBudget" -> map(at(o, "spec.selector.matchLabels"));
        case "NetworkPolicy" -> map(at(o, "spec.podSelector.matchLabels"));
        default -> null;
      };
      if (selector != null) {
        assertThat(pods).as(describe(o) + " selects a pod of this chart").anyMatch(p -> selects(selector, p));
      }
    }
  }
}
