package io.meshfed.controller.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshfed.api.cluster.InvalidValueException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Member credentials: JSON for storage, a token that never reaches toString, renewal timing")
class MemberCredentialsTest {

  private static final String TOKEN = "eyJhbGciOiJSUzI1NiJ9.secret-token-value";
  private static final Instant ISSUED = Instant.parse("2030-01-01T00:00:00Z");
  private static final String CA = Base64.getEncoder()
      .encodeToString("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n".getBytes(StandardCharsets.US_ASCII));

  private static MemberCredentials credentials(Duration lifetime) {
    return new MemberCredentials("https://10.0.0.1:6443", CA, TOKEN, ISSUED, ISSUED.plus(lifetime));
  }

  @Test
  void roundTripsThroughJson() {
    MemberCredentials credentials = credentials(Duration.ofHours(1));
    String json = credentials.toJson();
    assertThat(json).contains("\"server\":\"https://10.0.0.1:6443\"", "\"issuedAt\":\"2030-01-01T00:00:00Z\"",
        "\"expiresAt\":\"2030-01-01T01:00:00Z\"");
    assertThat(MemberCredentials.fromJson(json)).isEqualTo(credentials);
  }

  @Test
  void plainHttpMembersHaveNoCa() {
    MemberCredentials credentials = new MemberCredentials("http://127.0.0.1:4000", null, TOKEN, ISSUED,
        ISSUED.plusSeconds(600));
    assertThat(credentials.toJson()).doesNotContain("certificateAuthorityData");
    assertThat(MemberCredentials.fromJson(credentials.toJson())).isEqualTo(credentials);
  }

  @Test
  void toStringNeverShowsTheToken() {
    assertThat(credentials(Duration.ofHours(1)).toString()).doesNotContain(TOKEN).doesNotContain("secret-token")
        .contains("token=(redacted)", "https://10.0.0.1:6443", "2030-01-01T01:00:00Z");
  }

  @Test
  void badStoredJsonIsRefusedNamingTheField() {
    String withoutToken = "{\"server\":\"https://a\",\"issuedAt\":\"2030-01-01T00:00:00Z\","
        + "\"expiresAt\":\"2030-01-01T01:00:00Z\"}";
    assertThatThrownBy(() -> MemberCredentials.fromJson(withoutToken))
        .isInstanceOf(InvalidValueException.class).hasMessageStartingWith("token");

    String expiresFirst = credentials(Duration.ofHours(1)).toJson().replace("2030-01-01T01:00:00Z", "2029-01-01T00:00:00Z");
    assertThatThrownBy(() -> MemberCredentials.fromJson(expiresFirst))
        .isInstanceOf(InvalidValueException.class).hasMessageStartingWith("expiresAt");

    String badCa = credentials(Duration.ofHours(1)).toJson().replace(CA, "not base64!");
    assertThatThrownBy(() -> MemberCredentials.fromJson(badCa))
        .isInstanceOf(InvalidValueException.class).hasMessageStartingWith("certificateAuthorityData");
  }

  @Test
  void unparseableJsonDoesNotEchoTheToken() {
    String broken = "{\"token\":\"" + TOKEN + "\", oops";
    assertThatThrownBy(() -> MemberCredentials.fromJson(broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining(TOKEN);
  }

  @Test
  void renewalIsDueWhenLessThanAThirdOfTheLifetimeIsLeft() {
    MemberCredentials oneHour = credentials(Duration.ofHours(1));
    assertThat(MemberTokens.needsRenewal(oneHour, at(ISSUED))).isFalse();
    assertThat(MemberTokens.needsRenewal(oneHour, at(ISSUED.plus(Duration.ofMinutes(40))))).as("exactly 1/3 left")
        .isFalse();
    assertThat(MemberTokens.needsRenewal(oneHour, at(ISSUED.plus(Duration.ofMinutes(40)).plusSeconds(1)))).isTrue();
    assertThat(MemberTokens.needsRenewal(oneHour, at(ISSUED.plus(Duration.ofHours(2))))).as("expired").isTrue();
    assertThat(oneHour.remaining(at(ISSUED.plus(Duration.ofMinutes(15))))).isEqualTo(Duration.ofMinutes(45));
  }

  private static Clock at(Instant instant) {
    return Clock.fixed(instant, ZoneOffset.UTC);
  }
}
