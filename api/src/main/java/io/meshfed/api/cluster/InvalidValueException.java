package io.meshfed.api.cluster;

import java.util.Objects;

/**
 * Thrown when our own input (a CLI flag, an API body, a value the controller is about to write)
 * breaks a rule. The message names the field and the rule, e.g.
 * {@code cluster-name: "Prod_1" must match ^([a-z0-9][-a-z0-9]*)?[a-z0-9]$ (lower-case letters,
 * digits and '-')}.
 *
 * <p>Data written by someone else (etcd values of a member) is never reported with this
 * exception: readers return a refusal result instead, so foreign garbage cannot unwind a
 * controller loop.
 */
public final class InvalidValueException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Finding finding;

    /** Wraps one finding; its message becomes the exception message. */
    public InvalidValueException(Finding finding) {
        super(Objects.requireNonNull(finding, "finding").message());
        this.finding = finding;
    }

    /** Convenience for {@code new InvalidValueException(new Finding(field, value, rule))}. */
    public InvalidValueException(String field, String value, String rule) {
        this(new Finding(field, value, rule));
    }

    /** The field that is wrong, e.g. {@code cluster-name}. */
    public String field() {
        return finding.field();
    }

    /** The rule the value breaks, e.g. {@code must not be "default"}. */
    public String rule() {
        return finding.rule();
    }

    /** The offending value, or {@code null} when there was none. */
    public String value() {
        return finding.value();
    }

    /** The whole finding, for callers that collect findings. */
    public Finding finding() {
        return finding;
    }
}
