package io.meshfed.testkit.etcd;

/** Hands out TCP ports on 127.0.0.1 that were free a moment ago; a seam for tests. */
@FunctionalInterface
interface PortAllocator {

    /** Returns a port that was free when probed (another process may still take it before etcd does). */
    int nextFreePort();
}
