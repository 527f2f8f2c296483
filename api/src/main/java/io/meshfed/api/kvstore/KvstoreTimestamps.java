package io.meshfed.api.kvstore;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The values of sync canaries and of {@code cilium/.heartbeat}: an RFC 3339 timestamp, as Go's
 * {@code time.Now().Format(time.RFC3339)} writes it (spec 1.1): whole seconds, UTC as {@code Z},
 * e.g. {@code 2026-01-01T00:00:00Z}. Agents only care that the heartbeat value changes, but
 * writing Cilium's exact form keeps dumps comparable.
 */
public final class KvstoreTimestamps {

    private static final DateTimeFormatter RFC3339_SECONDS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");

    private KvstoreTimestamps() {
    }

    /** {@code 2026-01-01T00:00:00Z}: truncated to seconds, in UTC. */
    public static String format(Instant instant) {
        return RFC3339_SECONDS.format(instant.truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
    }

    /** Reads an RFC 3339 timestamp someone else wrote (any offset, optional fraction). */
    public static ReadResult<Instant> parse(String text) {
        try {
            return ReadResult.accepted(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException | NullPointerException notATimestamp) {
            return ReadResult.refused("timestamp", text, "must be an RFC 3339 timestamp such as 2026-01-01T00:00:00Z");
        }
    }
}
