package io.edgegw.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The gateway's retained online/offline message on {@link TopicContract#gatewayStatusTopic()}:
 * <pre>{"state":"online","since":"2025-03-01T10:00:00Z","labels":{"site":"berlin"},
 *  "softwareVersion":"0.1.0","servedVersion":"12","lastApplied":"2025-03-01T10:00:02Z",
 *  "resources":{"accepted":0,"applied":40,"rejected":1,"rejectedByEnvoy":0}}</pre>
 * {@code state} and {@code since} are the original message; the other fields were added for the fleet
 * (placement, and the sync's per-gateway counts without reading every per-resource status) and are
 * absent when the sidecar does not know them (older sidecars send none). Readers must ignore fields
 * they do not know. {@code since} is only in the online message.
 */
public record GatewayAnnouncement(
    boolean online,
    Optional<Instant> since,
    Optional<Map<String, String>> labels,
    Optional<String> softwareVersion,
    Optional<String> servedVersion,
    Optional<Instant> lastApplied,
    Optional<Counts> resources) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** How many of the gateway's inputs stand where (the sidecar's per-resource states). */
  public record Counts(int accepted, int applied, int rejected, int rejectedByEnvoy) {}

  public GatewayAnnouncement {
    Objects.requireNonNull(since, "since");
    labels = labels.map(l -> Map.copyOf(new TreeMap<>(l)));
    Objects.requireNonNull(softwareVersion, "softwareVersion");
    Objects.requireNonNull(servedVersion, "servedVersion");
    Objects.requireNonNull(lastApplied, "lastApplied");
    Objects.requireNonNull(resources, "resources");
  }

  /** What a sidecar knows about itself besides its state: the fields after {@code state}/{@code since}. */
  public record Identity(
      Optional<Map<String, String>> labels,
      Optional<String> softwareVersion,
      Optional<String> servedVersion,
      Optional<Instant> lastApplied,
      Optional<Counts> resources) {
    public static final Identity NONE =
        new Identity(Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());

    /** Labels and software version only: what a gateway knows before it serves anything. */
    public Identity(Optional<Map<String, String>> labels, Optional<String> softwareVersion,
        Optional<String> servedVersion) {
      this(labels, softwareVersion, servedVersion, Optional.empty(), Optional.empty());
    }
  }

  public static GatewayAnnouncement online(Instant since, Identity identity) {
    return new GatewayAnnouncement(
        true,
        Optional.of(since),
        identity.labels(),
        identity.softwareVersion(),
        identity.servedVersion(),
        identity.lastApplied(),
        identity.resources());
  }

  public static GatewayAnnouncement offline(Identity identity) {
    return new GatewayAnnouncement(
        false,
        Optional.empty(),
        identity.labels(),
        identity.softwareVersion(),
        identity.servedVersion(),
        identity.lastApplied(),
        identity.resources());
  }

  /** Field order is fixed, so equal announcements are equal bytes. */
  public byte[] toJson() {
    ObjectNode out = JSON.createObjectNode();
    out.put("state", online ? "online" : "offline");
    since.ifPresent(s -> out.put("since", s.toString()));
    labels.ifPresent(l -> {
      ObjectNode node = out.putObject("labels");
      new TreeMap<>(l).forEach(node::put);
    });
    softwareVersion.ifPresent(v -> out.put("softwareVersion", v));
    servedVersion.ifPresent(v -> out.put("servedVersion", v));
    lastApplied.ifPresent(t -> out.put("lastApplied", t.toString()));
    resources.ifPresent(c -> {
      ObjectNode node = out.putObject("resources");
      node.put("accepted", c.accepted());
      node.put("applied", c.applied());
      node.put("rejected", c.rejected());
      node.put("rejectedByEnvoy", c.rejectedByEnvoy());
    });
    try {
      return JSON.writeValueAsBytes(out);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always serializes", e);
    }
  }

  /** Reads an announcement; empty for an empty payload (a cleared topic) or one that is not an announcement. */
  public static Optional<GatewayAnnouncement> parse(byte[] payload) {
    if (payload.length == 0) {
      return Optional.empty();
    }
    try {
      JsonNode node = JSON.readTree(payload);
      String state = node.path("state").asText("");
      if (!state.equals("online") && !state.equals("offline")) {
        return Optional.empty();
      }
      Optional<Instant> since =
          node.hasNonNull("since")
              ? Optional.of(Instant.parse(node.get("since").asText()))
              : Optional.empty();
      Optional<Map<String, String>> labels = Optional.empty();
      if (node.path("labels").isObject()) {
        Map<String, String> map = new TreeMap<>();
        node.get("labels").properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        labels = Optional.of(map);
      }
      Optional<Instant> lastApplied =
          node.hasNonNull("lastApplied")
              ? Optional.of(Instant.parse(node.get("lastApplied").asText()))
              : Optional.empty();
      JsonNode counts = node.path("resources");
      Optional<Counts> resources = counts.isObject()
          ? Optional.of(new Counts(counts.path("accepted").asInt(), counts.path("applied").asInt(),
              counts.path("rejected").asInt(), counts.path("rejectedByEnvoy").asInt()))
          : Optional.empty();
      return Optional.of(new GatewayAnnouncement(state.equals("online"), since, labels, text(node, "softwareVersion"),
          text(node, "servedVersion"), lastApplied, resources));
    } catch (IOException | DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> text(JsonNode node, String field) {
    return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
  }
}
