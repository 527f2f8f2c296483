package io.meshfed.api.kvstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KvstoreTimestampsTest {

    @Test
    @DisplayName("canary and heartbeat values look like Go's time.RFC3339 in UTC")
    void formatsLikeGo() {
        assertThat(KvstoreTimestamps.format(Instant.parse("2026-01-01T00:00:00.789Z"))).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(KvstoreTimestamps.format(Instant.parse("2026-07-07T13:55:07Z"))).isEqualTo("2026-07-07T13:55:07Z");
    }

    @Test
    @DisplayName("timestamps with offsets and fractions are read; anything else is refused")
    void parses() {
        assertThat(KvstoreTimestamps.parse("2024-07-07T15:55:07.627472784+02:00").value())
                .isEqualTo(Instant.parse("2024-07-07T13:55:07.627472784Z"));
        assertThat(KvstoreTimestamps.parse("yesterday").isAccepted()).isFalse();
        assertThat(KvstoreTimestamps.parse(null).isAccepted()).isFalse();
    }
}
