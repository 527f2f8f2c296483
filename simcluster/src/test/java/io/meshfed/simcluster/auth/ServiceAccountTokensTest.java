package io.meshfed.simcluster.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Issued ServiceAccount tokens expire, die with their ServiceAccount and need the API audience")
class ServiceAccountTokensTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2025-01-01T00:00:00.700Z"));
  private final ServiceAccountTokens tokens = new ServiceAccountTokens(clock);
  private final Map<String, String> uids = new HashMap<>(Map.of("meshfed/controller", "uid-1"));
  private final ServiceAccountTokens.ServiceAccountLookup lookup = (ns, name) -> uids.get(ns + "/" + name);
  private final List<String> apiAudience = List.of(ServiceAccountTokens.API_AUDIENCE);

  @Test
  @DisplayName("a token is its ServiceAccount's user until its expiry, to the second")
  void expiry() {
    ServiceAccountTokens.Issued issued = tokens.issue("meshfed", "controller", "uid-1", Duration.ofMinutes(10),
        apiAudience);
    assertThat(issued.expiry()).isEqualTo(Instant.parse("2025-01-01T00:10:00Z"));
    assertThat(tokens.authenticate(issued.token(), lookup)).contains(UserInfo.serviceAccount("meshfed", "controller"));
    assertThat(UserInfo.serviceAccount("meshfed", "controller").groups())
        .containsExactly("system:serviceaccounts", "system:serviceaccounts:meshfed", "system:authenticated");
    clock.advance(Duration.ofSeconds(599));
    assertThat(tokens.authenticate(issued.token(), lookup)).as("at 00:09:59.700").isPresent();
    clock.advance(Duration.ofSeconds(1));
    assertThat(tokens.authenticate(issued.token(), lookup)).as("at 00:10:00.700").isEmpty();
  }

  @Test
  @DisplayName("deleting the ServiceAccount, or replacing it with a new one of the same name, revokes its tokens")
  void boundToServiceAccountUid() {
    String token = tokens.issue("meshfed", "controller", "uid-1", Duration.ofHours(1), apiAudience).token();
    uids.put("meshfed/controller", "uid-2");
    assertThat(tokens.authenticate(token, lookup)).isEmpty();
    uids.put("meshfed/controller", "uid-1");
    assertThat(tokens.authenticate(token, lookup)).as("forgotten once refused").isEmpty();

    String second = tokens.issue("meshfed", "controller", "uid-1", Duration.ofHours(1), apiAudience).token();
    uids.remove("meshfed/controller");
    assertThat(tokens.authenticate(second, lookup)).isEmpty();
  }

  @Test
  @DisplayName("expireAll ends every live token now and counts them; new tokens work again")
  void expireAll() {
    String first = tokens.issue("meshfed", "controller", "uid-1", Duration.ofHours(1), apiAudience).token();
    String second = tokens.issue("meshfed", "controller", "uid-1", Duration.ofHours(1), apiAudience).token();
    assertThat(tokens.expireAll()).isEqualTo(2);
    assertThat(tokens.authenticate(first, lookup)).isEmpty();
    assertThat(tokens.authenticate(second, lookup)).isEmpty();
    assertThat(tokens.expireAll()).isZero();
    String renewed = tokens.issue("meshfed", "controller", "uid-1", Duration.ofHours(1), apiAudience).token();
    assertThat(tokens.authenticate(renewed, lookup)).isPresent();
  }

  @Test
  @DisplayName("a token for another audience does not authenticate to the API server; unknown tokens neither")
  void audienceAndUnknown() {
    String vault = tokens.issue("meshfed", "controller", "uid-1", Duration.ofHours(1), List.of("vault")).token();
    assertThat(tokens.authenticate(vault, lookup)).isEmpty();
    assertThat(tokens.authenticate("made-up", lookup)).isEmpty();
  }
}
