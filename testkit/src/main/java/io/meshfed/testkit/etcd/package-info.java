/**
 * A real etcd server for tests, the demo and benchmarks: no Docker, no downloads.
 *
 * <p>{@link io.meshfed.testkit.etcd.EtcdCluster} starts one or more members of the Debian
 * {@code etcd-server} binary (or any etcd 3.4+ named by {@code ETCD_BIN} or found on {@code PATH})
 * on free loopback ports with temporary data directories; {@link io.meshfed.testkit.etcd.EtcdServer}
 * is one member process; {@link io.meshfed.testkit.etcd.EtcdExtension} wires a cluster into JUnit 5.
 */
package io.meshfed.testkit.etcd;
