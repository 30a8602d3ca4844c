package io.edgegw.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.translator.model.Resource;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What the sidecar made of one resource, retained as JSON on its status topic:
 * <pre>{"state":"applied","reasons":[],"version":"12","resourceVersion":"4711","time":"2025-01-01T10:00:00Z"}</pre>
 *
 * @param state what happened
 * @param reasons diagnostics, e.g. {@code ERROR VirtualService default/x: spec.http[0].route: ...};
 *     empty when there is nothing to say
 * @param version the snapshot version Envoy was given when applied (or rejected by Envoy), else
 *     empty ({@code null} in JSON)
 * @param resourceVersion echo of the resource's {@code metadata.resourceVersion} when it had one
 *     ({@code null} in JSON otherwise), so a publisher can tell which edit this is about
 * @param time when the sidecar decided, from the caller's clock (ISO-8601 in JSON)
 * @param objectStatus for kinds whose API defines a {@code .status} (Gateway API), that status as the
 *     API server would hold it, so a cloud-side tool can write it back unchanged; JSON field
 *     {@code objectStatus}, absent otherwise
 */
public record StatusMessage(
    State state,
    List<String> reasons,
    Optional<String> version,
    Optional<String> resourceVersion,
    Instant time,
    Optional<ObjectNode> objectStatus) {
  private static final ObjectMapper JSON = new ObjectMapper();

  public enum State {
    ACCEPTED,
    REJECTED,
    APPLIED,
    REJECTED_BY_ENVOY;

    /** {@code accepted}, {@code rejected}, {@code applied}, {@code rejected-by-envoy}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  public StatusMessage {
    Objects.requireNonNull(state, "state");
    reasons = List.copyOf(reasons);
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(resourceVersion, "resourceVersion");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(objectStatus, "objectStatus");
  }

  public StatusMessage(
      State state, List<String> reasons, Optional<String> version, Optional<String> resourceVersion, Instant time) {
    this(state, reasons, version, resourceVersion, time, Optional.empty());
  }

  public static StatusMessage accepted(List<String> warnings, Clock clock) {
    return new StatusMessage(State.ACCEPTED, warnings, Optional.empty(), Optional.empty(), clock.instant());
  }

  public static StatusMessage rejected(List<String> reasons, Clock clock) {
    return new StatusMessage(State.REJECTED, reasons, Optional.empty(), Optional.empty(), clock.instant());
  }

  public static StatusMessage applied(String version, List<String> warnings, Clock clock) {
    return new StatusMessage(State.APPLIED, warnings, Optional.of(version), Optional.empty(), clock.instant());
  }

  public static StatusMessage rejectedByEnvoy(String version, List<String> reasons, Clock clock) {
    return new StatusMessage(State.REJECTED_BY_ENVOY, reasons, Optional.of(version), Optional.empty(), clock.instant());
  }

  /** The same status echoing {@code resource}'s {@code metadata.resourceVersion}, if it has one. */
  public StatusMessage about(Resource resource) {
    String echoed = resource.metadata().path("resourceVersion").asText("");
    return withResourceVersion(echoed.isEmpty() ? Optional.empty() : Optional.of(echoed));
  }

  /** The same status echoing {@code resourceVersion}. */
  public StatusMessage withResourceVersion(Optional<String> resourceVersion) {
    return new StatusMessage(state, reasons, version, resourceVersion, time, objectStatus);
  }

  /** The same status carrying the object's own {@code .status}. */
  public StatusMessage withObjectStatus(Optional<ObjectNode> objectStatus) {
    return new StatusMessage(state, reasons, version, resourceVersion, time, objectStatus);
  }

  /** Reads a status; empty for an empty payload (a cleared status) or one that is not a status. */
  public static Optional<StatusMessage> parse(byte[] payload) {
    if (payload.length == 0) {
      return Optional.empty();
    }
    try {
      com.fasterxml.jackson.databind.JsonNode node = JSON.readTree(payload);
      String wire = node.path("state").asText("");
      Optional<State> state =
          java.util.Arrays.stream(State.values())
              .filter(s -> s.wireName().equals(wire))
              .findFirst();
      if (state.isEmpty()) {
        return Optional.empty();
      }
      List<String> reasons = new java.util.ArrayList<>();
      node.path("reasons").forEach(r -> reasons.add(r.asText()));
      Optional<ObjectNode> objectStatus =
          node.get("objectStatus") instanceof ObjectNode object ? Optional.of(object) : Optional.empty();
      return Optional.of(new StatusMessage(state.get(), reasons, text(node, "version"), text(node, "resourceVersion"),
          node.hasNonNull("time") ? Instant.parse(node.get("time").asText()) : Instant.EPOCH, objectStatus));
    } catch (java.io.IOException | java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<String> text(com.fasterxml.jackson.databind.JsonNode node, String field) {
    return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
  }

  public byte[] toJson() {
    ObjectNode out = JSON.createObjectNode();
    out.put("state", state.wireName());
    ArrayNode list = out.putArray("reasons");
    reasons.forEach(list::add);
    out.put("version", version.orElse(null));
    out.put("resourceVersion", resourceVersion.orElse(null));
    out.put("time", time.toString());
    objectStatus.ifPresent(status -> out.set("objectStatus", status));
    try {
      return JSON.writeValueAsBytes(out);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always serializes", e);
    }
  }
}
