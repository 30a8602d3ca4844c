package io.edgegw.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableMap;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.edgegw.translator.EnvoyJson;
import io.edgegw.translator.EnvoyResources;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Read-only HTTP view for operators and probes, on the JDK's built-in server (no extra dependency):
 * {@code /healthz/ready}, {@code /config_dump}, {@code /resources}. Reads only immutable snapshots.
 * Secrets are redacted by the {@link EnvoyRenderer}; nothing here prints key material.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** The same names EnvoyRenderer uses for the resource lists. */
  private static final ImmutableMap<String, String> TYPE_NAMES = ImmutableMap.of(
      SnapshotVersions.LISTENERS, "listeners",
      SnapshotVersions.ROUTES, "routes",
      SnapshotVersions.CLUSTERS, "clusters",
      SnapshotVersions.ENDPOINTS, "endpoints",
      SnapshotVersions.SECRETS, "secrets");

  /** What the admin server shows; each supplier returns an immutable snapshot. */
  public record View(
      Supplier<XdsStatus> envoy,
      Supplier<StatusBoard> statuses,
      Supplier<Optional<SnapshotPublisher.Published>> served) {
    public View {
      Objects.requireNonNull(envoy, "envoy");
      Objects.requireNonNull(statuses, "statuses");
      Objects.requireNonNull(served, "served");
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
    server.createContext("/healthz/ready", get(exchange -> ready(exchange, view)));
    server.createContext("/config_dump", get(exchange -> send(exchange, 200, configDump(view))));
    server.createContext("/resources", get(exchange -> send(exchange, 200, resources(view.statuses().get()))));
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

  static ObjectNode configDump(View view) {
    ObjectNode root = NODES.objectNode();
    Optional<SnapshotPublisher.Published> served = view.served().get();
    root.put("version", served.map(SnapshotPublisher.Published::version).orElse(""));
    ObjectNode versions = root.putObject("versions");
    served.ifPresent(p -> p.versions().byTypeUrl().forEach((type, v) -> versions.put(TYPE_NAMES.getOrDefault(type, type), v)));
    root.set("resources", EnvoyJson.toJson(served.map(SnapshotPublisher.Published::resources).orElse(EnvoyResources.EMPTY)));
    XdsStatus envoy = view.envoy().get();
    ObjectNode envoyNode = root.putObject("envoy");
    ObjectNode acked = envoyNode.putObject("acked");
    envoy.ackedVersionByType().forEach((type, v) -> acked.put(TYPE_NAMES.getOrDefault(type, type), v));
    ArrayNode nacks = envoyNode.putArray("nacks");
    for (XdsStatus.Nack nack : envoy.lastNackByNode().values()) {
      nacks.addObject().put("node", nack.nodeId()).put("type", TYPE_NAMES.getOrDefault(nack.typeUrl(), nack.typeUrl()))
          .put("version", nack.version()).put("message", nack.message());
    }
    envoyNode.put("streams", envoy.openStreams());
    return root;
  }

  static ObjectNode resources(StatusBoard board) {
    ObjectNode root = NODES.objectNode();
    ArrayNode list = root.putArray("resources");
    for (ResourceStatus s : board.resources().values()) {
      ObjectNode node = list.addObject();
      node.put("kind", s.key().kind().kubernetesKind())
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
    }
    ArrayNode unreadable = root.putArray("unreadable");
    for (Map.Entry<String, String> e : board.unreadable().entrySet()) {
      unreadable.addObject().put("origin", e.getKey()).put("reason", e.getValue());
    }
    return root;
  }

  private static void ready(HttpExchange exchange, View view) throws IOException {
    boolean ready = view.envoy().get().ready();
    byte[] body = (ready ? "ready\n" : "not ready\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(ready ? 200 : 503, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static void send(HttpExchange exchange, int status, ObjectNode json) throws IOException {
    byte[] body = JSON.writeValueAsBytes(json);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private interface Handler {
    void handle(HttpExchange exchange) throws IOException;
  }

  /** GET only, exact path only; a failure is a 500 and a line in the log, not a dropped socket. */
  private static HttpHandler get(Handler handler) {
    return exchange -> {
      try {
        if (!exchange.getRequestURI().getPath().equals(exchange.getHttpContext().getPath())) {
          exchange.sendResponseHeaders(404, -1);
        } else if (!"GET".equals(exchange.getRequestMethod())) {
          exchange.getResponseHeaders().set("Allow", "GET");
          exchange.sendResponseHeaders(405, -1);
        } else {
          handler.handle(exchange);
        }
      } catch (IOException | RuntimeException e) {
        log.warn("admin {} failed: {}", exchange.getRequestURI(), e.toString());
        if (exchange.getResponseCode() == -1) {
          exchange.sendResponseHeaders(500, -1);
        }
      } finally {
        exchange.close();
      }
    };
  }
}
