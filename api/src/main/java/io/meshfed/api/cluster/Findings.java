package io.meshfed.api.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Collects every broken rule instead of stopping at the first.
 *
 * <p>Why: the join pre-flight (and {@code meshfed} CLI validation) reports all problems of a
 * request at once, so a user fixes them in one round trip. Typical use:
 *
 * <pre>{@code
 * Findings findings = new Findings();
 * findings.add(ClusterName.check("name", request.name()));
 * findings.add(ClusterId.check("id", request.id(), mesh.maxConnectedClusters()));
 * findings.throwIfAny();
 * }</pre>
 *
 * <p>This is a mutable collector meant for one validation pass on one thread; {@link #all()}
 * hands out an immutable snapshot.
 */
public final class Findings {

    private final List<Finding> collected = new ArrayList<>();

    /** Adds the finding if present; returns {@code this} for chaining. */
    public Findings add(Optional<Finding> finding) {
        finding.ifPresent(collected::add);
        return this;
    }

    /** Adds one finding; returns {@code this} for chaining. */
    public Findings add(Finding finding) {
        collected.add(finding);
        return this;
    }

    /** Adds a finding when {@code ok} is false; returns {@code this} for chaining. */
    public Findings require(boolean ok, String field, String value, String rule) {
        if (!ok) {
            collected.add(new Finding(field, value, rule));
        }
        return this;
    }

    /** Adds all findings collected elsewhere. */
    public Findings addAll(Findings other) {
        collected.addAll(other.collected);
        return this;
    }

    /** True when no rule was broken. */
    public boolean isEmpty() {
        return collected.isEmpty();
    }

    /** An immutable snapshot, in the order the findings were added. */
    public List<Finding> all() {
        return List.copyOf(collected);
    }

    /** One message per line, in the order the findings were added. */
    public String summary() {
        return collected.stream().map(Finding::message).collect(Collectors.joining("\n"));
    }

    /**
     * Throws for the first finding when there is any; the others are attached as suppressed
     * exceptions so a stack trace still shows all of them.
     */
    public void throwIfAny() {
        if (collected.isEmpty()) {
            return;
        }
        InvalidValueException first = new InvalidValueException(collected.get(0));
        collected.stream().skip(1).map(InvalidValueException::new).forEach(first::addSuppressed);
        throw first;
    }

    @Override
    public String toString() {
        return summary();
    }
}
