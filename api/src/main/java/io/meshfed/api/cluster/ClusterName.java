package io.meshfed.api.cluster;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A Cilium cluster name that is valid inside a mesh (spec section 3.1, Cilium
 * {@code pkg/clustermesh/types/types.go ValidateClusterName}).
 *
 * <p>Rules, checked in this order so the first message is the most useful one:
 * <ol>
 *   <li>not empty;</li>
 *   <li>at most {@value #MAX_LENGTH} characters (enforced since Cilium 1.16);</li>
 *   <li>only lower-case letters, digits and {@code '-'};</li>
 *   <li>first and last character a letter or digit (together with 3: {@value #PATTERN});</li>
 *   <li>not {@code default}: Cilium's default name, forbidden once a cluster has an ID, and every
 *       meshed cluster has one.</li>
 * </ol>
 *
 * <p>Why it matters: the name becomes an etcd key segment, the identity label
 * {@code io.cilium.k8s.policy.cluster}, a host name {@code <name>.mesh.cilium.io} and part of
 * certificate CNs ({@code remote-<name>}), so anything else breaks one of those.
 *
 * @param value the validated name
 */
public record ClusterName(String value) {

    /** Longest name Cilium accepts. */
    public static final int MAX_LENGTH = 32;

    /** Cilium's regular expression, verbatim. */
    public static final String PATTERN = "^([a-z0-9][-a-z0-9]*)?[a-z0-9]$";

    /** The field name used in messages when the caller does not give one. */
    public static final String FIELD = "cluster-name";

    private static final Pattern ALLOWED_CHARACTERS = Pattern.compile("[-a-z0-9]*");
    private static final String RESERVED = "default";

    /** Refuses an invalid name with an {@link InvalidValueException} naming {@value #FIELD}. */
    public ClusterName {
        check(FIELD, value).ifPresent(finding -> {
            throw new InvalidValueException(finding);
        });
    }

    /**
     * Parses a name from user input.
     *
     * @throws InvalidValueException naming field {@value #FIELD} and the first broken rule
     */
    public static ClusterName parse(String raw) {
        return new ClusterName(raw);
    }

    /** True when {@link #parse} would accept the name. */
    public static boolean isValid(String raw) {
        return check(FIELD, raw).isEmpty();
    }

    /**
     * Checks a name without throwing, for collect-all validation ({@link Findings}).
     *
     * @param field how the caller's user knows the field, e.g. {@code spec.clusters[2].name}
     * @return the first broken rule, or empty when the name is valid
     */
    public static Optional<Finding> check(String field, String raw) {
        Objects.requireNonNull(field, "field");
        if (raw == null || raw.isEmpty()) {
            return Optional.of(Finding.of(field, "must not be empty"));
        }
        if (raw.length() > MAX_LENGTH) {
            return Optional.of(new Finding(field, raw,
                    "must be at most " + MAX_LENGTH + " characters (has " + raw.length() + ")"));
        }
        if (!ALLOWED_CHARACTERS.matcher(raw).matches()) {
            return Optional.of(new Finding(field, raw,
                    "must match " + PATTERN + " (lower-case letters, digits and '-')"));
        }
        if (raw.startsWith("-") || raw.endsWith("-")) {
            return Optional.of(new Finding(field, raw,
                    "must start and end with a lower-case letter or digit (" + PATTERN + ")"));
        }
        if (RESERVED.equals(raw)) {
            return Optional.of(new Finding(field, raw,
                    "must not be \"default\" (Cilium reserves it for clusters without a cluster ID)"));
        }
        return Optional.empty();
    }

    /** The name itself, so it can be concatenated into keys and labels. */
    @Override
    public String toString() {
        return value;
    }
}
