package io.meshfed.controller.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code meshfed ca} commands end to end, in-process, with their exit codes. */
class CaCliTest {
  private static final String PASSPHRASE = "a long enough test passphrase";
  @TempDir Path tmp;
  private final CliRunner cli = new CliRunner(Map.of("MESHFED_CA_PASSPHRASE", PASSPHRASE));

  private String ca() {
    return tmp.resolve("ca").toString();
  }

  private void initWithChain() {
    assertThat(cli.run("ca", "init", "--dir", ca(), "--mesh", "prod").exit()).isZero();
    assertThat(cli.run("ca", "issue", "--dir", ca(), "--intermediate", "c1").exit()).isZero();
    CliRunner.Result server = cli.run("ca", "issue", "--dir", ca(), "--server", "--dns", "localhost", "--ip", "127.0.0.1", "--issuer", "c1", "--out", tmp.resolve("server").toString());
    assertThat(server.exit()).as(server.toString()).isZero();
    assertThat(cli.run("ca", "issue", "--dir", ca(), "--client", "--cn", "agent.c1", "--issuer", "c1", "--out", tmp.resolve("agent").toString()).exit()).isZero();
  }

  @Test
  @DisplayName("init, issue intermediate/server/client, inspect as JSON, verify: the whole chain, exit 0")
  void fullChain() throws Exception {
    initWithChain();
    CliRunner.Result inspect = cli.run("ca", "inspect", tmp.resolve("server.crt").toString(), "-o", "json");
    assertThat(inspect.exit()).isZero();
    JsonNode json = new ObjectMapper().readTree(inspect.out());
    assertThat(json.isArray()).isTrue();
    JsonNode leaf = json.get(0);
    assertThat(leaf.get("subject").asText()).contains("CN=localhost");
    assertThat(leaf.get("dnsNames").get(0).asText()).isEqualTo("localhost");
    assertThat(leaf.get("ipAddresses").get(0).asText()).isEqualTo("127.0.0.1");
    assertThat(leaf.get("extendedKeyUsages").get(0).asText()).isEqualTo("serverAuth");
    assertThat(leaf.get("sha256Fingerprint").asText()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
    assertThat(leaf.get("daysLeft").asLong()).isBetween(363L, 365L);
    assertThat(json.get(1).get("subject").asText()).contains("meshfed cluster c1 ca 1");

    CliRunner.Result yaml = cli.run("ca", "inspect", tmp.resolve("agent.crt").toString(), "-o", "yaml");
    assertThat(yaml.out()).contains("subject: \"CN=agent.c1,O=meshfed\"");

    CliRunner.Result verify = cli.run("ca", "verify", "--bundle", ca() + "/bundle.pem", tmp.resolve("server.crt").toString());
    assertThat(verify.exit()).as(verify.toString()).isZero();
    assertThat(verify.out()).startsWith("OK: CN=localhost");
    assertThat(Files.readString(tmp.resolve("server.key"))).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
  }

  @Test
  @DisplayName("verify against another mesh's bundle fails with exit 1 and the reason on stderr")
  void verifyForeignFails() {
    initWithChain();
    Path other = tmp.resolve("other");
    assertThat(cli.run("ca", "init", "--dir", other.toString(), "--mesh", "other").exit()).isZero();
    CliRunner.Result r = cli.run("ca", "verify", "--bundle", other + "/bundle.pem", tmp.resolve("server.crt").toString());
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.err()).contains("does not verify against");
  }

  @Test
  @DisplayName("init into a directory holding a CA is refused (exit 1, nothing overwritten); --force keeps a backup")
  void initRefusesExisting() throws Exception {
    assertThat(cli.run("ca", "init", "--dir", ca(), "--mesh", "prod").exit()).isZero();
    byte[] before = Files.readAllBytes(tmp.resolve("ca/root/ca.crt"));
    CliRunner.Result again = cli.run("ca", "init", "--dir", ca(), "--mesh", "prod");
    assertThat(again.exit()).isEqualTo(1);
    assertThat(again.err()).contains("already holds a CA").contains("--force");
    assertThat(Files.readAllBytes(tmp.resolve("ca/root/ca.crt"))).isEqualTo(before);

    CliRunner.Result forced = cli.run("ca", "init", "--dir", ca(), "--mesh", "prod", "--force");
    assertThat(forced.exit()).isZero();
    assertThat(forced.out()).contains("previous CA moved to");
    try (var siblings = Files.list(tmp)) {
      Path backup = siblings.filter(p -> p.getFileName().toString().startsWith("ca.backup-")).findFirst().orElseThrow();
      assertThat(Files.readAllBytes(backup.resolve("root/ca.crt"))).isEqualTo(before);
    }
  }

  @Test
  @DisplayName("bad input: each refused with a message naming the input, exit 2 for usage and 1 for refusals, nothing written")
  void badInput() throws Exception {
    CliRunner.Result keyType = cli.run("ca", "init", "--dir", ca(), "--mesh", "prod", "--key-type", "rsa-1024");
    assertThat(keyType.exit()).isEqualTo(2);
    assertThat(keyType.err()).contains("--key-type").contains("ec-p256, ec-p384, rsa-3072");
    assertThat(tmp.resolve("ca")).doesNotExist();

    CliRunner.Result noPass = new CliRunner(Map.of()).run("ca", "init", "--dir", ca(), "--mesh", "prod");
    assertThat(noPass.exit()).isEqualTo(1);
    assertThat(noPass.err()).contains("MESHFED_CA_PASSPHRASE");

    assertThat(cli.run("ca", "init", "--dir", ca(), "--mesh", "Prod_1").err()).contains("mesh");
    assertThat(cli.run("ca", "issue", "--bogus").exit()).isEqualTo(2);

    initWithChain();
    byte[] store = Files.readAllBytes(tmp.resolve("ca/bundle.pem"));
    CliRunner.Result wrongPass = new CliRunner(Map.of("MESHFED_CA_PASSPHRASE", "definitely the wrong one")).run("ca", "issue", "--dir", ca(), "--client", "--cn", "x", "--out", tmp.resolve("x").toString());
    assertThat(wrongPass.exit()).isEqualTo(1);
    assertThat(wrongPass.err()).contains("wrong passphrase");

    CliRunner.Result badDns = cli.run("ca", "issue", "--dir", ca(), "--server", "--dns", "bad_name", "--out", tmp.resolve("bad").toString());
    assertThat(badDns.exit()).isEqualTo(1);
    assertThat(badDns.err()).contains("dns: invalid DNS name \"bad_name\"");

    CliRunner.Result badIp = cli.run("ca", "issue", "--dir", ca(), "--server", "--ip", "300.1.1.1", "--out", tmp.resolve("bad").toString());
    assertThat(badIp.exit()).isEqualTo(2);
    assertThat(badIp.err()).contains("--ip");

    CliRunner.Result noSans = cli.run("ca", "issue", "--dir", ca(), "--server", "--out", tmp.resolve("bad").toString());
    assertThat(noSans.exit()).isEqualTo(2);

    CliRunner.Result tooLong = cli.run("ca", "issue", "--dir", ca(), "--client", "--cn", "x", "--issuer", "c1", "--validity-days", "5000", "--out", tmp.resolve("bad").toString());
    assertThat(tooLong.exit()).isEqualTo(1);
    assertThat(tooLong.err()).contains("may not outlive its issuer");

    Path corrupt = tmp.resolve("corrupt.crt");
    String pem = Files.readString(tmp.resolve("server.crt"));
    Files.writeString(corrupt, pem.substring(0, pem.length() / 3));
    CliRunner.Result inspect = cli.run("ca", "inspect", corrupt.toString());
    assertThat(inspect.exit()).isEqualTo(1);
    assertThat(inspect.err()).contains(corrupt.toString());

    assertThat(Files.readAllBytes(tmp.resolve("ca/bundle.pem"))).isEqualTo(store);
    assertThat(tmp.resolve("bad.crt")).doesNotExist();
  }

  @Test
  @DisplayName("rotate: --dry-run prints the plan and changes nothing; --force-replace-key keeps both roots; --finish-rollout prunes the old one")
  void rotate() throws Exception {
    initWithChain();
    String oldServer = Files.readString(tmp.resolve("server.crt"));
    Files.writeString(tmp.resolve("old-server.crt"), oldServer);
    byte[] bundleBefore = Files.readAllBytes(tmp.resolve("ca/bundle.pem"));

    CliRunner.Result dry = cli.run("ca", "rotate", "--dir", ca(), "--force-replace-key", "--dry-run");
    assertThat(dry.exit()).isZero();
    assertThat(dry.out()).contains("root v1: REPLACE_KEY").contains("intermediate c1: REPLACE_KEY").contains("dry run: nothing changed");
    assertThat(Files.readAllBytes(tmp.resolve("ca/bundle.pem"))).isEqualTo(bundleBefore);

    CliRunner.Result replace = cli.run("ca", "rotate", "--dir", ca(), "--force-replace-key");
    assertThat(replace.exit()).as(replace.toString()).isZero();
    assertThat(replace.out()).contains("done: root v2, bundle holds 2 root(s)");
    assertThat(Files.readString(tmp.resolve("server.crt"))).isNotEqualTo(oldServer);
    String bundle = ca() + "/bundle.pem";
    assertThat(cli.run("ca", "verify", "--bundle", bundle, tmp.resolve("old-server.crt").toString()).exit()).isZero();
    assertThat(cli.run("ca", "verify", "--bundle", bundle, tmp.resolve("server.crt").toString()).out()).contains("chains to CN=meshfed root prod v2");

    CliRunner.Result finish = cli.run("ca", "rotate", "--dir", ca(), "--finish-rollout");
    assertThat(finish.exit()).isZero();
    assertThat(finish.out()).contains("bundle: prune CN=meshfed root prod v1");
    assertThat(cli.run("ca", "verify", "--bundle", bundle, tmp.resolve("old-server.crt").toString()).exit()).isEqualTo(1);
    assertThat(cli.run("ca", "verify", "--bundle", bundle, tmp.resolve("server.crt").toString()).exit()).isZero();

    CliRunner.Result noop = cli.run("ca", "rotate", "--dir", ca());
    assertThat(noop.out()).contains("nothing to do");
  }
}
