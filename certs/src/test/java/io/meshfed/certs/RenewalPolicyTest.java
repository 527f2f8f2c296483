package io.meshfed.certs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RenewalPolicyTest {
  private final RenewalPolicy policy = RenewalPolicy.defaults();
  private final Instant notAfter = Instant.parse("2027-01-31T00:00:00Z");
  private final RenewalPolicy.Force none = RenewalPolicy.Force.NONE;

  @Test
  @DisplayName("outside the 30-day window: NOOP; at the window's edge and inside: RENEW; expired: RENEW")
  void windowDecides() {
    assertThat(policy.decide(notAfter.minus(TestPki.days(31)), notAfter, KeyType.EC_P256, KeyType.EC_P256, none)).isEqualTo(RenewalDecision.NOOP);
    assertThat(policy.decide(notAfter.minus(TestPki.days(30)), notAfter, KeyType.EC_P256, KeyType.EC_P256, none)).isEqualTo(RenewalDecision.RENEW);
    assertThat(policy.decide(notAfter.minus(TestPki.days(1)), notAfter, KeyType.EC_P256, KeyType.EC_P256, none)).isEqualTo(RenewalDecision.RENEW);
    assertThat(policy.decide(notAfter.plus(TestPki.days(1)), notAfter, KeyType.EC_P256, KeyType.EC_P256, none)).isEqualTo(RenewalDecision.RENEW);
  }

  @Test
  @DisplayName("force flags act before the window; replace-key wins over renew; a key type change replaces the key")
  void forceFlags() {
    Instant early = notAfter.minus(TestPki.days(300));
    assertThat(policy.decide(early, notAfter, KeyType.EC_P256, KeyType.EC_P256, new RenewalPolicy.Force(true, false))).isEqualTo(RenewalDecision.RENEW);
    assertThat(policy.decide(early, notAfter, KeyType.EC_P256, KeyType.EC_P256, new RenewalPolicy.Force(true, true))).isEqualTo(RenewalDecision.REPLACE_KEY);
    assertThat(policy.decide(early, notAfter, KeyType.RSA_3072, KeyType.EC_P256, none)).isEqualTo(RenewalDecision.REPLACE_KEY);
  }

  @Test
  @DisplayName("a custom window is honoured")
  void customWindow() {
    RenewalPolicy week = new RenewalPolicy(TestPki.days(7));
    assertThat(week.decide(notAfter.minus(TestPki.days(8)), notAfter, KeyType.EC_P256, KeyType.EC_P256, none)).isEqualTo(RenewalDecision.NOOP);
    assertThat(week.decide(notAfter.minus(TestPki.days(6)), notAfter, KeyType.EC_P256, KeyType.EC_P256, none)).isEqualTo(RenewalDecision.RENEW);
  }
}
