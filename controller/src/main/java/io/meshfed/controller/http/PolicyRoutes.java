package io.meshfed.controller.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshfed.controller.policy.PolicyRejected;
import io.meshfed.controller.policy.PolicyService;
import io.meshfed.controller.policy.ValidationGate;
import io.meshfed.controller.policy.validation.PolicyReadException;
import io.meshfed.controller.policy.validation.PolicySource;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The policy routes of the HTTPS API (admin certificate on every one, like the other admin routes;
 * etcd work on the worker pool).
 *
 * <pre>
 * POST   /api/v1/policies[?dryRun=true]   apply (or diff) YAML/JSON text, one or many documents;
 *                                         or, with Content-Type {@value #SOURCES}, {"documents":[{"origin","document"}]}
 * GET    /api/v1/policies[?name=&amp;namespace=&amp;kind=]
 * GET    /api/v1/policies/{ref}[?kind=]   ref: NAME, NAMESPACE%2FNAME or KIND%2FNAMESPACE%2FNAME
 * DELETE /api/v1/policies/{ref}[?kind=]
 * GET    /api/v1/policies/{ref}/status[?kind=]
 * GET    /api/v1/policies/{ref}/events[?kind=]
 * GET    /api/v1/policy-status
 * </pre>
 */
final class PolicyRoutes {
  /** Documents already read (with their origins), as the CLI sends them. */
  static final String SOURCES = "application/vnd.meshfed.policy-documents+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ApiServer api;
  private final PolicyService policies;

  PolicyRoutes(ApiServer api, PolicyService policies) {
    this.api = api;
    this.policies = policies;
  }

  void register(Router r) {
    r.post("/api/v1/policies").handler(ctx -> {
      api.admin(ctx);
      boolean dryRun = "true".equals(ctx.queryParams().get("dryRun"));
      String contentType = ctx.request().getHeader("Content-Type");
      String body = ctx.body() == null || ctx.body().buffer() == null ? "" : JsonBodies.utf8(ctx.body().buffer().getBytes());
      api.blocking(ctx, 200, () -> {
        List<PolicySource> sources = sources(contentType, body);
        return dryRun ? policies.diff(sources) : policies.apply(sources);
      });
    });
    r.get("/api/v1/policies").handler(ctx -> {
      api.admin(ctx);
      String name = ctx.queryParams().get("name");
      String namespace = ctx.queryParams().get("namespace");
      String kind = ctx.queryParams().get("kind");
      api.blocking(ctx, 200, () -> Map.of("policies", policies.list(name, namespace, kind)));
    });
    r.get("/api/v1/policy-status").handler(ctx -> {
      api.admin(ctx);
      api.blocking(ctx, 200, () -> Map.of("policies", policies.statusAll()));
    });
    r.get("/api/v1/policies/:ref/status").handler(ctx -> {
      api.admin(ctx);
      String ref = ctx.pathParam("ref");
      String kind = ctx.queryParams().get("kind");
      api.blocking(ctx, 200, () -> policies.status(ref, kind));
    });
    r.get("/api/v1/policies/:ref/events").handler(ctx -> {
      api.admin(ctx);
      String ref = ctx.pathParam("ref");
      String kind = ctx.queryParams().get("kind");
      api.blocking(ctx, 200, () -> policies.events(ref, kind));
    });
    r.get("/api/v1/policies/:ref").handler(ctx -> {
      api.admin(ctx);
      String ref = ctx.pathParam("ref");
      String kind = ctx.queryParams().get("kind");
      api.blocking(ctx, 200, () -> policies.get(ref, kind));
    });
    r.delete("/api/v1/policies/:ref").handler(ctx -> {
      api.admin(ctx);
      String ref = ctx.pathParam("ref");
      String kind = ctx.queryParams().get("kind");
      api.blocking(ctx, 200, () -> policies.delete(ref, kind));
    });
  }

  /** The documents of a request body. */
  static List<PolicySource> sources(String contentType, String body) {
    if (body.isBlank()) {
      throw ApiException.badRequest("body", "policy documents (YAML or JSON) are required");
    }
    if (contentType != null && contentType.startsWith(SOURCES)) {
      JsonNode root;
      try {
        root = JSON.readTree(body);
      } catch (IOException e) {
        throw ApiException.badRequest("body", "malformed JSON: " + e.getMessage());
      }
      JsonNode docs = root == null ? null : root.get("documents");
      if (docs == null || !docs.isArray()) {
        throw ApiException.badRequest("documents", "a list of {origin, document} is required");
      }
      List<PolicySource> out = new ArrayList<>();
      for (int i = 0; i < docs.size(); i++) {
        JsonNode d = docs.get(i);
        if (!d.path("origin").isTextual() || d.get("document") == null || d.get("document").isNull()) {
          throw ApiException.badRequest("documents[" + i + "]", "needs an origin (text) and a document");
        }
        out.add(new PolicySource(d.get("origin").asText(), d.get("document")));
      }
      return out;
    }
    try {
      return ValidationGate.fromText("body", body);
    } catch (PolicyReadException e) {
      throw ApiException.badRequest("body", e.getMessage());
    }
  }

  /** The 422 answer of a refused apply: every finding with its document's origin. */
  static Map<String, Object> rejection(PolicyRejected p) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("code", "Invalid");
    body.put("message", p.getMessage());
    body.put("field", p.field());
    body.put("findings", p.errors());
    body.put("warnings", p.warnings());
    return body;
  }
}
