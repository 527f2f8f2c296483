package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.ClusterName;
import io.meshfed.api.cluster.InvalidValueException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The security labels of an identity, the value of {@code cilium/cache/identities/v1/<c>/id/<ID>}
 * (spec 2.2): {@code source:key=value;} for every label, sorted by key, every label (the last
 * too) ending with {@code ;}. Example for identity 196915 of {@code cluster3}:
 * <pre>k8s:app=baz;k8s:io.cilium.k8s.policy.cluster=cluster3;k8s:io.kubernetes.pod.namespace=bar;</pre>
 *
 * <p>Keys are unique (Cilium keeps labels in a map keyed by key) and sorted in Go's byte order
 * ({@code LabelArray.Sort}), so equal sets always format to equal bytes. A remote reader accepts
 * the identity only with {@code k8s:io.cilium.k8s.policy.cluster=<cluster>} (spec 1.5 item 8).
 *
 * @param labels the labels, sorted by key
 */
public record IdentityLabels(List<Label> labels) {

    /** The label that ties an identity to its cluster ({@code PolicyLabelCluster}). */
    public static final String CLUSTER_LABEL_KEY = "io.cilium.k8s.policy.cluster";

    /** Sorts by key and refuses a key that appears twice. */
    public IdentityLabels {
        labels = GoOrder.sortedCopy(labels, Label::key);
        Set<String> keys = new HashSet<>();
        for (Label label : labels) {
            if (!keys.add(label.key())) {
                throw new InvalidValueException("labels", label.key(), "must not repeat a label key");
            }
        }
    }

    /** The given labels, sorted. */
    public static IdentityLabels of(Label... labels) {
        return new IdentityLabels(List.of(labels));
    }

    /**
     * Converts a CiliumIdentity's {@code security-labels} map ({@code "k8s:app" -> "baz"}) the way
     * the clustermesh-apiserver does ({@code labels.NewLabel(sourceAndKey, value, "")}).
     *
     * @throws InvalidValueException for labels the kvstore format cannot carry
     */
    public static IdentityLabels fromSecurityLabels(Map<String, String> securityLabels) {
        List<Label> labels = new ArrayList<>();
        securityLabels.forEach((sourceAndKey, value) -> {
            String[] split = splitSource(sourceAndKey);
            String source = split[0].isEmpty() ? Label.SOURCE_UNSPEC : split[0];
            boolean reservedShortForm = source.equals(Label.SOURCE_RESERVED) && split[1].isEmpty();
            labels.add(reservedShortForm
                    ? new Label(Label.SOURCE_RESERVED, value, "")
                    : new Label(source, split[1], value));
        });
        return new IdentityLabels(labels);
    }

    /** Adds the cluster label of {@code cluster}, or replaces it; every identity meshfed writes has it. */
    public IdentityLabels withCluster(ClusterName cluster) {
        List<Label> updated = new ArrayList<>();
        labels.stream().filter(label -> !label.key().equals(CLUSTER_LABEL_KEY)).forEach(updated::add);
        updated.add(Label.k8s(CLUSTER_LABEL_KEY, cluster.value()));
        return new IdentityLabels(updated);
    }

    /** The kvstore value, e.g. {@code k8s:app=baz;k8s:io.cilium.k8s.policy.cluster=cluster3;}. */
    public String format() {
        StringBuilder out = new StringBuilder(labels.size() * 32);
        labels.forEach(label -> out.append(label.formatForKvstore()));
        return out.toString();
    }

    /** {@link #format()} as UTF-8 bytes, the etcd value. */
    public byte[] toBytes() {
        return format().getBytes(StandardCharsets.UTF_8);
    }

    /** The label with {@code key}, whatever its source. */
    public Optional<Label> get(String key) {
        return labels.stream().filter(label -> label.key().equals(key)).findFirst();
    }

    /** The cluster named by {@code k8s:io.cilium.k8s.policy.cluster}, if that label is present with source k8s. */
    public Optional<String> clusterName() {
        return get(CLUSTER_LABEL_KEY).filter(label -> label.source().equals(Label.SOURCE_K8S)).map(Label::value);
    }

    /**
     * Parses a label string someone else wrote, as Cilium does: split at {@code ;}, ignore empty
     * entries, then {@code ParseLabel} each ({@code $x} and {@code reserved.x} mean source
     * {@code reserved}; no source means {@code unspec}).
     *
     * @return the labels, or a refusal naming the entry Cilium would turn into garbage
     */
    public static ReadResult<IdentityLabels> parse(String text) {
        if (text == null) {
            return ReadResult.refused("labels", null, "must be a label string");
        }
        List<Label> labels = new ArrayList<>();
        try {
            for (String entry : text.split(";")) {
                if (!entry.isEmpty()) {
                    labels.add(parseLabel(entry));
                }
            }
            return ReadResult.accepted(new IdentityLabels(labels));
        } catch (InvalidValueException garbage) {
            return ReadResult.refused(garbage.finding());
        }
    }

    /** {@link #parse} of an etcd value, refusing bytes that are not UTF-8. */
    public static ReadResult<IdentityLabels> fromBytes(byte[] value) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(value)).toString();
            return parse(text);
        } catch (CharacterCodingException notUtf8) {
            return ReadResult.refused("labels", null, "must be UTF-8 text");
        }
    }

    /** Cilium's {@code parseLabel(str, ':')}. */
    private static Label parseLabel(String entry) {
        String[] split = splitSource(entry);
        String source = split[0].isEmpty() ? Label.SOURCE_UNSPEC : split[0];
        String next = split[1];
        int equals = next.indexOf('=');
        if (equals < 0) {
            return new Label(source, next, "");
        }
        if (equals == 0 && source.equals(Label.SOURCE_RESERVED)) {
            return new Label(source, next.substring(1), "");
        }
        return new Label(source, next.substring(0, equals), next.substring(equals + 1));
    }

    /** Cilium's {@code ParseSource(str, ':')}: {source, rest}, source empty when none is given. */
    private static String[] splitSource(String text) {
        if (text.startsWith("$")) {
            return new String[] {Label.SOURCE_RESERVED, text.substring(1)};
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            String reservedPrefix = Label.SOURCE_RESERVED + ".";
            return text.startsWith(reservedPrefix)
                    ? new String[] {Label.SOURCE_RESERVED, text.substring(reservedPrefix.length())}
                    : new String[] {"", text};
        }
        return new String[] {text.substring(0, colon), text.substring(colon + 1)};
    }

    /** {@link #format()}. */
    @Override
    public String toString() {
        return format();
    }
}
