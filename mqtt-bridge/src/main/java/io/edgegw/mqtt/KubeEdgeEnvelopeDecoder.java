package io.edgegw.mqtt;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.mqtt.ResourceMessageDecoder.Accept;
import io.edgegw.mqtt.ResourceMessageDecoder.Decision;
import io.edgegw.mqtt.ResourceMessageDecoder.Ignore;
import io.edgegw.mqtt.ResourceMessageDecoder.Reject;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import io.edgegw.translator.model.ResourceReader.Failed;
import io.edgegw.translator.model.ResourceReader.Ok;
import io.edgegw.translator.model.ResourceReader.Read;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Decides what one KubeEdge EventBus message (a beehive {@code model.Message}) means:
 * <pre>{"header":{...},"route":{"source","destination","group","operation","resource"},"content":...}</pre>
 * with {@code route.resource} = {@code <namespace>/<kind-lowercase>/<name>} (namespace first).
 *
 * <ul>
 *   <li>{@code insert}, {@code update}: {@code content} is the whole object (or a JSON string
 *       holding it), read like a resource topic's payload, and must be the resource the route
 *       names; an upsert. An object without apiVersion and kind (as Kubernetes informers hand
 *       them out) gets them from the route's kind (version v1).
 *   <li>{@code delete}: a delete of the route's resource; {@code content} is not looked at.
 *   <li>{@code patch}: accepted only when {@code content} is a whole object (apiVersion, kind,
 *       metadata.name), then like {@code update}; merge or JSON patches are rejected, because the
 *       sidecar would have to apply them to state it may not hold.
 *   <li>other operations ({@code query}, {@code response}, {@code error}, ...) and kinds the
 *       gateway does not know (pods of other apps, configmaps, nodes, ...) are ignored: the bus
 *       carries much that is not for us.
 * </ul>
 *
 * <p>Pure (no I/O, no logging). Reasons never quote the payload.
 */
public final class KubeEdgeEnvelopeDecoder {
  private static final Set<String> CHANGES = Set.of("insert", "update", "delete", "patch");

  private final ResourceReader reader;
  private final int maxPayloadBytes;
  private final ObjectMapper json = new ObjectMapper();

  public KubeEdgeEnvelopeDecoder(ResourceReader reader, int maxPayloadBytes) {
    this.reader = Objects.requireNonNull(reader, "reader");
    if (maxPayloadBytes <= 0) {
      throw new IllegalArgumentException("maxPayloadBytes: must be positive, got " + maxPayloadBytes);
    }
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /**
   * @return {@link Accept}, {@link Reject} or {@link Ignore}; the origin is
   *     {@code mqtt:<topic>#<route.resource>}, stable per resource
   */
  public Decision decode(String topic, byte[] payload) {
    String base = ResourceMessageDecoder.originOf(topic);
    if (payload.length > maxPayloadBytes) {
      return new Reject(base, Optional.empty(),
          "payload of " + payload.length + " bytes exceeds the limit of " + maxPayloadBytes + " bytes; not parsed");
    }
    JsonNode envelope;
    try {
      envelope = json.readTree(payload);
    } catch (IOException | RuntimeException | StackOverflowError e) {
      return new Reject(base, Optional.empty(), "not a KubeEdge message: not valid JSON" + locationOf(e));
    }
    if (envelope == null || !envelope.isObject()) {
      return new Reject(
          base,
          Optional.empty(),
          "not a KubeEdge message: expected a JSON object with header, route, content");
    }
    JsonNode route = envelope.path("route");
    if (!route.isObject()) {
      return new Reject(base, Optional.empty(), "not a KubeEdge message: no route object");
    }
    String operation = route.path("operation").asText("");
    String resource = route.path("resource").asText("");
    String origin = resource.isEmpty() ? base : base + "#" + resource;
    if (!CHANGES.contains(operation)) {
      return new Ignore(origin, "operation '" + operation + "' is not a change");
    }
    String[] parts = resource.split("/", -1);
    Optional<Kind> kind = parts.length >= 2 ? Kind.fromTopicName(parts[1]) : Optional.empty();
    if (kind.isEmpty()) {
      return new Ignore(origin, "resource '" + resource + "' is not of a kind the gateway reads");
    }
    if (parts.length != 3 || parts[0].isEmpty() || parts[2].isEmpty()) {
      return new Reject(origin, Optional.empty(),
          "route.resource must be <namespace>/<kind>/<name>, got '" + resource + "'");
    }
    // KubeEdge writes a cluster-scoped object's namespace as "null"; edgegw keys those under "default".
    String namespace = parts[0];
    if (namespace.equals("null") && kind.get().clusterScoped()) {
      namespace = "default";
    } else if (namespace.equals("null")) {
      return new Reject(origin, Optional.empty(),
          kind.get().displayName() + " is namespaced but route.resource '" + resource + "' has no namespace");
    }
    ResourceKey key = ResourceKey.of(kind.get(), namespace, parts[2]);
    if (operation.equals("delete")) {
      return new Accept(ResourceEvent.delete(key, origin));
    }
    JsonNode content = envelope.path("content");
    if (content.isTextual()) {
      // Some KubeEdge versions encode the object as a JSON string inside the envelope.
      try {
        content = json.readTree(content.asText());
      } catch (IOException | RuntimeException | StackOverflowError e) {
        return new Reject(origin, Optional.of(key), "content is a string but not a JSON object" + locationOf(e));
      }
    }
    if (content == null || content.isMissingNode() || content.isNull()) {
      return new Reject(origin, Optional.of(key), operation + " without content");
    }
    if (operation.equals("patch") && !isWholeObject(content)) {
      return new Reject(origin, Optional.of(key), "patch content is not a whole object (apiVersion, kind,"
          + " metadata.name): only full-object patches are supported; send the whole object as an update");
    }
    if (!operation.equals("patch")) {
      content = withTypeOf(kind.get(), content);
    }
    Read read;
    try {
      read = reader.readOne(0, content);
    } catch (RuntimeException | StackOverflowError e) {
      return new Reject(origin, Optional.of(key), "content could not be read: " + e.getClass().getSimpleName());
    }
    if (read instanceof Failed failed) {
      return new Reject(origin, Optional.of(key), failed.error());
    }
    ResourceKey inContent = ((Ok) read).resource().key();
    if (!inContent.equals(key)) {
      return new Reject(origin, Optional.of(key), "route.resource says " + key.path() + " but content is "
          + inContent.path() + " (a manifest without metadata.namespace is in namespace default)");
    }
    return new Accept(ResourceEvent.upsert(((Ok) read).resource(), origin));
  }

  /**
   * Objects Kubernetes informers hand out have empty apiVersion and kind, and KubeEdge passes them
   * on like that; the route names the kind, so an object missing both gets them from it.
   */
  private static JsonNode withTypeOf(Kind kind, JsonNode content) {
    if (!content.isObject() || content.has("apiVersion") || content.has("kind")) {
      return content;
    }
    ObjectNode typed = ((ObjectNode) content).deepCopy();
    typed.put("apiVersion", kind.defaultApiVersion());
    typed.put("kind", kind.kubernetesKind());
    return typed;
  }

  private static boolean isWholeObject(JsonNode content) {
    return content.isObject()
        && !content.path("apiVersion").asText("").isEmpty()
        && !content.path("kind").asText("").isEmpty()
        && !content.path("metadata").path("name").asText("").isEmpty();
  }

  /** Only where the JSON broke, never the parser's message: it quotes the input. */
  private static String locationOf(Throwable e) {
    if (e instanceof JsonProcessingException j && j.getLocation() != null) {
      return " (line " + j.getLocation().getLineNr() + ", column " + j.getLocation().getColumnNr() + ")";
    }
    return e instanceof StackOverflowError ? " (nested too deeply)" : "";
  }
}
