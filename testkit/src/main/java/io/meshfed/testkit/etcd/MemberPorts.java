package io.meshfed.testkit.etcd;

/**
 * The three loopback ports one member listens on.
 *
 * @param client the client (gRPC and HTTP) port applications connect to
 * @param peer the raft port the other members connect to
 * @param metrics a plain-HTTP listener serving only {@code /metrics} and {@code /health}, used
 *     for readiness checks even when the client port demands client certificates
 */
record MemberPorts(int client, int peer, int metrics) {

    static MemberPorts allocate(PortAllocator allocator) {
        return new MemberPorts(allocator.nextFreePort(), allocator.nextFreePort(), allocator.nextFreePort());
    }
}
