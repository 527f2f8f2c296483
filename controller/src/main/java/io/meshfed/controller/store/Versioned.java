package io.meshfed.controller.store;

/** A record read from etcd with the revisions needed to change it with compare-and-swap. */
public record Versioned<T>(String key, T value, long modRevision, long leaseId) {}
