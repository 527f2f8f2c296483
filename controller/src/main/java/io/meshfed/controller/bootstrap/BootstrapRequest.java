package io.meshfed.controller.bootstrap;

import io.meshfed.certs.KeyType;
import io.meshfed.certs.Passphrase;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * What {@code meshfed bootstrap} was asked to do.
 *
 * @param etcdCa roots that etcd's server certificate chains to
 * @param etcdCert an etcd client certificate of a user with the root role (used once, here)
 * @param caDir an existing CA directory to use as the mesh CA; null creates one in {@code outDir/ca}
 */
public record BootstrapRequest(
    String mesh,
    int maxConnectedClusters,
    KeyType keyType,
    List<String> etcdEndpoints,
    Path etcdCa,
    Path etcdCert,
    Path etcdKey,
    Path outDir,
    Path caDir,
    List<String> controllerDnsNames,
    List<InetAddress> controllerIps,
    String controllerUrl,
    Passphrase passphrase) {}
