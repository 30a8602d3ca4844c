package io.edgegw.fleet;

import io.edgegw.mqtt.GatewayAnnouncement;
import io.edgegw.mqtt.StatusMessage;
import io.edgegw.mqtt.TopicContract;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the broker retains under one topic prefix, for every gateway: its announcement, its resources
 * (as digests and the resourceVersion the sync stamped) and the per-resource statuses its sidecar
 * wrote. Fed with every message of {@code <prefix>/+/resources/#} and {@code <prefix>/+/status/#};
 * an empty payload removes. Not thread-safe: one thread owns it.
 */
public final class BrokerView {
  /** One retained resource message: the digest of its payload and the resourceVersion inside. */
  public record Retained(String digest, Optional<String> resourceVersion) {}

  /** The node bridge's notification topic below {@code <prefix>/<id>/status/}; see docs/fleet.md. */
  public static final String BRIDGE = "bridge";

  private final String prefix;
  private final Map<String, Boolean> links = new TreeMap<>();
  private final Map<String, GatewayAnnouncement> gateways = new TreeMap<>();
  private final Map<String, Map<ResourceKey, Retained>> resources = new TreeMap<>();
  private final Map<String, Map<ResourceKey, StatusMessage>> statuses = new TreeMap<>();

  public BrokerView(String prefix) {
    new TopicContract(prefix, "x"); // validates the prefix
    this.prefix = prefix;
  }

  public String resourceFilter() {
    return prefix + "/+/resources/#";
  }

  /** Only the gateways' announcements: what the sync needs (it never looks at per-resource statuses). */
  public String announcementFilter() {
    return prefix + "/+/status/gateway";
  }

  public String statusFilter() {
    return prefix + "/+/status/#";
  }

  /**
   * Takes one message in. True when it changes what placement depends on: a gateway's announcement
   * (labels, online), or a retained resource that differs from what the sync last published.
   */
  public boolean accept(String topic, byte[] payload) {
    if (!topic.startsWith(prefix + "/")) {
      return false;
    }
    String[] parts = topic.substring(prefix.length() + 1).split("/", -1);
    if (parts.length < 3 || parts[0].isEmpty()) {
      return false;
    }
    String id = parts[0];
    if (parts[1].equals("status") && parts.length == 3 && parts[2].equals("gateway")) {
      Optional<GatewayAnnouncement> announcement = GatewayAnnouncement.parse(payload);
      GatewayAnnouncement before =
          announcement.isPresent() ? gateways.put(id, announcement.get()) : gateways.remove(id);
      return !announcement
          .map(GatewayAnnouncement::labels)
          .equals(Optional.ofNullable(before).map(GatewayAnnouncement::labels));
    }
    if (parts[1].equals("status") && parts.length == 3 && parts[2].equals(BRIDGE)) {
      // mosquitto's bridge notification: "1" while the node's link to this broker is up, "0" (its Will) when not.
      String state = new String(payload, java.nio.charset.StandardCharsets.UTF_8).strip();
      if (state.isEmpty()) {
        links.remove(id);
      } else {
        links.put(id, state.equals("1"));
      }
      return false;
    }
    if (parts.length != 5) {
      return false;
    }
    Optional<Kind> kind = Kind.fromTopicName(parts[2]);
    if (kind.isEmpty()) {
      return false;
    }
    ResourceKey key = ResourceKey.of(kind.get(), parts[3], parts[4]);
    if (parts[1].equals("resources")) {
      Retained before = resourcesOf(id).get(key);
      if (payload.length == 0) {
        remove(resources, id, key);
        return before != null;
      }
      Retained now = new Retained(Payloads.digest(payload), Payloads.resourceVersion(payload));
      resources.computeIfAbsent(id, k -> new TreeMap<>()).put(key, now);
      return !now.equals(before);
    } else if (parts[1].equals("status")) {
      Optional<StatusMessage> status = StatusMessage.parse(payload);
      if (status.isEmpty()) {
        remove(statuses, id, key);
      } else {
        statuses.computeIfAbsent(id, k -> new TreeMap<>()).put(key, status.get());
      }
    }
    return false;
  }

  /** Records a publish of ours before the broker echoes it, so a reconcile right after does not repeat it. */
  public void published(String gatewayId, ResourceKey key, Optional<byte[]> payload) {
    if (payload.isEmpty()) {
      remove(resources, gatewayId, key);
    } else {
      resources.computeIfAbsent(gatewayId, k -> new TreeMap<>())
          .put(key, new Retained(Payloads.digest(payload.get()), Payloads.resourceVersion(payload.get())));
    }
  }

  private static <V> void remove(Map<String, Map<ResourceKey, V>> map, String id, ResourceKey key) {
    Map<ResourceKey, V> of = map.get(id);
    if (of != null) {
      of.remove(key);
      if (of.isEmpty()) {
        map.remove(id);
      }
    }
  }

  public Map<String, GatewayAnnouncement> gateways() {
    return gateways;
  }

  /** Whether the node's bridge reports its link up; empty when the node publishes no bridge notifications. */
  public Optional<Boolean> linkUp(String gatewayId) {
    return Optional.ofNullable(links.get(gatewayId));
  }

  public Map<ResourceKey, Retained> resourcesOf(String gatewayId) {
    return resources.getOrDefault(gatewayId, Map.of());
  }

  public Map<ResourceKey, StatusMessage> statusesOf(String gatewayId) {
    return statuses.getOrDefault(gatewayId, Map.of());
  }

  /** Every gateway id seen: announced, holding resources, or reporting statuses. */
  public Set<String> gatewayIds() {
    Set<String> ids = new TreeSet<>(gateways.keySet());
    ids.addAll(resources.keySet());
    ids.addAll(statuses.keySet());
    return ids;
  }
}
