package io.meshfed.controller.policy.validation;

import io.meshfed.api.cluster.InvalidValueException;

/**
 * The baseline every meshfed namespace can start from: deny everything, then allow DNS.
 *
 * <p>{@code default-deny} selects every pod of the namespace ({@code endpointSelector: {}}) with an
 * empty ingress and an empty egress rule ({@code - {}}). An empty rule allows nothing; it only puts
 * the pods into default deny for that direction, which is the form Cilium's documentation gives
 * for "ingress/egress default deny" (an empty {@code egress:} would be null, which the CRD refuses,
 * and the CRD wants at least one of the four sections). {@code enableDefaultDeny} says the same
 * explicitly, so the policy keeps denying even where another policy sets it to false for itself.
 *
 * <p>{@code allow-dns} lets every pod of the namespace reach kube-dns in kube-system on port 53
 * over UDP and TCP, through Cilium's DNS proxy ({@code rules.dns: matchPattern "*"}, which allows
 * every name and makes the lookups visible, and is what toFQDNs policies need). The peer selector
 * names no cluster: with {@code policy-default-local-cluster} (Cilium 1.19+) it is the local
 * cluster's kube-dns, which is what a baseline pushed to every member wants.
 */
public final class Baseline {

  private Baseline() {}

  /**
   * The two policies for {@code namespace}, as one YAML text with two documents.
   *
   * @throws InvalidValueException naming {@code namespace} when it is not a DNS-1123 label
   */
  public static String forNamespace(String namespace) {
    String problem = namespace == null ? "must not be empty" : CiliumSyntax.dnsLabelProblem(namespace);
    if (problem != null) {
      throw new InvalidValueException("namespace", namespace, problem);
    }
    return """
        # meshfed baseline for namespace %1$s: deny all traffic of its pods, then allow DNS to kube-dns.
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: default-deny
          namespace: %1$s
        spec:
          description: "meshfed baseline: deny all ingress and egress of pods in %1$s unless another policy allows it"
          endpointSelector: {}
          enableDefaultDeny:
            ingress: true
            egress: true
          ingress:
          - {}
          egress:
          - {}
        ---
        apiVersion: cilium.io/v2
        kind: CiliumNetworkPolicy
        metadata:
          name: allow-dns
          namespace: %1$s
        spec:
          description: "meshfed baseline: allow pods in %1$s to resolve names through kube-dns"
          endpointSelector: {}
          egress:
          - toEndpoints:
            - matchLabels:
                k8s:io.kubernetes.pod.namespace: kube-system
                k8s:k8s-app: kube-dns
            toPorts:
            - ports:
              - port: "53"
                protocol: UDP
              - port: "53"
                protocol: TCP
              rules:
                dns:
                - matchPattern: "*"
        """.formatted(namespace);
  }
}
