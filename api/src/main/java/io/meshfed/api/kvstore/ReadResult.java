package io.meshfed.api.kvstore;

import io.meshfed.api.cluster.Finding;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The outcome of reading data someone else wrote (an etcd key, a JSON value): either the value,
 * or a refusal naming the field and the rule it breaks.
 *
 * <p>Why not exceptions: members and foreign writers can put anything into etcd, and one bad
 * entry must never unwind a sync loop. Every reader in this package returns a {@code ReadResult}
 * and never throws for bad input (spec 1.5 item 8: a refused object is skipped and reported).
 *
 * @param <T> the type of the accepted value
 */
public sealed interface ReadResult<T> permits ReadResult.Accepted, ReadResult.Refused {

    /** An accepted value. */
    static <T> ReadResult<T> accepted(T value) {
        return new Accepted<>(value);
    }

    /** A refusal of {@code field} (with its offending value, if worth quoting) for {@code rule}. */
    static <T> ReadResult<T> refused(String field, String value, String rule) {
        return new Refused<>(new Finding(field, value, rule));
    }

    /** A refusal carrying an existing finding. */
    static <T> ReadResult<T> refused(Finding finding) {
        return new Refused<>(finding);
    }

    /** True for {@link Accepted}. */
    boolean isAccepted();

    /**
     * The accepted value.
     *
     * @throws NoSuchElementException with the refusal message when refused
     */
    T value();

    /** The refusal, or empty when accepted. */
    Optional<Finding> refusal();

    /** Applies {@code next} to an accepted value; a refusal passes through unchanged. */
    <U> ReadResult<U> then(Function<? super T, ReadResult<U>> next);

    /** Maps an accepted value; a refusal passes through unchanged. */
    default <U> ReadResult<U> map(Function<? super T, ? extends U> mapper) {
        return then(value -> accepted(mapper.apply(value)));
    }

    /**
     * An accepted value.
     *
     * @param value the value, never {@code null}
     * @param <T>   its type
     */
    record Accepted<T>(T value) implements ReadResult<T> {

        /** Refuses {@code null}: "accepted nothing" is a refusal. */
        public Accepted {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean isAccepted() {
            return true;
        }

        @Override
        public Optional<Finding> refusal() {
            return Optional.empty();
        }

        @Override
        public <U> ReadResult<U> then(Function<? super T, ReadResult<U>> next) {
            return next.apply(value);
        }
    }

    /**
     * A refusal.
     *
     * @param finding the field, offending value and rule
     * @param <T>     the type that was expected
     */
    record Refused<T>(Finding finding) implements ReadResult<T> {

        /** Requires the finding. */
        public Refused {
            Objects.requireNonNull(finding, "finding");
        }

        @Override
        public boolean isAccepted() {
            return false;
        }

        @Override
        public T value() {
            throw new NoSuchElementException(finding.message());
        }

        @Override
        public Optional<Finding> refusal() {
            return Optional.of(finding);
        }

        @Override
        public <U> ReadResult<U> then(Function<? super T, ReadResult<U>> next) {
            return new Refused<>(finding);
        }

        /** The field that was refused. */
        public String field() {
            return finding.field();
        }

        /** The rule the field breaks. */
        public String rule() {
            return finding.rule();
        }

        /** {@link Finding#message()}. */
        public String message() {
            return finding.message();
        }
    }
}
