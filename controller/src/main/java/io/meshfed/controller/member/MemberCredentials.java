package io.meshfed.controller.member;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.meshfed.api.cluster.InvalidValueException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * How the controller reaches a member as its own ServiceAccount: the API server, the CA that
 * signs the API server's certificate, and a short-lived ServiceAccount token from the TokenRequest
 * API. Stored (encrypted, by the store) as the JSON of {@link #toJson()}.
 *
 * @param server                   the API server URL, e.g. {@code https://10.0.0.1:6443}
 * @param certificateAuthorityData base64 of the PEM CA bundle for the API server, or null (plain
 *                                 http, or a server whose certificate the system trust store verifies)
 * @param token                    the bearer token; never printed (see {@link #toString()})
 * @param issuedAt                 when the token was requested (the start of its lifetime)
 * @param expiresAt                when the API server stops accepting it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record MemberCredentials(String server, String certificateAuthorityData, String token, Instant issuedAt,
    Instant expiresAt) {

  private static final ObjectMapper JSON = new ObjectMapper()
      .registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Checks every field; errors name it as it is spelled in the JSON. */
  public MemberCredentials {
    require(server != null && !server.isBlank(), "server", server, "must be the member's API server URL");
    require(token != null && !token.isBlank(), "token", null, "must not be empty");
    require(issuedAt != null, "issuedAt", null, "must be the time the token was issued");
    require(expiresAt != null, "expiresAt", null, "must be the time the token expires");
    require(expiresAt.isAfter(issuedAt), "expiresAt", expiresAt.toString(), "must be after issuedAt " + issuedAt);
    if (certificateAuthorityData != null) {
      try {
        Base64.getDecoder().decode(certificateAuthorityData);
      } catch (IllegalArgumentException e) {
        throw new InvalidValueException("certificateAuthorityData", null, "must be base64 (" + e.getMessage() + ")");
      }
    }
  }

  /** Reads what {@link #toJson()} wrote. */
  public static MemberCredentials fromJson(String json) {
    Objects.requireNonNull(json, "json");
    try {
      return JSON.readValue(json, MemberCredentials.class);
    } catch (ValueInstantiationException e) {
      if (e.getCause() instanceof InvalidValueException invalid) {
        throw invalid;
      }
      throw new IllegalArgumentException("stored member credentials are not valid: " + e.getOriginalMessage(), e);
    } catch (JsonProcessingException e) {
      // The original message quotes the input, which holds the token: keep only the location.
      throw new IllegalArgumentException("stored member credentials are not valid JSON of MemberCredentials"
          + " (at " + e.getLocation() + ")");
    }
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write member credentials as JSON", e);
    }
  }

  /** The same server and CA with a new token. */
  public MemberCredentials withToken(String newToken, Instant newIssuedAt, Instant newExpiresAt) {
    return new MemberCredentials(server, certificateAuthorityData, newToken, newIssuedAt, newExpiresAt);
  }

  /** How long the token was issued for. */
  public Duration lifetime() {
    return Duration.between(issuedAt, expiresAt);
  }

  /** How long the token is still valid at {@code clock}'s now (negative once expired). */
  public Duration remaining(Clock clock) {
    return Duration.between(clock.instant(), expiresAt);
  }

  /** Everything but the token, which must never reach a log. */
  @Override
  public String toString() {
    return "MemberCredentials[server=" + server + ", certificateAuthorityData="
        + (certificateAuthorityData == null ? "none" : certificateAuthorityData.length() + " chars")
        + ", token=(redacted), issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + "]";
  }

  private static void require(boolean ok, String field, String value, String rule) {
    if (!ok) {
      throw new InvalidValueException(field, value, rule);
    }
  }
}
