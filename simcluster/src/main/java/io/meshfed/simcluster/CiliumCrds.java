package io.meshfed.simcluster;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionCondition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionConditionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceSubresourcesBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The five Cilium CRDs a simulated cluster registers: loaded from Cilium's own YAML when a folder
 * is given (real schemas), else built here with names, scope and version only (enough for the
 * mock, which does not validate). Either way the CRD is marked Established, as an API server would.
 */
final class CiliumCrds {

  static final String GROUP = "cilium.io";
  static final String VERSION = "v2";
  static final String API_VERSION = GROUP + "/" + VERSION;

  /** One Cilium resource kind, with the scope and status subresource of the real CRD. */
  enum Kind {
    IDENTITY("CiliumIdentity", "ciliumidentities", "ciliumidentity", false, true, List.of("ciliumid")),
    ENDPOINT("CiliumEndpoint", "ciliumendpoints", "ciliumendpoint", true, false, List.of("cep", "ciliumep")),
    NODE("CiliumNode", "ciliumnodes", "ciliumnode", false, true, List.of("cn", "ciliumn")),
    NETWORK_POLICY("CiliumNetworkPolicy", "ciliumnetworkpolicies", "ciliumnetworkpolicy", true, true,
        List.of("cnp", "ciliumnp")),
    CLUSTERWIDE_NETWORK_POLICY("CiliumClusterwideNetworkPolicy", "ciliumclusterwidenetworkpolicies",
        "ciliumclusterwidenetworkpolicy", false, true, List.of("ccnp"));

    final String kind;
    final String plural;
    final String singular;
    final boolean namespaced;
    final boolean statusSubresource;
    final List<String> shortNames;

    Kind(String kind, String plural, String singular, boolean namespaced, boolean statusSubresource,
        List<String> shortNames) {
      this.kind = kind;
      this.plural = plural;
      this.singular = singular;
      this.namespaced = namespaced;
      this.statusSubresource = statusSubresource;
      this.shortNames = shortNames;
    }

    String crdName() {
      return plural + "." + GROUP;
    }
  }

  private CiliumCrds() {
  }

  /** The five CRDs, from {@code crdDir/<plural>.yaml} when crdDir is set, else minimal ones. */
  static List<CustomResourceDefinition> load(Path crdDir) {
    List<CustomResourceDefinition> crds = new ArrayList<>();
    for (Kind kind : Kind.values()) {
      CustomResourceDefinition crd = crdDir == null ? minimal(kind) : fromFile(crdDir, kind);
      crd.setStatus(established(crd));
      crds.add(crd);
    }
    return crds;
  }

  static CustomResourceDefinition minimal(Kind kind) {
    CustomResourceDefinitionBuilder builder = new CustomResourceDefinitionBuilder()
        .withNewMetadata().withName(kind.crdName()).endMetadata()
        .withNewSpec()
          .withGroup(GROUP)
          .withScope(kind.namespaced ? "Namespaced" : "Cluster")
          .withNewNames()
            .withKind(kind.kind).withListKind(kind.kind + "List").withPlural(kind.plural)
            .withSingular(kind.singular).withShortNames(kind.shortNames).addToCategories("cilium")
          .endNames()
          .addNewVersion()
            .withName(VERSION).withServed(true).withStorage(true)
            .withNewSchema().withNewOpenAPIV3Schema()
              .withType("object").withXKubernetesPreserveUnknownFields(true)
            .endOpenAPIV3Schema().endSchema()
          .endVersion()
        .endSpec();
    CustomResourceDefinition crd = builder.build();
    if (kind.statusSubresource) {
      crd.getSpec().getVersions().get(0).setSubresources(new CustomResourceSubresourcesBuilder()
          .withNewStatus().endStatus().build());
    }
    return crd;
  }

  private static CustomResourceDefinition fromFile(Path crdDir, Kind kind) {
    Path file = crdDir.resolve(kind.plural + ".yaml");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("--crd-dir " + crdDir + ": " + file.getFileName() + " is missing");
    }
    try (InputStream in = Files.newInputStream(file)) {
      CustomResourceDefinition crd = Serialization.unmarshal(in, CustomResourceDefinition.class);
      if (crd == null || !kind.crdName().equals(crd.getMetadata().getName())) {
        throw new IllegalArgumentException("--crd-dir " + crdDir + ": " + file.getFileName()
            + " does not hold the CRD " + kind.crdName());
      }
      // Fields of a live object, not of a manifest.
      crd.getMetadata().setCreationTimestamp(null);
      return crd;
    } catch (IOException e) {
      throw new UncheckedIOException("--crd-dir " + crdDir + ": cannot read " + file, e);
    }
  }

  private static io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionStatus established(
      CustomResourceDefinition crd) {
    return new CustomResourceDefinitionStatusBuilder()
        .withAcceptedNames(crd.getSpec().getNames())
        .withConditions(condition("NamesAccepted", "NoConflicts"), condition("Established", "InitialNamesAccepted"))
        .withStoredVersions(VERSION)
        .build();
  }

  private static CustomResourceDefinitionCondition condition(String type, String reason) {
    return new CustomResourceDefinitionConditionBuilder().withType(type).withStatus("True").withReason(reason)
        .build();
  }
}
