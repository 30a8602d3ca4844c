package io.edgegw.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableBiMap;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.protobuf.Message;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.edgegw.translator.EnvoyJson;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.model.Kind;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only HTTP view for operators, probes and {@code edgegw status}, on the JDK's built-in server (no
 * extra dependency). Every answer is pretty JSON except {@code /metrics} (Prometheus text); unknown
 * paths get a JSON 404, other methods than GET a 405, a foreign {@code Host} a 421 ({@link AdminHosts}:
 * DNS rebinding). Reads only immutable snapshots. Secrets are
 * redacted by {@link EnvoyJson}; nothing here prints key material. See docs/admin.md.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The same names EnvoyJson uses for the resource lists. */
  private static final ImmutableBiMap<String, String> TYPE_NAMES = ImmutableBiMap.of(
      SnapshotVersions.LISTENERS, "listeners",
      SnapshotVersions.ROUTES, "routes",
      SnapshotVersions.CLUSTERS, "clusters",
      SnapshotVersions.ENDPOINTS, "endpoints",
      SnapshotVersions.SECRETS, "secrets",
      SnapshotVersions.SCOPES, "scopes");
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  /** What the admin server shows; each supplier returns an immutable snapshot. */
  public record View(
      Supplier<XdsStatus> envoy,
      Supplier<StatusBoard> statuses,
      Supplier<Optional<SnapshotPublisher.Published>> served,
      Supplier<ImmutableList<VersionRecord>> versions,
      Supplier<String> metrics,
      Supplier<Liveness.Verdict> liveness) {
    /** Always live: for views without a config loop or sources to watch. */
    public View(Supplier<XdsStatus> envoy, Supplier<StatusBoard> statuses,
        Supplier<Optional<SnapshotPublisher.Published>> served, Supplier<ImmutableList<VersionRecord>> versions,
        Supplier<String> metrics) {
      this(envoy, statuses, served, versions, metrics, () -> new Liveness.Verdict(true, ImmutableList.of()));
    }

    public View {
      Objects.requireNonNull(liveness, "liveness");
      Objects.requireNonNull(envoy, "envoy");
      Objects.requireNonNull(statuses, "statuses");
      Objects.requireNonNull(served, "served");
      Objects.requireNonNull(versions, "versions");
      Objects.requireNonNull(metrics, "metrics");
    }
  }

  /** A request the client got wrong: answered 400 with the message. */
  private static final class BadRequest extends RuntimeException {
    BadRequest(String message) {
      super(message);
    }
  }

  private interface Endpoint {
    Response answer(Map<String, String> query);
  }

  private record Response(int status, String contentType, byte[] body) {
    static Response json(int status, JsonNode json) {
      try {
        return new Response(status, "application/json", JSON.writeValueAsBytes(json));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("a JSON tree always serialises", e);
      }
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;

  private AdminServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  public static AdminServer start(HostPort address, View view) throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(address.host(), address.port()), 0);
    } catch (IOException e) {
      throw new IOException("cannot listen for admin on " + address + ": " + e.getMessage(), e);
    }
    server.createContext("/", handler(endpoints(view), new AdminHosts(address.host())));
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "admin-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    AdminServer started = new AdminServer(server, executor);
    log.info("admin listening on {}", new HostPort(address.host(), started.port()));
    return started;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /** {@code listeners}, {@code routes}, ... for an xDS type URL; the URL itself if unknown. */
  static String typeName(String typeUrl) {
    return TYPE_NAMES.getOrDefault(typeUrl, typeUrl);
  }

  private static ImmutableMap<String, Endpoint> endpoints(View view) {
    return ImmutableMap.of(
        "/healthz/ready", query -> ready(view),
        "/healthz/live", query -> live(view),
        "/config_dump", query -> Response.json(200, configDump(view, query)),
        "/resources", query -> Response.json(200, resources(view.statuses().get(), query)),
        "/clients", query -> Response.json(200, clients(view.envoy().get())),
        "/versions", query -> Response.json(200, versions(view.versions().get(), query)),
        "/metrics", query -> new Response(200, PROMETHEUS_TEXT, view.metrics().get().getBytes(StandardCharsets.UTF_8)));
  }

  private static Response ready(View view) {
    XdsStatus envoy = view.envoy().get();
    ObjectNode root = NODES.objectNode();
    root.put("ready", envoy.ready());
    root.put("version", view.served().get().map(SnapshotPublisher.Published::version).orElse(""));
    root.put("envoys", envoy.clients().size());
    return Response.json(envoy.ready() ? 200 : 503, root);
  }

  /** 200 while changes can still be taken in and applied, 503 with the reasons when the process is wedged. */
  private static Response live(View view) {
    Liveness.Verdict verdict = view.liveness().get();
    ObjectNode root = NODES.objectNode();
    root.put("live", verdict.live());
    ArrayNode problems = root.putArray("problems");
    verdict.problems().forEach(problems::add);
    return Response.json(verdict.live() ? 200 : 503, root);
  }

  /**
   * The served snapshot. {@code type} keeps one resource type, {@code name} only resources of that exact
   * name, {@code summary} leaves the resources out (versions and counts only).
   */
  static ObjectNode configDump(View view, Map<String, String> query) {
    Optional<String> type = Optional.ofNullable(query.get("type"));
    if (type.isPresent() && !TYPE_NAMES.containsValue(type.get())) {
      throw new BadRequest("type must be one of " + String.join(", ", TYPE_NAMES.values()) + "; got " + type.get());
    }
    Optional<String> name = Optional.ofNullable(query.get("name"));
    ObjectNode root = NODES.objectNode();
    Optional<SnapshotPublisher.Published> served = view.served().get();
    EnvoyResources resources = served.map(SnapshotPublisher.Published::resources).orElse(EnvoyResources.EMPTY);
    root.put("version", served.map(SnapshotPublisher.Published::version).orElse(""));
    ObjectNode versions = root.putObject("versions");
    served.ifPresent(p -> putByType(versions, p.versions().byTypeUrl()));
    root.putObject("counts")
        .put("listeners", resources.listeners().size())
        .put("routes", resources.routes().size())
        .put("clusters", resources.clusters().size())
        .put("endpoints", resources.endpoints().size())
        .put("secrets", resources.secrets().size())
        .put("scopes", resources.scopes().size());
    if (!query.containsKey("summary")) {
      EnvoyResources shown = name.map(n -> named(resources, n)).orElse(resources);
      ObjectNode all = EnvoyJson.toJson(shown);
      if (!all.has("scopes")) { // EnvoyJson lists scopes only when there are any; the dump always does
        all.putArray("scopes");
      }
      type.ifPresent(t -> all.retain(t));
      root.set("resources", all);
    }
    XdsStatus envoy = view.envoy().get();
    ObjectNode envoyNode = root.putObject("envoy");
    ObjectNode acked = envoyNode.putObject("acked");
    putByType(acked, envoy.ackedVersionByType());
    ArrayNode nacks = envoyNode.putArray("nacks");
    for (XdsStatus.Nack nack : envoy.lastNackByNode().values()) {
      nacks.add(nack(nack).put("node", nack.nodeId()).put("type", typeName(nack.typeUrl())));
    }
    envoyNode.put("streams", envoy.openStreams());
    return root;
  }

  private static EnvoyResources named(EnvoyResources r, String name) {
    return new EnvoyResources(named(r.listeners(), name), named(r.routes(), name), named(r.clusters(), name),
        named(r.endpoints(), name), named(r.secrets(), name), named(r.scopes(), name));
  }

  private static <T extends Message> ImmutableList<T> named(ImmutableList<T> messages, String name) {
    return messages.stream().filter(m -> SnapshotVersions.nameOf(m).equals(name))
        .collect(ImmutableList.toImmutableList());
  }

  /**
   * Every input resource with its status; {@code kind} (case-insensitive), {@code namespace}, {@code
   * name} and {@code status} select. {@code status=rejected} also selects {@code rejected by envoy}.
   * Unreadable documents have no key: they are listed unless kind, namespace or name is given.
   */
  static ObjectNode resources(StatusBoard board, Map<String, String> query) {
    // Any name of a kind (Kind.fromUserName): a plain "Gateway" is Istio's, the Gateway API's is
    // "Gateway.gateway.networking.k8s.io" or "gateways.gateway.networking.k8s.io". An unknown name matches nothing.
    Optional<String> kind = Optional.ofNullable(query.get("kind"));
    Optional<Kind> wanted = kind.flatMap(Kind::fromUserName);
    Optional<String> namespace = Optional.ofNullable(query.get("namespace"));
    Optional<String> name = Optional.ofNullable(query.get("name"));
    Optional<String> status =
        Optional.ofNullable(query.get("status"))
            .map(v -> v.replace('_', ' ').toLowerCase(Locale.ROOT));
    ImmutableList<String> labels = Stream.of(ResourceStatus.State.values()).map(ResourceStatus.State::label)
        .collect(ImmutableList.toImmutableList());
    if (status.isPresent() && !labels.contains(status.get())) {
      throw new BadRequest("status must be one of " + String.join(", ", labels) + "; got " + query.get("status"));
    }
    ObjectNode root = NODES.objectNode();
    ArrayNode list = root.putArray("resources");
    for (ResourceStatus s : board.resources().values()) {
      if (kind.isPresent() && !wanted.equals(Optional.of(s.key().kind()))
          || namespace.isPresent() && !namespace.get().equals(s.key().namespace())
          || name.isPresent() && !name.get().equals(s.key().name())
          || status.isPresent() && !s.state().label().startsWith(status.get())) {
        continue;
      }
      ObjectNode node = list.addObject();
      node.put("kind", s.key().kind().displayName())
          .put("namespace", s.key().namespace())
          .put("name", s.key().name())
          .put("status", s.state().label())
          .put("origin", s.origin());
      s.appliedVersion().ifPresent(v -> node.put("version", v));
      if (s.servingPrevious()) {
        node.put("servingPrevious", true);
      }
      s.reasons().forEach(node.putArray("reasons")::add);
      s.warnings().forEach(node.putArray("warnings")::add);
      s.objectStatus().ifPresent(o -> node.set("objectStatus", o.deepCopy()));
    }
    ArrayNode unreadable = root.putArray("unreadable");
    boolean keyed = kind.isPresent() || namespace.isPresent() || name.isPresent();
    if (!keyed && (status.isEmpty() || status.get().equals("rejected"))) {
      for (Map.Entry<String, String> e : board.unreadable().entrySet()) {
        unreadable.addObject().put("origin", e.getKey()).put("reason", e.getValue());
      }
    }
    return root;
  }

  /** The connected Envoys and, per type, what each last ACKed and NACKed. */
  static ObjectNode clients(XdsStatus status) {
    ObjectNode root = NODES.objectNode();
    ArrayNode list = root.putArray("clients");
    for (XdsStatus.Client client : status.clients()) {
      ObjectNode node = list.addObject();
      node.put("node", client.nodeId()).put("cluster", client.cluster());
      client.streamIds().forEach(node.putArray("streams")::add);
      node.put("connectedSince", client.connectedSince().toString());
      ObjectNode types = node.putObject("types");
      for (String typeUrl : TYPE_NAMES.keySet()) {
        if (!client.acked().containsKey(typeUrl) && !client.nacked().containsKey(typeUrl)) {
          continue;
        }
        ObjectNode type = types.putObject(typeName(typeUrl));
        XdsStatus.Ack ack = client.acked().get(typeUrl);
        if (ack != null) {
          type.putObject("acked").put("version", ack.version()).put("at", ack.at().toString());
        }
        XdsStatus.Nack nack = client.nacked().get(typeUrl);
        if (nack != null) {
          type.set("lastNack", nack(nack));
        }
        type.put("rejecting", client.rejecting().contains(typeUrl));
      }
    }
    return root;
  }

  private static ObjectNode nack(XdsStatus.Nack nack) {
    return NODES.objectNode().put("version", nack.version()).put("message", nack.message())
        .put("at", nack.at().toString());
  }

  /** The last snapshots put into the cache, newest first; {@code limit} keeps the newest N. */
  static ObjectNode versions(ImmutableList<VersionRecord> records, Map<String, String> query) {
    int limit = records.size();
    if (query.containsKey("limit")) {
      try {
        limit = Integer.parseInt(query.get("limit"));
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 0) {
        throw new BadRequest("limit must be a number >= 0; got " + query.get("limit"));
      }
    }
    ObjectNode root = NODES.objectNode();
    ArrayNode list = root.putArray("versions");
    for (VersionRecord r : records.subList(0, Math.min(limit, records.size()))) {
      ObjectNode node = list.addObject();
      node.put("version", r.versions().overall())
          .put("at", r.at().toString())
          .put("cause", r.cause().name().toLowerCase(Locale.ROOT))
          .put("outcome", r.outcome().name().toLowerCase(Locale.ROOT).replace('_', ' '));
      r.rejection().ifPresent(why -> node.put("rejection", why));
      ArrayNode trigger = node.putArray("trigger");
      r.trigger().forEach(trigger::add);
      ObjectNode byType = node.putObject("versions");
      putByType(byType, r.versions().byTypeUrl());
      ObjectNode changes = node.putObject("changes");
      TYPE_NAMES.forEach((typeUrl, typeName) -> {
        VersionRecord.Changes c = r.changes().get(typeUrl);
        if (c != null) {
          ObjectNode change = changes.putObject(typeName);
          c.added().forEach(change.putArray("added")::add);
          c.removed().forEach(change.putArray("removed")::add);
          c.changed().forEach(change.putArray("changed")::add);
        }
      });
    }
    return root;
  }

  /** Per type name, in xDS order (listeners, routes, clusters, endpoints, secrets, scopes). */
  private static void putByType(ObjectNode out, Map<String, String> byTypeUrl) {
    TYPE_NAMES.forEach((typeUrl, typeName) -> {
      if (byTypeUrl.containsKey(typeUrl)) {
        out.put(typeName, byTypeUrl.get(typeUrl));
      }
    });
  }

  /**
   * Dispatches by exact path, after the {@link AdminHosts} check (a foreign Host gets 421); a failure is
   * a 500 and a line in the log, not a dropped socket.
   */
  private static HttpHandler handler(ImmutableMap<String, Endpoint> endpoints, AdminHosts hosts) {
    return exchange -> {
      try {
        String path = exchange.getRequestURI().getPath();
        Endpoint endpoint = endpoints.get(path);
        Optional<AdminHosts.Refusal> refusal = hosts.check(exchange.getProtocol(),
            Optional.ofNullable(exchange.getRequestHeaders().get("Host")).orElse(List.of()),
            exchange.getRequestURI());
        Response response;
        if (refusal.isPresent()) {
          // Not at WARN: a hostile page can send these in a loop.
          log.debug("admin {} refused: {}", path, refusal.get().reason());
          response = Response.json(refusal.get().status(), error(refusal.get().reason()));
        } else if (endpoint == null) {
          response = Response.json(404, error("no such endpoint: " + path)
              .set("endpoints", JSON.valueToTree(endpoints.keySet())));
        } else if (!"GET".equals(exchange.getRequestMethod())) {
          exchange.getResponseHeaders().set("Allow", "GET");
          response = Response.json(405, error("method " + exchange.getRequestMethod() + " not allowed; use GET"));
        } else {
          try {
            response = endpoint.answer(query(exchange.getRequestURI().getRawQuery()));
          } catch (BadRequest e) {
            response = Response.json(400, error(e.getMessage()));
          }
        }
        exchange.getResponseHeaders().set("Content-Type", response.contentType());
        exchange.sendResponseHeaders(response.status(), response.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(response.body());
        }
      } catch (IOException | RuntimeException e) {
        log.warn("admin {} failed: {}", exchange.getRequestURI().getPath(), e.toString());
        if (exchange.getResponseCode() == -1) {
          exchange.sendResponseHeaders(500, -1);
        }
      } finally {
        exchange.close();
      }
    };
  }

  private static ObjectNode error(String message) {
    return NODES.objectNode().put("error", message);
  }

  /** {@code a=1&b&c=x%20y}: the first value of each key; a key without value maps to "". */
  static Map<String, String> query(String rawQuery) {
    Map<String, String> query = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return query;
    }
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      query.putIfAbsent(key, value);
    }
    return query;
  }
}
