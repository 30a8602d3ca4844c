package io.edgegw.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.edgegw.mqtt.GatewayAnnouncement;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync's own admin endpoint (loopback by default): {@code /healthz/ready}, {@code /gateways} (JSON:
 * every announced gateway, its labels and how many resources it holds) and {@code /metrics}
 * (Prometheus text, with per-gateway gauges of what each gateway announced: online, its inputs by
 * state, its last applied snapshot). Read-only; every answer is one {@link FleetSync.State} taken on the sync's thread.
 */
public final class FleetAdmin implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FleetAdmin.class);
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final HttpServer server;
  private final Supplier<FleetSync.State> state;

  private FleetAdmin(HttpServer server, Supplier<FleetSync.State> state) {
    this.server = server;
    this.state = state;
  }

  public static FleetAdmin start(InetSocketAddress address, Supplier<FleetSync.State> state) throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    FleetAdmin admin = new FleetAdmin(server, state);
    server.createContext(
        "/healthz/ready",
        e ->
            admin.answer(
                e,
                () -> {
                  FleetSync.State s = state.get();
                  boolean ready = s.ready() && s.connected();
                  return new Answer(
                      ready ? 200 : 503,
                      "text/plain",
                      ready
                          ? "ready\n"
                          : "not ready: "
                              + (s.ready() ? "broker not connected" : "starting")
                              + "\n");
                }));
    server.createContext(
        "/gateways",
        e ->
            admin.answer(
                e, () -> new Answer(200, "application/json", admin.gateways(state.get()))));
    server.createContext(
        "/metrics",
        e ->
            admin.answer(
                e, () -> new Answer(200, "text/plain; version=0.0.4", metrics(state.get()))));
    server.setExecutor(Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fleet-admin");
      t.setDaemon(true);
      return t;
    }));
    server.start();
    log.info("fleet: admin on http://{}:{}/ (healthz/ready, gateways, metrics)", address.getHostString(), admin.port());
    return admin;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private record Answer(int status, String type, String body) {}

  private void answer(HttpExchange exchange, Supplier<Answer> answer) throws IOException {
    Answer a;
    try {
      a = "GET".equals(exchange.getRequestMethod()) ? answer.get() : new Answer(405, "text/plain", "GET only\n");
    } catch (RuntimeException e) {
      a = new Answer(503, "text/plain", "unavailable: " + e.getMessage() + "\n");
    }
    byte[] body = a.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", a.type());
    exchange.sendResponseHeaders(a.status(), body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private String gateways(FleetSync.State s) {
    ObjectNode root = JSON.createObjectNode();
    ArrayNode list = root.putArray("gateways");
    for (Map.Entry<String, GatewayAnnouncement> g : s.gateways().entrySet()) {
      ObjectNode node = list.addObject();
      node.put("id", g.getKey());
      node.put("state", g.getValue().online() ? "online" : "offline");
      g.getValue().since().ifPresent(t -> node.put("since", t.toString()));
      g.getValue().labels().ifPresentOrElse(l -> {
        ObjectNode labels = node.putObject("labels");
        l.forEach(labels::put);
      }, () -> node.putNull("labels"));
      g.getValue().softwareVersion().ifPresent(v -> node.put("softwareVersion", v));
      g.getValue().servedVersion().ifPresent(v -> node.put("servedVersion", v));
      node.put("resources", s.placed().getOrDefault(g.getKey(), 0));
      g.getValue().lastApplied().ifPresent(t -> node.put("lastApplied", t.toString()));
      g.getValue().resources().ifPresent(c -> {
        ObjectNode inputs = node.putObject("inputs");
        inputs.put("accepted", c.accepted());
        inputs.put("applied", c.applied());
        inputs.put("rejected", c.rejected());
        inputs.put("rejectedByEnvoy", c.rejectedByEnvoy());
      });
    }
    ArrayNode problems = root.putArray("sourceProblems");
    s.problems().forEach(problems::add);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException("a tree of strings always serializes", e);
    }
  }

  static String metrics(FleetSync.State s) {
    long online = s.gateways().values().stream().filter(GatewayAnnouncement::online).count();
    StringBuilder out = new StringBuilder();
    counter(out, "edgegw_fleet_published_total", "Resource messages the sync published (upserts).", s.published());
    counter(out, "edgegw_fleet_deleted_total", "Resource messages the sync cleared (deletes).", s.deleted());
    counter(out, "edgegw_fleet_reconciles_total", "Reconciles that completed.", s.rounds());
    counter(
        out,
        "edgegw_fleet_reconcile_failures_total",
        "Reconciles that failed (broker errors); retried.",
        s.failedRounds());
    out.append("# HELP edgegw_fleet_gateways Announced gateways by state.\n# TYPE edgegw_fleet_gateways gauge\n")
        .append("edgegw_fleet_gateways{state=\"online\"} ").append(online).append('\n')
        .append("edgegw_fleet_gateways{state=\"offline\"} ").append(s.gateways().size() - online).append('\n');
    gauge(out, "edgegw_fleet_source_resources", "Resources in the source directory.", s.sourceResources());
    gauge(
        out,
        "edgegw_fleet_source_problems",
        "Problems in the source; while above zero nothing is published.",
        s.problems().size());
    gauge(out, "edgegw_fleet_broker_connected", "1 while connected to the cloud broker.", s.connected() ? 1 : 0);
    perGateway(out, s);
    return out.toString();
  }

  /** What each gateway announced of itself (sidecars that predate the counts announce none). */
  private static void perGateway(StringBuilder out, FleetSync.State s) {
    out.append("# HELP edgegw_fleet_gateway_online 1 while the gateway announces itself online.\n")
        .append("# TYPE edgegw_fleet_gateway_online gauge\n");
    s.gateways().forEach((id, g) ->
        out.append("edgegw_fleet_gateway_online{gateway=\"").append(label(id)).append("\"} ")
            .append(g.online() ? 1 : 0).append('\n'));
    out.append("# HELP edgegw_fleet_gateway_inputs The gateway's inputs by state, as it announced them.\n")
        .append("# TYPE edgegw_fleet_gateway_inputs gauge\n");
    s.gateways().forEach((id, g) -> g.resources().ifPresent(c -> {
      String gateway = "edgegw_fleet_gateway_inputs{gateway=\"" + label(id) + "\",state=\"";
      out.append(gateway).append("accepted\"} ").append(c.accepted()).append('\n')
          .append(gateway).append("applied\"} ").append(c.applied()).append('\n')
          .append(gateway).append("rejected\"} ").append(c.rejected()).append('\n')
          .append(gateway).append("rejected_by_envoy\"} ").append(c.rejectedByEnvoy()).append('\n');
    }));
    out.append("# HELP edgegw_fleet_gateway_last_applied_timestamp_seconds When the gateway's Envoy last")
        .append(" acknowledged a snapshot.\n# TYPE edgegw_fleet_gateway_last_applied_timestamp_seconds gauge\n");
    s.gateways().forEach((id, g) -> g.lastApplied().ifPresent(t ->
        out.append("edgegw_fleet_gateway_last_applied_timestamp_seconds{gateway=\"").append(label(id)).append("\"} ")
            .append(t.getEpochSecond()).append('\n')));
  }

  /** A Prometheus label value: backslash, quote and newline escaped. */
  private static String label(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static void counter(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" counter\n")
        .append(name).append(' ').append(value).append('\n');
  }

  private static void gauge(StringBuilder out, String name, String help, long value) {
    out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
        .append(name).append(' ').append(value).append('\n');
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
