package io.meshfed.controller.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.meshfed.api.cluster.Finding;
import io.meshfed.testkit.simcluster.SimulatedCluster;
import io.meshfed.testkit.simcluster.SimulatedClusters;
import io.meshfed.testkit.simcluster.UserProfile;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("MemberProvisioner and MemberDeprovisioner on simulated clusters")
@Timeout(180)
class MemberProvisionerTest {

  private static final Duration TTL = Duration.ofHours(1);

  /** What join creates, in creation order. */
  private static final List<String> OBJECTS = List.of(
      "Namespace meshfed-system",
      "ServiceAccount meshfed-system/meshfed-controller",
      "ClusterRole meshfed-member",
      "ClusterRoleBinding meshfed-member",
      "Role kube-system/meshfed-member",
      "RoleBinding kube-system/meshfed-member",
      "Role meshfed-system/meshfed-member",
      "RoleBinding meshfed-system/meshfed-member",
      "Secret kube-system/cilium-clustermesh",
      "Secret kube-system/cilium-ca",
      "Secret meshfed-system/meshfed-agent-tls");

  private static SimulatedClusters clusters;

  @BeforeAll
  static void startSimulatedClusters() {
    SimulatedClusters.Builder builder = SimulatedClusters.builder();
    int id = 11;
    for (String name : List.of("plan", "fresh", "again", "foreign", "rollback", "outage", "readonly", "leave")) {
      builder.cluster(name, id++);
    }
    clusters = builder.user("viewer", UserProfile.READONLY)
        .nodes(1).identities(1).endpoints(1).services(1).namespaces(1)
        .start();
  }

  @AfterAll
  static void stopSimulatedClusters() {
    if (clusters != null) {
      clusters.close();
    }
  }

  private static MemberProvisioner provisioner(String cluster) {
    return new MemberProvisioner(cluster, Clock.systemUTC());
  }

  @Test
  @DisplayName("plan on a fresh member lists every object as create and changes nothing")
  void planChangesNothing() {
    try (KubernetesClient admin = SimulatedMembers.admin(clusters.cluster("plan"))) {
      Map<String, String> before = SimulatedMembers.snapshot(admin);

      ProvisioningPlan plan = provisioner("plan").plan(admin);

      assertThat(plan.findings()).isEmpty();
      assertThat(plan.refused()).isFalse();
      assertThat(plan.changesAnything()).isTrue();
      assertThat(plan.objects()).extracting(PlannedObject::object).containsExactlyElementsOf(OBJECTS);
      assertThat(plan.objects()).extracting(PlannedObject::action).containsOnly(PlannedObject.Action.CREATE);
      assertThat(plan.describe()).first().isEqualTo("create Namespace meshfed-system");
      assertThat(SimulatedMembers.snapshot(admin)).as("same objects, same resourceVersions").isEqualTo(before);
    }
  }

  @Test
  @DisplayName("provision creates exactly the objects, labelled, with RBAC equal to MemberRbac rule by rule, and a working token")
  void provisionCreatesExactlyWhatIsDocumented() {
    SimulatedCluster cluster = clusters.cluster("fresh");
    try (KubernetesClient admin = SimulatedMembers.admin(cluster)) {
      List<String> before = SimulatedMembers.ours(admin);
      List<String> progress = new ArrayList<>();

      ProvisionedMember member = provisioner("fresh").provision(admin, TTL, progress::add);

      assertThat(before).isEmpty();
      assertThat(SimulatedMembers.ours(admin)).containsExactlyInAnyOrderElementsOf(OBJECTS);
      assertThat(member.objects()).extracting(PlannedObject::action).containsOnly(PlannedObject.Action.CREATE);
      assertThat(progress).first().asString().startsWith("pre-flight");
      assertThat(progress).containsSubsequence(OBJECTS.stream().map(object -> "create " + object).toList());
      assertThat(progress).last().asString().startsWith("request a token for ServiceAccount meshfed-system/meshfed-controller");

      for (String object : OBJECTS) {
        HasMetadata stored = get(admin, object);
        assertThat(stored.getMetadata().getLabels()).as(object)
            .containsEntry("app.kubernetes.io/managed-by", "meshfed")
            .containsEntry("app.kubernetes.io/part-of", "meshfed");
      }

      assertRulesEqual(admin.rbac().clusterRoles().withName("meshfed-member").get().getRules(), MemberRbac.CLUSTER_ROLE);
      assertRulesEqual(admin.rbac().roles().inNamespace("kube-system").withName("meshfed-member").get().getRules(),
          MemberRbac.KUBE_SYSTEM_ROLE);
      assertRulesEqual(admin.rbac().roles().inNamespace("meshfed-system").withName("meshfed-member").get().getRules(),
          MemberRbac.MESHFED_SYSTEM_ROLE);
      ClusterRoleBinding clusterBinding = admin.rbac().clusterRoleBindings().withName("meshfed-member").get();
      assertThat(clusterBinding.getRoleRef().getKind()).isEqualTo("ClusterRole");
      assertThat(clusterBinding.getRoleRef().getName()).isEqualTo("meshfed-member");
      assertOnlyTheControllerIsBound(clusterBinding.getSubjects());
      for (String namespace : List.of("kube-system", "meshfed-system")) {
        RoleBinding binding = admin.rbac().roleBindings().inNamespace(namespace).withName("meshfed-member").get();
        assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
        assertThat(binding.getRoleRef().getName()).isEqualTo("meshfed-member");
        assertOnlyTheControllerIsBound(binding.getSubjects());
      }
      for (String secret : List.of("kube-system/cilium-clustermesh", "kube-system/cilium-ca",
          "meshfed-system/meshfed-agent-tls")) {
        Secret stored = (Secret) get(admin, "Secret " + secret);
        assertThat(stored.getType()).isEqualTo("Opaque");
        assertThat(stored.getData()).as(secret + " is created empty").isNullOrEmpty();
      }

      MemberCredentials credentials = member.credentials();
      assertThat(credentials.server()).isEqualTo(cluster.apiServerUrl().toString());
      assertThat(credentials.certificateAuthorityData()).as("plain http").isNull();
      assertThat(credentials.lifetime()).isPositive().isLessThanOrEqualTo(TTL.plusSeconds(5));
      try (KubernetesClient controller = MemberConnection.fromCredentials(credentials, SimulatedMembers.FAST)) {
        assertThat(controller.services().inAnyNamespace().list().getItems()).as("a granted read works").isNotEmpty();
      }
    }
  }

  @Test
  @DisplayName("re-provisioning is idempotent, keeps Cilium's own cilium-ca, and repairs drift of our objects")
  void reprovisionIsIdempotent() {
    try (KubernetesClient admin = SimulatedMembers.admin(clusters.cluster("again"))) {
      // A real Cilium cluster has its own CA: join must keep it as it is.
      admin.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata().withName("cilium-ca")
          .withNamespace("kube-system").endMetadata().addToData("ca.crt", b64("cilium's own CA")).build()).create();
      MemberProvisioner provisioner = provisioner("again");
      provisioner.provision(admin, TTL);
      Map<String, String> afterFirst = SimulatedMembers.snapshot(admin);

      ProvisionedMember second = provisioner.provision(admin, TTL);

      assertThat(second.objects()).extracting(PlannedObject::action).containsOnly(PlannedObject.Action.UNCHANGED);
      assertThat(SimulatedMembers.snapshot(admin)).as("nothing written the second time").isEqualTo(afterFirst);
      assertThat(SimulatedMembers.ours(admin)).doesNotContain("Secret kube-system/cilium-ca")
          .containsExactlyInAnyOrderElementsOf(OBJECTS.stream().filter(o -> !o.endsWith("cilium-ca")).toList());
      Secret ciliumCa = admin.secrets().inNamespace("kube-system").withName("cilium-ca").get();
      assertThat(ciliumCa.getData()).containsEntry("ca.crt", b64("cilium's own CA"));
      assertThat(second.objects()).filteredOn(object -> object.name().equals("cilium-ca")).singleElement()
          .extracting(PlannedObject::note).asString().contains("not created by meshfed");

      // Drift: someone trims our ClusterRole and drops a label; data the controller wrote must survive a re-run.
      admin.rbac().clusterRoles().withName("meshfed-member").edit(role -> {
        role.getRules().remove(0);
        return role;
      });
      admin.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").edit(secret -> {
        secret.getMetadata().getLabels().remove("app.kubernetes.io/part-of");
        secret.setData(Map.of("tls.crt", b64("written by the controller")));
        return secret;
      });
      ProvisioningPlan plan = provisioner.plan(admin);
      assertThat(plan.objects()).filteredOn(object -> object.action() == PlannedObject.Action.UPDATE)
          .extracting(PlannedObject::object)
          .containsExactly("ClusterRole meshfed-member", "Secret meshfed-system/meshfed-agent-tls");

      provisioner.provision(admin, TTL);

      assertRulesEqual(admin.rbac().clusterRoles().withName("meshfed-member").get().getRules(), MemberRbac.CLUSTER_ROLE);
      Secret agentTls = admin.secrets().inNamespace("meshfed-system").withName("meshfed-agent-tls").get();
      assertThat(agentTls.getMetadata().getLabels()).containsEntry("app.kubernetes.io/part-of", "meshfed");
      assertThat(agentTls.getData()).containsEntry("tls.crt", b64("written by the controller"));
      assertThat(provisioner.plan(admin).changesAnything()).isFalse();
    }
  }

  @Test
  @DisplayName("a foreign object with one of our names is a conflict: refused before anything is created")
  void foreignObjectIsAConflict() {
    try (KubernetesClient admin = SimulatedMembers.admin(clusters.cluster("foreign"))) {
      admin.rbac().clusterRoleBindings().resource(foreignClusterRoleBinding()).create();
      Map<String, String> before = SimulatedMembers.snapshot(admin);
      List<String> progress = new ArrayList<>();

      ProvisioningPlan plan = provisioner("foreign").plan(admin);
      assertThat(plan.refused()).isTrue();
      assertThat(plan.objects()).filteredOn(object -> object.action() == PlannedObject.Action.CONFLICT)
          .extracting(PlannedObject::object).containsExactly("ClusterRoleBinding meshfed-member");

      assertThatThrownBy(() -> provisioner("foreign").provision(admin, TTL, progress::add))
          .isInstanceOfSatisfying(MemberProvisioningException.class, e -> {
            assertThat(e.step()).isEqualTo("pre-flight");
            assertThat(e.findings()).extracting(Finding::message).containsExactly(
                "ClusterRoleBinding meshfed-member already exists without the label"
                    + " app.kubernetes.io/managed-by=meshfed; meshfed never takes over objects it did not create"
                    + " (remove or rename it, then join again)");
            assertThat(e.getMessage()).contains("nothing was changed");
          });
      assertThat(progress).noneMatch(step -> step.startsWith("create"));
      assertThat(SimulatedMembers.snapshot(admin)).isEqualTo(before);
      assertThat(SimulatedMembers.ours(admin)).isEmpty();
    }
  }

  @Test
  @DisplayName("(b) a readonly kubeconfig: provisioning refused before anything is created, each missing right named")
  void readonlyKubeconfigIsRefused() {
    SimulatedCluster cluster = clusters.cluster("readonly");
    try (KubernetesClient admin = SimulatedMembers.admin(cluster);
        KubernetesClient viewer = SimulatedMembers.user(cluster, "viewer")) {
      Map<String, String> before = SimulatedMembers.snapshot(admin);

      assertThatThrownBy(() -> provisioner("readonly").provision(viewer, TTL))
          .isInstanceOfSatisfying(MemberProvisioningException.class, e -> {
            assertThat(e.step()).isEqualTo("pre-flight");
            assertThat(e.findings()).extracting(Finding::message).contains(
                "kubeconfig lacks the right to create clusterroles.rbac.authorization.k8s.io (cluster-wide)",
                "kubeconfig lacks the right to create namespaces (cluster-wide)");
          });
      assertThat(SimulatedMembers.snapshot(admin)).isEqualTo(before);
    }
  }

  @Test
  @DisplayName("a step failing mid-way (a foreign ClusterRoleBinding appears) rolls back what this run created, in reverse")
  void failureMidWayRollsBack() {
    try (KubernetesClient admin = SimulatedMembers.admin(clusters.cluster("rollback"))) {
      Map<String, String> before = SimulatedMembers.snapshot(admin);
      List<String> progress = new ArrayList<>();
      // Created after the pre-flight, just before the step that creates the binding: the create gets 409.
      Consumer<String> raceAForeignBinding = step -> {
        progress.add(step);
        if (step.equals("create ClusterRoleBinding meshfed-member")) {
          admin.rbac().clusterRoleBindings().resource(foreignClusterRoleBinding()).create();
        }
      };

      assertThatThrownBy(() -> provisioner("rollback").provision(admin, TTL, raceAForeignBinding))
          .isInstanceOfSatisfying(MemberProvisioningException.class, e -> {
            assertThat(e.step()).isEqualTo("create ClusterRoleBinding meshfed-member");
            assertThat(e.getMessage()).contains("HTTP 409").contains("rolled back");
            assertThat(e.leftovers()).isEmpty();
          });

      assertThat(progress).containsSubsequence(
          "create ClusterRole meshfed-member",
          "create ClusterRoleBinding meshfed-member",
          "roll back: delete ClusterRole meshfed-member",
          "roll back: delete ServiceAccount meshfed-system/meshfed-controller",
          "roll back: delete Namespace meshfed-system");
      assertThat(SimulatedMembers.ours(admin)).isEmpty();
      Map<String, String> after = SimulatedMembers.snapshot(admin);
      assertThat(after).containsKey("ClusterRoleBinding meshfed-member");
      after.remove("ClusterRoleBinding meshfed-member");
      assertThat(after.keySet()).as("only the foreign binding is new").isEqualTo(before.keySet());
    }
  }

  @Test
  @DisplayName("the member going down mid-way: rollback cannot finish, leftovers are reported, the next run completes")
  void memberDownMidWayThenRerunCompletes() {
    try (KubernetesClient admin = SimulatedMembers.admin(clusters.cluster("outage"))) {
      Consumer<String> outage = step -> {
        if (step.equals("create Role kube-system/meshfed-member")) {
          clusters.stop("outage");
        }
      };
      try {
        assertThatThrownBy(() -> provisioner("outage").provision(admin, TTL, outage))
            .isInstanceOfSatisfying(MemberProvisioningException.class, e -> {
              assertThat(e.step()).isEqualTo("create Role kube-system/meshfed-member");
              assertThat(e.getMessage()).contains("rollback incomplete");
              assertThat(e.leftovers()).containsExactly("ClusterRoleBinding meshfed-member", "ClusterRole meshfed-member",
                  "ServiceAccount meshfed-system/meshfed-controller", "Namespace meshfed-system");
            });
      } finally {
        clusters.start("outage");
      }
      assertThat(SimulatedMembers.ours(admin)).as("the leftovers carry our label").hasSize(4);

      ProvisionedMember member = provisioner("outage").provision(admin, TTL);

      assertThat(member.objects()).filteredOn(object -> object.action() == PlannedObject.Action.UNCHANGED)
          .hasSize(4);
      assertThat(SimulatedMembers.ours(admin)).containsExactlyInAnyOrderElementsOf(OBJECTS);
    }
  }

  @Test
  @DisplayName("deprovision deletes everything with our label in reverse order, keeps foreign objects, reports each step")
  void deprovisionRemovesOnlyOurs() {
    SimulatedCluster cluster = clusters.cluster("leave");
    try (KubernetesClient admin = SimulatedMembers.admin(cluster);
        KubernetesClient viewer = SimulatedMembers.user(cluster, "viewer")) {
      admin.secrets().inNamespace("kube-system").resource(new SecretBuilder().withNewMetadata().withName("cilium-ca")
          .withNamespace("kube-system").endMetadata().addToData("ca.crt", b64("cilium's own CA")).build()).create();
      provisioner("leave").provision(admin, TTL);
      MemberDeprovisioner deprovisioner = new MemberDeprovisioner("leave");

      // Best effort: with a kubeconfig that may not delete, every step is tried and reported as failed.
      List<StepResult> refused = deprovisioner.deprovision(viewer, step -> { });
      assertThat(refused).filteredOn(result -> !result.ok()).hasSize(OBJECTS.size() - 1)
          .allSatisfy(result -> assertThat(result.message()).contains("HTTP 403"));
      assertThat(SimulatedMembers.ours(admin)).hasSize(OBJECTS.size() - 1);

      List<String> progress = new ArrayList<>();
      List<StepResult> results = deprovisioner.deprovision(admin, progress::add);

      List<String> reversed = new ArrayList<>(OBJECTS);
      Collections.reverse(reversed);
      assertThat(results).extracting(StepResult::step)
          .containsExactlyElementsOf(reversed.stream().map(object -> "delete " + object).toList());
      assertThat(progress).containsExactlyElementsOf(results.stream().map(StepResult::step).toList());
      assertThat(results).allMatch(StepResult::ok);
      assertThat(results).filteredOn(result -> result.step().endsWith("cilium-ca")).singleElement()
          .extracting(StepResult::message).asString().startsWith("kept: not created by meshfed");
      assertThat(results).filteredOn(result -> !result.step().endsWith("cilium-ca"))
          .extracting(StepResult::message).containsOnly("deleted");
      assertThat(SimulatedMembers.ours(admin)).isEmpty();
      assertThat(admin.secrets().inNamespace("kube-system").withName("cilium-ca").get().getData())
          .containsEntry("ca.crt", b64("cilium's own CA"));

      assertThat(deprovisioner.deprovision(admin, step -> { })).as("a second leave finds nothing to do")
          .allMatch(StepResult::ok)
          .extracting(StepResult::message).containsOnly("already absent", "kept: not created by meshfed (no label"
              + " app.kubernetes.io/managed-by=meshfed)");

      assertThat(provisioner("leave").provision(admin, TTL).objects()).as("join again after leave")
          .filteredOn(object -> object.action() == PlannedObject.Action.CREATE).hasSize(OBJECTS.size() - 1);
    }
  }

  private static ClusterRoleBinding foreignClusterRoleBinding() {
    return new ClusterRoleBindingBuilder().withNewMetadata().withName("meshfed-member")
        .addToLabels("app.kubernetes.io/managed-by", "helm").endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole").withName("view").endRoleRef()
        .addNewSubject().withKind("Group").withName("someone-else").endSubject()
        .build();
  }

  /** The stored rules, as (apiGroups, resources, resourceNames, verbs), equal MemberRbac's, in order. */
  private static void assertRulesEqual(List<PolicyRule> stored, RbacRole expected) {
    assertThat(stored).as(expected.kind() + " " + expected.name()).hasSameSizeAs(expected.rules());
    for (int i = 0; i < stored.size(); i++) {
      PolicyRule rule = stored.get(i);
      RbacRule wanted = expected.rules().get(i);
      assertThat(List.of(rule.getApiGroups(), rule.getResources(), orEmpty(rule.getResourceNames()), rule.getVerbs()))
          .as("%s rule %d", expected.kind(), i)
          .isEqualTo(List.of(wanted.apiGroups(), wanted.resources(), wanted.resourceNames(), wanted.verbs()));
    }
  }

  private static void assertOnlyTheControllerIsBound(List<Subject> subjects) {
    assertThat(subjects).singleElement().satisfies(subject -> {
      assertThat(subject.getKind()).isEqualTo("ServiceAccount");
      assertThat(subject.getNamespace()).isEqualTo("meshfed-system");
      assertThat(subject.getName()).isEqualTo("meshfed-controller");
    });
  }

  private static HasMetadata get(KubernetesClient admin, String object) {
    String[] kindAndName = object.split(" ", 2);
    String[] path = kindAndName[1].split("/");
    String namespace = path.length == 2 ? path[0] : null;
    String name = path[path.length - 1];
    return switch (kindAndName[0]) {
      case "Namespace" -> admin.namespaces().withName(name).get();
      case "ServiceAccount" -> admin.serviceAccounts().inNamespace(namespace).withName(name).get();
      case "ClusterRole" -> admin.rbac().clusterRoles().withName(name).get();
      case "ClusterRoleBinding" -> admin.rbac().clusterRoleBindings().withName(name).get();
      case "Role" -> admin.rbac().roles().inNamespace(namespace).withName(name).get();
      case "RoleBinding" -> admin.rbac().roleBindings().inNamespace(namespace).withName(name).get();
      case "Secret" -> admin.secrets().inNamespace(namespace).withName(name).get();
      default -> throw new IllegalArgumentException(object);
    };
  }

  private static <T> List<T> orEmpty(List<T> list) {
    return list == null ? List.of() : list;
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
