package io.edgegw.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.server.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Asks a running sidecar's admin API and sums up what it serves, to whom, and what it refused. Uses
 * HttpURLConnection: the container's jlinked runtime has no java.net.http.
 */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows what a running sidecar serves, to which Envoys, and what it rejected.",
      "",
      "Asks the sidecar's admin API (/healthz/ready, /config_dump?summary, /versions, /clients, /resources)."
          + " Prints a summary for people, or with -o json one JSON document for scripts.",
      "",
      "Exit codes: 0 ready and nothing rejected, 1 not ready, or some resource rejected (by validation,"
          + " translation or Envoy), or an Envoy whose last answer for some type was a NACK (the latest change"
          + " was refused; the previous snapshot is served), 2 usage error or the admin API unreachable."
    })
final class StatusCommand implements Callable<Integer> {
  enum Format { text, json }

  /** Loaded on first use: every command is built at start, and `run` should not pay for Jackson before it serves. */
  private static final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();
  }

  @Spec CommandSpec spec;

  @Option(names = "--admin-address", defaultValue = "127.0.0.1:18001", converter = Converters.HostPortConverter.class,
      paramLabel = "HOST:PORT", description = "The sidecar's admin API (default: ${DEFAULT-VALUE}).")
  HostPort adminAddress;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  Format format;

  @Option(
      names = "--timeout",
      defaultValue = "5",
      paramLabel = "SECONDS",
      description = "Per request (default: ${DEFAULT-VALUE} s).")
  int timeoutSeconds;

  /** The answers of one sidecar. */
  private record Answers(JsonNode ready, JsonNode config, JsonNode versions, JsonNode clients, JsonNode resources) {}

  @Override
  public Integer call() throws Exception {
    Answers a;
    try {
      a = new Answers(get("/healthz/ready"), get("/config_dump?summary"), get("/versions?limit=1"), get("/clients"),
          get("/resources"));
    } catch (IOException e) {
      spec.commandLine()
          .getErr()
          .println(
              "edgegw status: cannot ask the sidecar at " + adminAddress + ": " + e.getMessage());
      spec.commandLine().getErr().flush();
      return 2;
    }
    List<String> problems = problems(a);
    PrintWriter out = spec.commandLine().getOut();
    if (format == Format.json) {
      ObjectNode doc = Json.MAPPER.createObjectNode();
      doc.put("adminAddress", adminAddress.toString());
      doc.put("ready", a.ready().path("ready").asBoolean());
      doc.put("version", a.config().path("version").asText());
      doc.set("versions", a.config().path("versions"));
      doc.set("counts", a.config().path("counts"));
      doc.set("lastChange", a.versions().path("versions").path(0));
      doc.set("clients", a.clients().path("clients"));
      doc.set("resources", a.resources().path("resources"));
      doc.set("unreadable", a.resources().path("unreadable"));
      ArrayNode list = doc.putArray("problems");
      problems.forEach(list::add);
      out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(doc));
    } else {
      text(out, a, problems);
    }
    out.flush();
    return problems.isEmpty() ? 0 : 1;
  }

  /** Why the exit code is 1: one line each. */
  private static List<String> problems(Answers a) {
    List<String> problems = new ArrayList<>();
    if (!a.ready().path("ready").asBoolean()) {
      problems.add("not ready: no Envoy has acknowledged a snapshot");
    }
    for (JsonNode client : a.clients().path("clients")) {
      for (Iterator<Map.Entry<String, JsonNode>> it = client.path("types").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> type = it.next();
        if (type.getValue().path("rejecting").asBoolean()) {
          problems.add("Envoy " + nodeName(client) + " rejected " + type.getKey() + " version "
              + shortVersion(type.getValue().path("lastNack").path("version").asText()) + ": "
              + type.getValue().path("lastNack").path("message").asText());
        }
      }
    }
    for (JsonNode r : a.resources().path("resources")) {
      if (r.path("status").asText().startsWith("rejected")) {
        problems.add(r.path("status").asText() + " " + key(r) + ": " + String.join("; ", texts(r.path("reasons"))));
      }
    }
    for (JsonNode u : a.resources().path("unreadable")) {
      problems.add("unreadable " + u.path("origin").asText() + ": " + u.path("reason").asText());
    }
    return problems;
  }

  private void text(PrintWriter out, Answers a, List<String> problems) {
    boolean ready = a.ready().path("ready").asBoolean();
    out.printf("sidecar %s: %s%n", adminAddress, ready ? "ready" : "NOT READY");
    JsonNode counts = a.config().path("counts");
    String version = a.config().path("version").asText();
    // Route scopes only where a port uses them, so the usual line stays as it was.
    int scopes = counts.path("scopes").asInt();
    out.printf("serving   %s (%d listeners, %d routes, %d clusters, %d endpoints, %d secrets%s)%n",
        version.isEmpty() ? "nothing yet" : shortVersion(version), counts.path("listeners").asInt(),
        counts.path("routes").asInt(), counts.path("clusters").asInt(), counts.path("endpoints").asInt(),
        counts.path("secrets").asInt(), scopes == 0 ? "" : ", " + scopes + " scopes");
    JsonNode last = a.versions().path("versions").path(0);
    if (!last.isMissingNode()) {
      List<String> trigger = texts(last.path("trigger"));
      out.printf("last push %s %s (%s)%s%n", shortVersion(last.path("version").asText()), last.path("at").asText(),
          last.path("cause").asText() + ", " + last.path("outcome").asText(),
          trigger.isEmpty() ? "" : ": " + abbreviate(trigger));
    }
    JsonNode clients = a.clients().path("clients");
    out.printf("envoys    %d connected%n", clients.size());
    for (JsonNode client : clients) {
      List<String> types = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = client.path("types").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> type = it.next();
        JsonNode t = type.getValue();
        types.add(type.getKey() + " " + (t.path("rejecting").asBoolean()
            ? "NACK " + shortVersion(t.path("lastNack").path("version").asText())
            : "ACK " + shortVersion(t.path("acked").path("version").asText())));
      }
      out.printf(
          "  %s (cluster %s, since %s): %s%n",
          nodeName(client),
          client.path("cluster").asText(),
          client.path("connectedSince").asText(),
          types.isEmpty() ? "nothing acknowledged yet" : String.join(", ", types));
      for (Iterator<Map.Entry<String, JsonNode>> it = client.path("types").fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> type = it.next();
        JsonNode nack = type.getValue().path("lastNack");
        if (!nack.isMissingNode() && !type.getValue().path("rejecting").asBoolean()) {
          out.printf("    earlier NACK of %s %s at %s (since acknowledged %s): %s%n", type.getKey(),
              shortVersion(nack.path("version").asText()), nack.path("at").asText(),
              shortVersion(type.getValue().path("acked").path("version").asText()), nack.path("message").asText());
        }
      }
    }
    TreeMap<String, Integer> byStatus = new TreeMap<>();
    a.resources().path("resources").forEach(r -> byStatus.merge(r.path("status").asText(), 1, Integer::sum));
    List<String> tally = new ArrayList<>();
    byStatus.forEach((status, n) -> tally.add(n + " " + status));
    int unreadable = a.resources().path("unreadable").size();
    if (unreadable > 0) {
      tally.add(unreadable + " unreadable");
    }
    out.printf("resources %s%n", tally.isEmpty() ? "none" : String.join(", ", tally));
    gatewayApiStatus(out, a.resources().path("resources"));
    if (!problems.isEmpty()) {
      out.println("problems:");
      problems.forEach(p -> out.println("  " + p));
    }
  }

  private JsonNode get(String pathAndQuery) throws IOException {
    URI uri = URI.create("http://" + adminAddress + pathAndQuery);
    HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
    connection.setConnectTimeout(timeoutSeconds * 1000);
    connection.setReadTimeout(timeoutSeconds * 1000);
    try {
      int code = connection.getResponseCode();
      // 503 is an answer too: /healthz/ready while not ready.
      try (InputStream body = code >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
        if (body == null || code != 200 && code != 503) {
          throw new IOException(pathAndQuery + " answered HTTP " + code);
        }
        return Json.MAPPER.readTree(body);
      }
    } finally {
      connection.disconnect();
    }
  }

  private static String nodeName(JsonNode client) {
    String node = client.path("node").asText();
    return node.isEmpty() ? "(unnamed, stream " + client.path("streams").path(0).asText() + ")" : node;
  }

  /**
   * The Gateway API objects' own status ({@code objectStatus}): how many have one, and each condition
   * that says something is wrong (Conflicted True, any other False), with where it is.
   */
  private static void gatewayApiStatus(PrintWriter out, JsonNode resources) {
    int objects = 0;
    List<String> troubles = new ArrayList<>();
    for (JsonNode r : resources) {
      JsonNode status = r.path("objectStatus");
      if (status.isMissingNode()) {
        continue;
      }
      objects++;
      troubles(troubles, key(r), status.path("conditions"));
      for (JsonNode l : status.path("listeners")) {
        troubles(troubles, key(r) + " listener " + l.path("name").asText(), l.path("conditions"));
      }
      for (JsonNode p : status.path("parents")) {
        JsonNode ref = p.path("parentRef");
        troubles(troubles, key(r) + " parent " + (ref.has("namespace") ? ref.path("namespace").asText() + "/" : "")
            + ref.path("name").asText() + (ref.has("sectionName") ? " " + ref.path("sectionName").asText() : ""),
            p.path("conditions"));
      }
    }
    if (objects > 0) {
      out.printf("gateway api status: %d objects, %d conditions not fine%n", objects, troubles.size());
      troubles.forEach(t -> out.println("  " + t));
    }
  }

  private static void troubles(List<String> out, String where, JsonNode conditions) {
    for (JsonNode c : conditions) {
      boolean isTrue = c.path("status").asText().equals("True");
      if (c.path("type").asText().equals("Conflicted") == isTrue) {
        out.add(where + ": " + c.path("type").asText() + " " + c.path("status").asText() + " "
            + c.path("reason").asText() + ": " + c.path("message").asText());
      }
    }
  }

  private static String key(JsonNode r) {
    return r.path("kind").asText() + " " + r.path("namespace").asText() + "/" + r.path("name").asText();
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static String abbreviate(List<String> items) {
    return items.size() <= 3 ? String.join(", ", items)
        : String.join(", ", items.subList(0, 3)) + " and " + (items.size() - 3) + " more";
  }

  private static String shortVersion(String version) {
    return version.length() > 12 ? version.substring(0, 12) : version;
  }
}
