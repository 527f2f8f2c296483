package io.meshfed.controller.sync.convert;

import io.meshfed.api.kvstore.ClusterService;
import java.util.Objects;
import java.util.Optional;

/**
 * A Service converted for the mesh: what to do in etcd, and what the merged view
 * ({@code GET /api/v1/services}) needs to know about it.
 *
 * @param conversion  {@link Conversion.Entries} with the one ClusterService entry,
 *                    {@link Conversion.NotExported} (not global, or global but not shared: delete
 *                    the key) or {@link Conversion.Refused}
 * @param service     the exported value, present exactly when the conversion is Entries
 * @param annotations how the clustermesh annotations were read, including the affinity this
 *                    cluster applies as a consumer and any warnings; available whatever the
 *                    outcome, because a global service that is not shared still consumes remote
 *                    backends
 */
public record ServiceConversion(Conversion conversion, Optional<ClusterService> service, ServiceAnnotations annotations) {

  /** Checks that service and conversion agree. */
  public ServiceConversion {
    Objects.requireNonNull(conversion, "conversion");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(annotations, "annotations");
    if (service.isPresent() != (conversion instanceof Conversion.Entries)) {
      throw new IllegalArgumentException("a service value goes with Entries and only with Entries");
    }
  }
}
