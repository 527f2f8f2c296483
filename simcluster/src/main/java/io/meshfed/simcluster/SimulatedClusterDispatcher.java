package io.meshfed.simcluster;

import io.fabric8.kubernetes.api.model.APIGroupBuilder;
import io.fabric8.kubernetes.api.model.APIGroupListBuilder;
import io.fabric8.kubernetes.api.model.APIVersionsBuilder;
import io.fabric8.kubernetes.api.model.GroupVersionForDiscoveryBuilder;
import io.fabric8.kubernetes.api.model.RootPathsBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.meshfed.simcluster.auth.ClusterAuth;
import io.meshfed.simcluster.auth.KubernetesStatus;
import io.meshfed.simcluster.auth.RequestInfo;
import io.meshfed.simcluster.auth.RequestInfoResolver;
import io.meshfed.simcluster.auth.SelfSubjectAccessReviews;
import io.meshfed.simcluster.auth.TokenRequests;
import io.meshfed.simcluster.auth.UserSpec;
import io.meshfed.simcluster.store.ClusterStore;
import java.net.HttpURLConnection;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The request handling of one simulated cluster: every request is first authenticated and
 * authorized ({@link ClusterAuth}, as a kube-apiserver with RBAC would), then answered by a few
 * fixed discovery answers, the TokenRequest and SelfSubjectAccessReview APIs, or else the
 * CRUD store ({@link ClusterStore}: fabric8's in-memory store, with watches that resume
 * from a resourceVersion as a kube-apiserver's do).
 *
 * <p>Why the fixed answers: the CRUD store reads any path it cannot parse, such as /version or
 * /apis, as "list everything", so a health probe would get the whole store back. A real API server
 * answers them with version and discovery documents; so do we.
 *
 * <p>The store outlives the HTTP server: stopping and starting a simulated cluster swaps the
 * server, never this dispatcher, so the data survives an outage.
 */
final class SimulatedClusterDispatcher extends Dispatcher {

  /** The Kubernetes version the simulated clusters report on /version. */
  static final Map<String, String> VERSION = Map.of(
      "major", "1", "minor", "31", "gitVersion", "v1.31.0", "platform", "linux/amd64",
      "goVersion", "go1.22.5", "buildDate", "2024-08-13T07:28:49Z");

  /** API groups whose only served resource is SelfSubjectAccessReview; the rest are 404. */
  private static final Set<String> UNSERVED_GROUPS = Set.of("authentication.k8s.io", "authorization.k8s.io");

  private static final List<String> GROUP_VERSIONS = List.of(
      "apps/v1", "discovery.k8s.io/v1", "apiextensions.k8s.io/v1", "cilium.io/v2");

  private final ClusterStore store = new ClusterStore();
  private final ClusterAuth auth;
  private final Map<String, String> fixedGetAnswers = Map.of(
      "/version", Serialization.asJson(VERSION),
      "/", Serialization.asJson(new RootPathsBuilder()
          .addToPaths("/api", "/api/v1", "/apis", "/version", "/healthz", "/readyz", "/livez").build()),
      "/api", Serialization.asJson(new APIVersionsBuilder().addToVersions("v1").build()),
      "/apis", Serialization.asJson(apiGroups()),
      "/healthz", "ok",
      "/readyz", "ok",
      "/livez", "ok");

  SimulatedClusterDispatcher(String clusterName, List<UserSpec> users, Clock clock) {
    this.auth = new ClusterAuth(clusterName, store, users, clock);
  }

  KubernetesCrudDispatcher store() {
    return store;
  }

  ClusterAuth auth() {
    return auth;
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    RequestInfo info = RequestInfoResolver.resolve(request.getMethod(), request.getPath());
    ClusterAuth.Admission admission = auth.admit(request.getHeader("Authorization"), info);
    if (!admission.admitted()) {
      return admission.refusal();
    }
    if ("GET".equals(request.getMethod())) {
      String answer = fixedGetAnswers.get(pathWithoutQuery(request.getPath()));
      if (answer != null) {
        return new MockResponse().setResponseCode(HttpURLConnection.HTTP_OK).setBody(answer);
      }
    }
    if (TokenRequests.isTokenRequest(info)) {
      return auth.tokenRequests().handle(info, request.getUtf8Body());
    }
    if (SelfSubjectAccessReviews.isSelfSubjectAccessReview(info)) {
      return auth.accessReviews().handle(admission.user(), request.getUtf8Body());
    }
    if (info.resourceRequest() && UNSERVED_GROUPS.contains(info.apiGroup())) {
      // The store would file a TokenReview or SelfSubjectRulesReview as an object and echo it back,
      // an answer without status that a test could mistake for a real one.
      return KubernetesStatus.notServed(info);
    }
    MockResponse response = store.dispatch(request);
    auth.storeServed(info);
    return response;
  }

  private static String pathWithoutQuery(String path) {
    int query = path.indexOf('?');
    return query < 0 ? path : path.substring(0, query);
  }

  private static Object apiGroups() {
    APIGroupListBuilder groups = new APIGroupListBuilder();
    for (String groupVersion : GROUP_VERSIONS) {
      String group = groupVersion.substring(0, groupVersion.indexOf('/'));
      String version = groupVersion.substring(group.length() + 1);
      var preferred = new GroupVersionForDiscoveryBuilder().withGroupVersion(groupVersion).withVersion(version).build();
      groups.addToGroups(new APIGroupBuilder().withName(group).addToVersions(preferred)
          .withPreferredVersion(preferred).build());
    }
    return groups.build();
  }
}
