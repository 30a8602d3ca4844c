package io.edgegw.mqtt;

import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where resources and status live on the broker:
 * {@code <prefix>/<gatewayId>/resources/<kind>/<namespace>/<name>},
 * {@code <prefix>/<gatewayId>/status/<kind>/<namespace>/<name>} and the gateway's own
 * online/offline status {@code <prefix>/<gatewayId>/status/gateway}. See docs/mqtt.md.
 *
 * <p>The prefix may have several levels ({@code site-a/edgegw}); the gateway id is one level.
 */
public record TopicContract(String prefix, String gatewayId) {
  public static final String DEFAULT_PREFIX = "edgegw";
  public static final String DEFAULT_GATEWAY_ID = "default";

  static final String KNOWN_KINDS =
      Arrays.stream(Kind.values()).map(Kind::topicName).collect(Collectors.joining(", "));

  public TopicContract {
    Objects.requireNonNull(prefix, "prefix");
    Objects.requireNonNull(gatewayId, "gatewayId");
    for (String level : prefix.split("/", -1)) {
      requireLevel("prefix '" + prefix + "'", level);
    }
    requireLevel("gatewayId", gatewayId);
  }

  public static TopicContract defaults() {
    return new TopicContract(DEFAULT_PREFIX, DEFAULT_GATEWAY_ID);
  }

  /** The retained topic that holds one resource. */
  public String resourceTopic(ResourceKey key) {
    return resourceRoot() + key.path();
  }

  /** What the sidecar subscribes to: every resource of this gateway. */
  public String resourceFilter() {
    return resourceRoot() + "#";
  }

  /** Where the sidecar reports the outcome for one resource (retained {@link StatusMessage} JSON). */
  public String statusTopic(ResourceKey key) {
    return statusRoot() + key.path();
  }

  /**
   * The gateway's retained online/offline status, also its Last Will. One level below
   * {@code status/}, so it never collides with a resource's status (three levels below).
   */
  public String gatewayStatusTopic() {
    return statusRoot() + "gateway";
  }

  /** The key a resource topic names, or empty when the topic is not a resource topic of this gateway. */
  public Optional<ResourceKey> parseResourceTopic(String topic) {
    return problemWith(topic).isEmpty() ? Optional.of(keyOf(topic)) : Optional.empty();
  }

  /** Why {@code topic} is not a resource topic of this gateway, or empty when it is one. */
  Optional<String> problemWith(String topic) {
    if (topic == null || !topic.startsWith(resourceRoot())) {
      return Optional.of("topic is not under " + resourceRoot());
    }
    String[] parts = topic.substring(resourceRoot().length()).split("/", -1);
    if (parts.length != 3) {
      return Optional.of("topic must be " + resourceRoot() + "<kind>/<namespace>/<name>, got "
          + parts.length + " level(s) after " + resourceRoot());
    }
    if (Arrays.stream(parts).anyMatch(String::isEmpty)) {
      return Optional.of("topic has an empty kind, namespace or name");
    }
    if (Kind.fromTopicName(parts[0]).isEmpty()) {
      return Optional.of("unknown kind '" + parts[0] + "' in topic (known: " + KNOWN_KINDS + ")");
    }
    return Optional.empty();
  }

  private ResourceKey keyOf(String topic) {
    String[] parts = topic.substring(resourceRoot().length()).split("/", -1);
    return ResourceKey.of(Kind.fromTopicName(parts[0]).orElseThrow(), parts[1], parts[2]);
  }

  private String statusRoot() {
    return prefix + "/" + gatewayId + "/status/";
  }

  private String resourceRoot() {
    return prefix + "/" + gatewayId + "/resources/";
  }

  private static void requireLevel(String what, String level) {
    if (level.isEmpty() || level.contains("/") || level.contains("+") || level.contains("#")) {
      throw new IllegalArgumentException(
          what + ": topic levels must be non-empty and free of '/', '+' and '#', got '" + level + "'");
    }
  }
}
