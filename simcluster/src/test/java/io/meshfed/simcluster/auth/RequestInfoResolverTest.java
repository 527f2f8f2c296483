package io.meshfed.simcluster.auth;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("HTTP requests map to verb, group, resource, subresource, namespace and name as in kube-apiserver")
class RequestInfoResolverTest {

  @ParameterizedTest(name = "{0} {1} -> {2} {3} {4}/{5} ns={6} name={7}")
  @CsvSource(delimiter = '|', nullValues = "-", value = {
      "GET | /api/v1/namespaces/ns/secrets/x | get | - | secrets | - | ns | x",
      "HEAD | /api/v1/namespaces/ns/secrets/x | get | - | secrets | - | ns | x",
      "GET | /api/v1/namespaces/ns/secrets | list | - | secrets | - | ns | -",
      "GET | /api/v1/namespaces/ns/secrets?watch=true | watch | - | secrets | - | ns | -",
      "GET | /api/v1/namespaces/ns/secrets?watch=1 | watch | - | secrets | - | ns | -",
      "GET | /api/v1/namespaces/ns/secrets?watch=false | list | - | secrets | - | ns | -",
      "GET | /api/v1/namespaces/ns/secrets?fieldSelector=metadata.name%3Dx&watch=1 | watch | - | secrets | - | ns | x",
      "GET | /api/v1/namespaces/ns/secrets?fieldSelector=metadata.name%3D%3Dx | list | - | secrets | - | ns | x",
      "GET | /api/v1/namespaces/ns/secrets?fieldSelector=metadata.name%21%3Dx | list | - | secrets | - | ns | -",
      "POST | /api/v1/namespaces/ns/secrets | create | - | secrets | - | ns | -",
      "PUT | /api/v1/namespaces/ns/secrets/x | update | - | secrets | - | ns | x",
      "PATCH | /api/v1/namespaces/ns/secrets/x | patch | - | secrets | - | ns | x",
      "DELETE | /api/v1/namespaces/ns/secrets/x | delete | - | secrets | - | ns | x",
      "DELETE | /api/v1/namespaces/ns/secrets | deletecollection | - | secrets | - | ns | -",
      "POST | /api/v1/namespaces/ns/serviceaccounts/sa/token | create | - | serviceaccounts | token | ns | sa",
      "PUT | /apis/cilium.io/v2/ciliumnodes/n1/status | update | cilium.io | ciliumnodes | status | - | n1",
      "GET | /apis/cilium.io/v2/ciliumidentities?watch=true | watch | cilium.io | ciliumidentities | - | - | -",
      "GET | /api/v1/nodes | list | - | nodes | - | - | -",
      "GET | /api/v1/namespaces | list | - | namespaces | - | - | -",
      "GET | /api/v1/namespaces/ns | get | - | namespaces | - | ns | ns",
      "PUT | /api/v1/namespaces/ns/finalize | update | - | namespaces | finalize | ns | ns",
      "GET | /api/v1/watch/namespaces/ns/pods | watch | - | pods | - | ns | -",
      "POST | /apis/authorization.k8s.io/v1/selfsubjectaccessreviews | create | authorization.k8s.io"
          + " | selfsubjectaccessreviews | - | - | -",
  })
  void resourceRequests(String method, String uri, String verb, String group, String resource, String subresource,
      String namespace, String name) {
    RequestInfo info = RequestInfoResolver.resolve(method, uri);
    assertThat(info.resourceRequest()).isTrue();
    assertThat(info).extracting(RequestInfo::verb, RequestInfo::apiGroup, RequestInfo::resource,
            RequestInfo::subresource, RequestInfo::namespace, RequestInfo::name)
        .containsExactly(verb, orEmpty(group), resource, orEmpty(subresource), orEmpty(namespace), orEmpty(name));
  }

  @ParameterizedTest(name = "{0} {1} is the non-resource request {2} {1}")
  @CsvSource({
      "GET, /version, get",
      "GET, /healthz, get",
      "GET, /api, get",
      "GET, /api/v1, get",
      "GET, /apis, get",
      "GET, /apis/cilium.io, get",
      "GET, /apis/cilium.io/v2, get",
      "POST, /logs, post",
  })
  void nonResourceRequests(String method, String path, String verb) {
    RequestInfo info = RequestInfoResolver.resolve(method, path);
    assertThat(info.resourceRequest()).isFalse();
    assertThat(info.verb()).isEqualTo(verb);
    assertThat(info.path()).isEqualTo(path);
  }

  @Test
  @DisplayName("a subresource is part of what RBAC matches: serviceaccounts/token")
  void combinedResource() {
    assertThat(RequestInfoResolver.resolve("POST", "/api/v1/namespaces/ns/serviceaccounts/sa/token")
        .resourceWithSubresource()).isEqualTo("serviceaccounts/token");
  }

  private static String orEmpty(String value) {
    return value == null ? "" : value;
  }
}
