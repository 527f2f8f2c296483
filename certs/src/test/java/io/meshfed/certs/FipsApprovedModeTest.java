package io.meshfed.certs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Approved-only mode must hold for the whole JVM. The decisive checks run in a fresh JVM started
 * the way the launcher starts production ({@code -Dorg.bouncycastle.fips.approved_only=true}), on
 * a thread other than main, so a per-thread setting could not pass by accident.
 */
class FipsApprovedModeTest {

  /** Run in a child JVM: prints one line per probe. */
  public static final class Probe {
    public static void main(String[] args) throws Exception {
      Fips.installAndCheck();
      Thread t = new Thread(() -> {
        System.out.println("approvedOnly=" + CryptoServicesRegistrar.isInApprovedOnlyMode());
        try {
          KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", Fips.PROVIDER);
          g.initialize(new RSAKeyGenParameterSpec(1024, RSAKeyGenParameterSpec.F4));
          g.generateKeyPair();
          System.out.println("rsa1024=allowed");
        } catch (Throwable e) {
          System.out.println("rsa1024=refused " + e.getClass().getSimpleName());
        }
        KeyType.EC_P256.generate(FipsRandom.get());
        System.out.println("ecp256=ok");
      }, "not-main");
      t.start();
      t.join();
    }
  }

  @Test
  @DisplayName("in a JVM started like production, approved-only mode is on for every thread and a 1024-bit RSA key is refused")
  void productionJvmIsApprovedOnly() throws Exception {
    Result r = runProbe(List.of("-D" + Fips.APPROVED_ONLY_PROPERTY + "=true"));
    assertThat(r.exit).as(r.output).isZero();
    assertThat(r.output).contains("approvedOnly=true").contains("rsa1024=refused").contains("ecp256=ok");
  }

  @Test
  @DisplayName("a JVM started without the approved-only property fails the self-check and exits non-zero")
  void selfCheckFailsClosed() throws Exception {
    Result r = runProbe(List.of());
    assertThat(r.exit).isNotZero();
    assertThat(r.output).contains("FIPS self-check failed").contains(Fips.APPROVED_ONLY_PROPERTY);
  }

  @Test
  @DisplayName("this test JVM runs approved-only too (surefire's argLine): a 1024-bit RSA key is refused here")
  void testJvmIsApprovedOnly() {
    Fips.installAndCheck();
    assertThat(CryptoServicesRegistrar.isInApprovedOnlyMode()).isTrue();
    assertThatThrownBy(() -> {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", Fips.PROVIDER);
      g.initialize(new RSAKeyGenParameterSpec(1024, RSAKeyGenParameterSpec.F4));
      g.generateKeyPair();
    }).isNotNull();
  }

  private record Result(int exit, String output) {}

  private static Result runProbe(List<String> jvmFlags) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmFlags);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Probe.class.getName());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return new Result(p.exitValue(), out);
  }
}
