package io.meshfed.controller.health;

/**
 * The conditions of one member's health, in the order they are shown. Names follow Kubernetes
 * condition style, so dashboards and {@code kubectl}-minded users read them without a legend.
 */
public enum ConditionType {
  Joined,
  AgentConnected,
  CiliumReady,
  IdentitiesSynced,
  EndpointsSynced,
  NodesSynced,
  ServicesSynced,
  PoliciesInSync,
  CertificatesValid
}
