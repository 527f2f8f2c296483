package io.meshfed.controller.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.meshfed.controller.store.EtcdAccess;
import io.meshfed.controller.testing.MeshHarness;
import io.meshfed.controller.testing.RawApi;
import io.meshfed.controller.testing.RawApi.Answer;
import io.meshfed.testkit.etcd.EtcdExtension;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile request bodies against the real controller and etcd: every one is a 4xx with a JSON error
 * that says what is wrong (and names the field where one is known), never a 5xx or a hang; the
 * controller keeps answering and nothing under {@code meshfed/} changes. Deterministic: the cases
 * come from a seeded {@link Random}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DisplayName("Hostile HTTP input: malformed, mistyped, deep, huge, non-UTF-8 and bomb bodies are 4xx and change nothing; join and token rate limits")
class HostileHttpInputTest {
  static final long SEED = 0x5EED_8005L;
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path tmp;
  static MeshHarness mesh;
  static Vertx vertx;
  static HttpClient admin;
  static HttpClient anonymous;
  static Client root;
  static RawApi raw;

  @RegisterExtension
  static EtcdExtension etcd = EtcdExtension.singleNode().withTls(() -> {
    mesh = MeshHarness.prepare(tmp);
    return mesh.etcdTls();
  });

  @BeforeAll
  static void start() throws Exception {
    assertThat(mesh.bootstrap(etcd.endpoints()).exit()).isZero();
    mesh.startController();
    vertx = Vertx.vertx();
    clients();
    root = new EtcdAccess(etcd.endpoints(), mesh.mesh.etcdRoot, mesh.mesh.bundle()).connect();
  }

  static void clients() {
    raw = new RawApi(vertx, mesh);
    admin = raw.admin;
    anonymous = raw.anonymous;
  }

  @AfterAll
  static void stop() throws Exception {
    if (root != null) {
      root.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (mesh != null) {
      mesh.close();
    }
  }

  static Answer send(HttpClient client, HttpMethod method, String path, String contentType, byte[] body) throws Exception {
    return raw.send(client, method, path, contentType, body);
  }

  /** Every key under meshfed/ with its mod revision: equal snapshots mean nothing was written or deleted. */
  static Map<String, Long> meshfedKeys() throws Exception {
    Map<String, Long> out = new TreeMap<>();
    for (KeyValue kv : root.getKVClient().get(ByteSequence.from("meshfed/", StandardCharsets.UTF_8), GetOption.builder().isPrefix(true).build())
        .get(30, TimeUnit.SECONDS).getKvs()) {
      out.put(kv.getKey().toString(StandardCharsets.UTF_8), kv.getModRevision());
    }
    return out;
  }

  /** One hostile request and what must be true of its answer. */
  record Case(String name, HttpClient client, String path, String contentType, byte[] body, String field) {
    @Override
    public String toString() {
      return name + " -> " + path;
    }
  }

  // ---- generators -------------------------------------------------------------------------------

  static final String TOKEN_BODY = "{\"ttl\":\"1h\",\"uses\":2,\"clusterName\":\"c7\",\"description\":\"for c7\"}";
  static final String JOIN_BODY = "{\"clusterName\":\"c7\",\"clusterId\":7,\"labels\":{\"env\":\"test\"},\"kubeSystemUid\":\"u-1\","
      + "\"podCidrs\":[\"10.7.0.0/16\"]}";
  static final String POLICY_BODY = "{\"apiVersion\":\"cilium.io/v2\",\"kind\":\"CiliumNetworkPolicy\","
      + "\"metadata\":{\"name\":\"hostile\",\"namespace\":\"default\"},\"spec\":{\"endpointSelector\":{},\"ingress\":[{}]}}";
  static final String YAML = "application/yaml";

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A valid-looking body cut short: never complete, since the closing brace is always lost. */
  static byte[] truncated(Random rnd, String template) {
    return utf8(template.substring(0, rnd.nextInt(template.length() - 1) + 1));
  }

  static final String[] WRONG = {"true", "[]", "{}", "[1,2]", "{\"a\":1}", "1.5", "null"};

  /** The template with one field's value replaced by a value of the wrong type; returns {body, field}. */
  static String[] wrongType(Random rnd, Map<String, String[]> wrongByField, String template) throws Exception {
    List<String> fields = new ArrayList<>(wrongByField.keySet());
    String field = fields.get(rnd.nextInt(fields.size()));
    String[] choices = wrongByField.get(field);
    String value = choices[rnd.nextInt(choices.length)];
    var node = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(template);
    node.set(field, JSON.readTree(value));
    return new String[] {JSON.writeValueAsString(node), field};
  }

  static String deep(Random rnd, boolean objects) {
    int depth = new int[] {1_001, 5_000, 10_000, 100_000}[rnd.nextInt(4)];
    StringBuilder sb = new StringBuilder(depth * 6);
    for (int i = 0; i < depth; i++) {
      sb.append(objects ? "{\"a\":" : "[");
    }
    sb.append("1");
    for (int i = 0; i < depth; i++) {
      sb.append(objects ? "}" : "]");
    }
    return sb.toString();
  }

  static final byte[][] BAD_UTF8 = {
      {(byte) 0xFF}, {(byte) 0xC3, 0x28}, {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
      {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}};

  /** The template with a bad UTF-8 sequence inside its first string value. */
  static byte[] badUtf8(Random rnd, String template) {
    int at = template.indexOf(':') + 2;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(utf8(template.substring(0, at)));
    out.writeBytes(BAD_UTF8[rnd.nextInt(BAD_UTF8.length)]);
    out.writeBytes(utf8(template.substring(at)));
    return out.toByteArray();
  }

  static String billionLaughs(int levels) {
    StringBuilder sb = new StringBuilder("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (int i = 1; i <= levels; i++) {
      sb.append('a').append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 9; j++) {
        sb.append(j == 0 ? "" : ",").append("*a").append(i - 1);
      }
      sb.append("]\n");
    }
    return sb.toString();
  }

  static List<Case> cases() throws Exception {
    Random rnd = new Random(SEED);
    List<Case> out = new ArrayList<>();
    Map<String, String[]> tokenWrong = Map.of(
        "ttl", new String[] {"5", "true", "[]", "{}", "1.5", "\"forever\"", "\"99999999999999999999d\"", "\"" + "9".repeat(5000) + "h\""},
        "uses", new String[] {"\"3\"", "\"x\"", "true", "[]", "{}", "1.5", "0", "-1", "99999999999", "1e400"},
        "clusterName", new String[] {"5", "true", "[]", "{}", "\"Prod_1\"", "\"" + "a".repeat(100_000) + "\""},
        "description", new String[] {"5", "false", "[]", "{}", "\"a\\u0000b\"", "\"line\\nbreak\"", "\"" + "d".repeat(500_000) + "\""});
    Map<String, String[]> joinWrong = Map.of(
        "clusterName", new String[] {"5", "true", "[]", "{}"},
        "clusterId", new String[] {"\"7\"", "\"x\"", "true", "[]", "{}", "1.5", "99999999999"},
        "labels", new String[] {"5", "\"x\"", "[]", "{\"a\":{}}", "{\"a\":[1]}", "{\"a\":5}"},
        "podCidrs", new String[] {"5", "\"x\"", "{}", "[{}]", "[[1]]"},
        "bogus", new String[] {"1", "\"x\""});
    Map<String, String[]> policyWrong = Map.of(
        "apiVersion", new String[] {"5", "[]", "{}", "\"cilium.io/v999\""},
        "kind", new String[] {"5", "[]", "\"Pod\"", "\"\""},
        "metadata", new String[] {"5", "\"x\"", "[]", "{}", "{\"name\":5}", "{\"name\":\"Bad_Name\",\"namespace\":\"default\"}"},
        "spec", new String[] {"5", "\"x\"", "[]", "{\"endpointSelector\":5}"});
    for (int i = 0; i < 300; i++) {
      int family = i % 10;
      int route = (i / 10) % 3;
      String path = new String[] {"/api/v1/tokens", "/api/v1/join/preflight", "/api/v1/policies"}[route];
      HttpClient client = route == 1 ? anonymous : admin;
      String template = new String[] {TOKEN_BODY, JOIN_BODY, POLICY_BODY}[route];
      String type = route == 2 && rnd.nextBoolean() ? YAML : "application/json";
      switch (family) {
        case 0 -> out.add(new Case("truncated", client, path, type, truncated(rnd, template), null));
        case 1, 2 -> {
          String[] w = wrongType(rnd, route == 0 ? tokenWrong : route == 1 ? joinWrong : policyWrong, template);
          // A policy's findings may name a deeper path (metadata.name); the route answers with a field either way.
          out.add(new Case("wrong type of " + w[1], client, path, type, utf8(w[0]), route == 2 ? "" : w[1]));
        }
        case 3 -> out.add(new Case("deep nesting (body)", client, path, type, utf8(deep(rnd, rnd.nextBoolean())), null));
        case 4 -> {
          String field = route == 0 ? "description" : route == 1 ? "labels" : "spec";
          out.add(new Case("deep nesting (" + field + ")", client, path, type,
              utf8(template.replaceFirst("\\{", "{\"" + field + "\":" + deep(rnd, rnd.nextBoolean()) + ",")
                  .replaceFirst(",\"" + field + "\":\"[^\"]*\"", "")), null));
        }
        case 5 -> out.add(new Case("invalid UTF-8", client, path, type, badUtf8(rnd, template), "body"));
        case 6 -> {
          byte[] b = utf8(template);
          b[rnd.nextInt(b.length)] = 0;
          out.add(new Case("raw NUL byte", client, path, type, b, null));
        }
        case 7 -> out.add(new Case("random bytes", client, path, type, randomBytes(rnd), null));
        case 8 -> out.add(new Case("trailing garbage / duplicate document", client, path, type,
            utf8(template + (rnd.nextBoolean() ? " }" : template.substring(0, 5))), null));
        default -> out.add(new Case("huge string", client, path, type,
            utf8(template.replaceFirst(":\"[^\"]*\"", ":\"" + "x".repeat(200_000 + rnd.nextInt(700_000)) + "")), null));
      }
    }
    // YAML bombs and tags on the policy route.
    out.add(new Case("billion laughs", admin, "/api/v1/policies", YAML, utf8(billionLaughs(9)), "body"));
    out.add(new Case("billion laughs (flow)", admin, "/api/v1/policies", YAML,
        utf8("a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
            + "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"), null));
    out.add(new Case("YAML deep nesting", admin, "/api/v1/policies", YAML, utf8("a:" + " [".repeat(5000) + "]".repeat(5000)), "body"));
    out.add(new Case("YAML Java tag", admin, "/api/v1/policies", YAML,
        utf8("!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x\"]]]]"), null));
    out.add(new Case("YAML recursive alias", admin, "/api/v1/policies", YAML, utf8("&a [*a]"), null));
    out.add(new Case("policy documents JSON, deep", admin, "/api/v1/policies", PolicyRoutes.SOURCES,
        utf8("{\"documents\":[{\"origin\":\"x\",\"document\":" + deep(rnd, false) + "}]}"), null));
    out.add(new Case("policy documents, wrong shape", admin, "/api/v1/policies", PolicyRoutes.SOURCES,
        utf8("{\"documents\":{\"origin\":1}}"), "documents"));
    // Over the body limit.
    for (String path : new String[] {"/api/v1/tokens", "/api/v1/join/preflight", "/api/v1/join", "/api/v1/policies"}) {
      byte[] big = new byte[(int) ApiServer.BODY_LIMIT + 1 + rnd.nextInt(1024)];
      java.util.Arrays.fill(big, (byte) ' ');
      out.add(new Case("over the body limit", path.contains("join") ? anonymous : admin, path, "application/json", big, "body"));
    }
    // No body, and an empty object where fields are required.
    out.add(new Case("no body", admin, "/api/v1/tokens", "application/json", null, "body"));
    out.add(new Case("JSON null", anonymous, "/api/v1/join/preflight", "application/json", utf8("null"), "body"));
    out.add(new Case("no body", admin, "/api/v1/policies", YAML, null, "body"));
    return out;
  }

  /**
   * The error names the field: the same one, one inside it (labels.a), or the same one as the CLI
   * spells it (cluster-name for clusterName); an empty expectation asks for any field at all.
   */
  static boolean namesField(String actual, String expected) {
    if (expected.isEmpty()) {
      return !actual.isBlank();
    }
    String a = actual.replace("-", "").toLowerCase(java.util.Locale.ROOT);
    String e = expected.toLowerCase(java.util.Locale.ROOT);
    return a.equals(e) || a.startsWith(e + ".") || a.startsWith(e + "[");
  }

  static byte[] randomBytes(Random rnd) {
    byte[] b = new byte[1 + rnd.nextInt(4096)];
    rnd.nextBytes(b);
    return b;
  }

  @Test
  @Order(1)
  @DisplayName("a few hundred hostile bodies on tokens, join preflight and policies: each a 4xx JSON error with a message (and the field), nothing stored, /livez still answers")
  void hostileBodies() throws Exception {
    Map<String, Long> before = meshfedKeys();
    List<String> problems = new ArrayList<>();
    List<Case> cases = cases();
    assertThat(cases).hasSizeGreaterThan(300);
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      Answer a;
      try {
        a = send(c.client(), HttpMethod.POST, c.path(), c.contentType(), c.body());
      } catch (Exception e) {
        problems.add("#" + i + " " + c + " (" + (c.body() == null ? 0 : c.body().length) + " bytes): no answer: " + e);
        continue;
      }
      statuses.merge(a.status(), 1, Integer::sum);
      if (a.status() < 400 || a.status() >= 500) {
        problems.add(c + ": HTTP " + a.status() + " " + a.brief());
        continue;
      }
      JsonNode err = a.json();
      if (err.path("message").asText().isBlank() || err.path("code").asText().isBlank()) {
        problems.add(c + ": error without code or message: " + a.body());
      }
      if (c.field() != null && !namesField(err.path("field").asText(), c.field())) {
        problems.add(c + ": field should be " + (c.field().isEmpty() ? "named" : c.field()) + ": " + a.brief());
      }
    }
    assertThat(problems).as("cases that were not a clear 4xx (statuses seen: %s)", statuses).isEmpty();
    assertThat(send(anonymous, HttpMethod.GET, "/livez", null, null).status()).isEqualTo(200);
    assertThat(meshfedKeys()).as("nothing under meshfed/ written or deleted").isEqualTo(before);
  }

  @Test
  @Order(2)
  @DisplayName("a well-formed request still works after the barrage (the fuzz bodies were refused for what they are, not for the route)")
  void validRequestStillWorks() throws Exception {
    Answer a = send(admin, HttpMethod.POST, "/api/v1/tokens", "application/json", utf8(TOKEN_BODY));
    assertThat(a.status()).as(a.body()).isEqualTo(201);
    assertThat(a.json().path("clusterName").asText()).isEqualTo("c7");
  }

  @Test
  @Order(3)
  @DisplayName("rate limits: join and preflight per IP (burst 5), tokens per admin certificate; over the limit a 429 with Retry-After naming the limit")
  void rateLimits() throws Exception {
    mesh.stopController();
    mesh.startController(Map.of("MESHFED_JOIN_RATE_PER_MINUTE", "10", "MESHFED_TOKEN_RATE_PER_MINUTE", "4"));
    clients();
    for (String path : new String[] {"/api/v1/join/preflight", "/api/v1/join"}) {
      for (int i = 0; i < 5; i++) {
        // Without a bearer token: a 401 that still counts against the limit.
        assertThat(send(anonymous, HttpMethod.POST, path, "application/json", utf8(JOIN_BODY)).status()).as(path + " request " + i).isEqualTo(401);
      }
      Answer limited = send(anonymous, HttpMethod.POST, path, "application/json", utf8(JOIN_BODY));
      assertThat(limited.status()).as(limited.body()).isEqualTo(429);
      long retryAfter = Long.parseLong(limited.headers().get("Retry-After"));
      assertThat(retryAfter).isBetween(1L, 6L);
      JsonNode err = limited.json();
      assertThat(err.path("code").asText()).isEqualTo("TooManyRequests");
      assertThat(err.path("field").asText()).isEqualTo("rate");
      assertThat(err.path("message").asText()).contains("limit 10 per minute for POST " + path).contains("retry after " + retryAfter + " s");
    }
    // Tokens: 4 a minute, burst 2, per admin certificate.
    assertThat(send(admin, HttpMethod.POST, "/api/v1/tokens", "application/json", utf8("{}")).status()).isEqualTo(201);
    assertThat(send(admin, HttpMethod.POST, "/api/v1/tokens", "application/json", utf8("{\"uses\":\"x\"}")).status()).isEqualTo(400);
    Answer limited = send(admin, HttpMethod.POST, "/api/v1/tokens", "application/json", utf8("{}"));
    assertThat(limited.status()).as(limited.body()).isEqualTo(429);
    assertThat(limited.headers().get("Retry-After")).isNotBlank();
    assertThat(limited.json().path("message").asText()).contains("limit 4 per minute for POST /api/v1/tokens");
    // Reading is not limited, and the controller answers the rest.
    assertThat(send(admin, HttpMethod.GET, "/api/v1/tokens", null, null).status()).isEqualTo(200);
    assertThat(send(anonymous, HttpMethod.GET, "/livez", null, null).status()).isEqualTo(200);
  }
}
