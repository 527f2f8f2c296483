package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.InvalidValueException;
import io.meshfed.api.cluster.NumericIdentities;
import java.util.List;
import java.util.Objects;

/**
 * An ipcache entry: which security identity an IP belongs to and which node hosts it. Cilium's
 * {@code identity.IPIdentityPair} (spec 2.3, STABLE API), stored at
 * {@code cilium/cache/ip/v1/<cluster>/<keyName()>}.
 *
 * <p>JSON keys and order: {@code IP, Mask, HostIP, ID, Key, Metadata, K8sNamespace,
 * K8sPodName, K8sServiceAccount, NamedPorts}. {@code Mask} has no {@code omitempty} in Cilium's
 * struct, so a host entry carries {@code "Mask": null} (as in Cilium's own test fixture
 * {@code ciliumendpoints.txtar}; the spec's example leaves it out, which Cilium reads the same).
 * The four {@code K8s*}/{@code NamedPorts} fields are omitted when empty. Named ports are kept
 * sorted by name, as Cilium's writer sorts them.
 *
 * @param ip                the endpoint IP
 * @param mask              the prefix mask for a CIDR entry, or {@code null} for a host entry
 * @param hostIp            the node IP (tunnel endpoint), or {@code null} (written as {@code ""})
 * @param identity          the numeric security identity (JSON {@code ID}, Go {@code uint32})
 * @param encryptionKey     the IPsec key index (JSON {@code Key}, Go {@code uint8})
 * @param metadata          free text, usually empty
 * @param k8sNamespace      the pod's namespace, or {@code ""}
 * @param k8sPodName        the pod's name, or {@code ""}
 * @param k8sServiceAccount the pod's service account, or {@code ""}
 * @param namedPorts        the pod's named ports
 */
public record IPIdentityPair(
        IpAddress ip,
        IpMask mask,
        IpAddress hostIp,
        long identity,
        int encryptionKey,
        String metadata,
        String k8sNamespace,
        String k8sPodName,
        String k8sServiceAccount,
        List<NamedPort> namedPorts) {

    /** Checks Go types (uint32 ID, uint8 key), mask/address family agreement, and sorts named ports. */
    public IPIdentityPair {
        Objects.requireNonNull(ip, "ip");
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(k8sNamespace, "k8sNamespace");
        Objects.requireNonNull(k8sPodName, "k8sPodName");
        Objects.requireNonNull(k8sServiceAccount, "k8sServiceAccount");
        if (mask != null && mask.bitLength() != ip.bitLength()) {
            throw new InvalidValueException("Mask", mask.toBase64(), "must have the length of IP " + ip);
        }
        if (!NumericIdentities.isUint32(identity)) {
            throw new InvalidValueException("ID", Long.toString(identity), "must be between 0 and 4294967295");
        }
        if (encryptionKey < 0 || encryptionKey > 255) {
            throw new InvalidValueException("Key", Integer.toString(encryptionKey), "must be between 0 and 255");
        }
        namedPorts = GoOrder.sortedCopy(namedPorts, NamedPort::name);
    }

    /** A host entry of a pod, the kind meshfed writes for every CiliumEndpoint address. */
    public static IPIdentityPair endpoint(IpAddress ip, IpAddress hostIp, long identity, int encryptionKey,
            String namespace, String podName, String serviceAccount, List<NamedPort> namedPorts) {
        return new IPIdentityPair(ip, null, hostIp, identity, encryptionKey, "", namespace, podName,
                serviceAccount, namedPorts);
    }

    /** True for a host entry (no mask), as Cilium's {@code IsHost}. */
    public boolean isHost() {
        return mask == null;
    }

    /**
     * The key name below the cluster, Cilium's {@code PrefixString()}: {@code 10.244.2.74} for a
     * host, {@code 10.0.0.0/8} for a CIDR entry. Readers refuse an entry whose key differs.
     */
    public String keyName() {
        return isHost() ? ip.toString() : ip + "/" + mask.prefixLength();
    }

    /** Go-identical JSON bytes; equal records always give equal bytes. */
    public byte[] toJson() {
        return IPIdentityPairJson.encode(this);
    }

    /** Decodes JSON someone else wrote; refuses (never throws) when it is not an IPIdentityPair. */
    public static ReadResult<IPIdentityPair> fromJson(byte[] json) {
        return IPIdentityPairJson.decode(json);
    }
}
