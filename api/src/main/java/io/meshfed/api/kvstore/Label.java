package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.InvalidValueException;
import java.util.Objects;

/**
 * One security label of an identity, {@code source:key=value} (spec 2.2, Cilium
 * {@code pkg/labels/labels.go}).
 *
 * <p>Refused here because Cilium's parser would silently turn them into a different label
 * (the kvstore format has no escaping; {@code ParseLabel} splits at the first {@code :} and the
 * first {@code =}, and entries at {@code ;}):
 * <ul>
 *   <li>an empty source, or one containing {@code :}, {@code ;} or {@code =}, or starting with
 *       {@code $} (read back as {@code reserved});</li>
 *   <li>an empty key, or one containing {@code =} or {@code ;};</li>
 *   <li>a value containing {@code ;}. A value may contain {@code =} or {@code :}: only the first
 *       {@code =} splits.</li>
 * </ul>
 *
 * @param source where the label comes from, e.g. {@code k8s}, {@code reserved}, {@code cidr}
 * @param key    the label key, e.g. {@code io.kubernetes.pod.namespace}
 * @param value  the value, possibly empty
 */
public record Label(String source, String key, String value) {

    /** Source of labels imported from Kubernetes. */
    public static final String SOURCE_K8S = "k8s";
    /** Source of Cilium's reserved labels such as {@code reserved:host}. */
    public static final String SOURCE_RESERVED = "reserved";
    /** Source Cilium gives a label written without one. */
    public static final String SOURCE_UNSPEC = "unspec";

    /** Refuses the shapes listed in the class comment. */
    public Label {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        String text = source + ":" + key + "=" + value;
        if (source.isEmpty() || source.startsWith("$") || containsAny(source, ":;=")) {
            throw new InvalidValueException("label source", text,
                    "must be non-empty, without ':', ';' or '=' and not start with '$'");
        }
        if (key.isEmpty() || containsAny(key, ";=")) {
            throw new InvalidValueException("label key", text, "must be non-empty and without ';' or '='");
        }
        if (value.contains(";")) {
            throw new InvalidValueException("label value", text, "must not contain ';'");
        }
    }

    /** A label from Kubernetes ({@code k8s:key=value}). */
    public static Label k8s(String key, String value) {
        return new Label(SOURCE_K8S, key, value);
    }

    /** The kvstore form, {@code source:key=value;}: every label ends with {@code ;} ({@code FormatForKVStore}). */
    public String formatForKvstore() {
        return source + ":" + key + "=" + value + ";";
    }

    private static boolean containsAny(String text, String characters) {
        for (int i = 0; i < characters.length(); i++) {
            if (text.indexOf(characters.charAt(i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** {@code source:key=value}, without the trailing {@code ;}. */
    @Override
    public String toString() {
        return source + ":" + key + "=" + value;
    }
}
