package io.meshfed.controller.sync.convert;

import java.util.Objects;

/**
 * A CiliumEndpoint within its cluster: namespace and name, which are also the pod's
 * ({@code K8sNamespace}, {@code K8sPodName} of spec 2.3).
 *
 * @param namespace the endpoint's namespace
 * @param name      the endpoint's name
 */
public record EndpointRef(String namespace, String name) {

  /** Requires both. */
  public EndpointRef {
    Objects.requireNonNull(namespace, "namespace");
    Objects.requireNonNull(name, "name");
  }

  /** {@code namespace/name}. */
  @Override
  public String toString() {
    return namespace + "/" + name;
  }
}
