package io.meshfed.controller.bootstrap;

import java.nio.file.Path;

/** Where bootstrap writes its files, in one place (documented in docs/operations.md). */
public record BootstrapLayout(Path out) {
  public Path caDir() {
    return out.resolve("ca");
  }

  public Path pki() {
    return out.resolve("pki");
  }

  public Path bundle() {
    return pki().resolve("bundle.pem");
  }

  public Path etcdCa() {
    return pki().resolve("etcd-ca.pem");
  }

  /** Output prefix (PREFIX.crt, PREFIX.key) of the controller's HTTPS/gRPC server certificate. */
  public Path controllerServer() {
    return pki().resolve("controller-server");
  }

  /** Output prefix of the controller's etcd client certificate (CN meshfed-controller). */
  public Path controllerEtcd() {
    return pki().resolve("controller-etcd");
  }

  /** Output prefix of the admin client certificate (CN meshfed-admin). */
  public Path admin() {
    return pki().resolve("admin");
  }

  public Path controllerConfig() {
    return out.resolve("controller.yaml");
  }

  public Path cliConfig() {
    return out.resolve("meshfed.yaml");
  }
}
