package io.edgegw.translator.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads manifests (YAML with {@code ---} separated documents, or JSON; {@code kind: List} is
 * flattened; anchors, aliases and merge keys resolved by {@link YamlDocuments}) into {@link Resource}s. Checks only
 * identity: apiVersion, kind, metadata.name. Field
 * validation is the translator's job.
 */
public final class ResourceReader {
  private static final ImmutableSet<String> ISTIO_VERSIONS = ImmutableSet.of("v1", "v1beta1", "v1alpha3");
  /** GatewayClass, Gateway and HTTPRoute are v1 in the standard channel; v1beta1 is still served by it. */
  private static final ImmutableSet<String> GATEWAY_API_VERSIONS = ImmutableSet.of("v1", "v1beta1");
  /** TLSRoute and TCPRoute were experimental before v1 (same fields): v1alpha2, TLSRoute also v1alpha3. */
  private static final ImmutableSet<String> ALPHA_ROUTE_VERSIONS =
      ImmutableSet.of("tlsroutes.v1alpha2", "tlsroutes.v1alpha3", "tcproutes.v1alpha2");
  private static final String SUPPORTED = java.util.Arrays.stream(Kind.values())
      .map(k -> k.kubernetesKind() + " (" + (k.group().isEmpty() ? "v1" : k.group()) + ")")
      .collect(java.util.stream.Collectors.joining(", "));
  /** One JSON value and nothing after it (the YAML reader decides about anything else). */
  private static final ObjectMapper STRICT_JSON =
      JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

  /** One document's outcome. */
  public sealed interface Read {
    /** Position of the document in the input, from 0. */
    int document();
  }

  public record Ok(int document, Resource resource) implements Read {}

  /** A document that is not a usable resource; {@code key} is known when identity could be read. */
  public record Failed(int document, Optional<ResourceKey> key, String error) implements Read {
    @Override
    public String toString() {
      return key.map(k -> k + ": ").orElse("document " + document + ": ") + error;
    }
  }

  public ImmutableList<Read> read(byte[] bytes) {
    return read(new String(bytes, StandardCharsets.UTF_8));
  }

  public ImmutableList<Read> read(String text) {
    Optional<JsonNode> json = strictJson(text);
    if (json.isPresent()) {
      return documents(json.get());
    }
    ImmutableList.Builder<Read> out = ImmutableList.builder();
    int document = 0;
    // YAML is a superset of JSON, so one parser serves both.
    try (YamlDocuments docs = YamlDocuments.of(text)) {
      for (JsonNode node = docs.next(); node != null; node = docs.next()) {
        // Not owned: merge keys may share one subtree between documents.
        document = add(out, document, node, false);
      }
    } catch (IOException | RuntimeException e) {
      out.add(new Failed(document, Optional.empty(), "not valid YAML or JSON: " + firstLine(e)));
    }
    return out.build();
  }

  /**
   * The one JSON value {@code text} holds, when it is exactly that: what every MQTT publisher, the
   * Kubernetes API and the store send. Jackson's JSON parser reads it about twenty times faster than
   * the YAML one (a 120 kB VirtualService: 2.5 against 50 ms with the sidecar's C1-only JIT) into the
   * same tree, since JSON is YAML; anything else (YAML, several documents, broken JSON) is left to the
   * YAML reader, whose answers and error messages are then unchanged.
   */
  private static Optional<JsonNode> strictJson(String text) {
    int first = 0;
    while (first < text.length() && " \n\r\t".indexOf(text.charAt(first)) >= 0) {
      first++;
    }
    if (first == text.length() || text.charAt(first) != '{') {
      return Optional.empty();
    }
    try {
      return Optional.ofNullable(STRICT_JSON.readTree(text));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  private ImmutableList<Read> documents(JsonNode node) {
    ImmutableList.Builder<Read> out = ImmutableList.builder();
    add(out, 0, node, true);
    return out.build();
  }

  /** Adds the reads of one parsed document (of its items, for a List); returns the next document's number. */
  private int add(ImmutableList.Builder<Read> out, int document, JsonNode node, boolean owned) {
    if (node.isNull() || node.isMissingNode()) {
      return document; // an empty document between separators
    }
    if (node.isObject() && "List".equals(node.path("kind").asText()) && node.path("items").isArray()) {
      for (JsonNode item : node.path("items")) {
        out.add(read(document++, item, owned));
      }
    } else {
      out.add(read(document++, node, owned));
    }
    return document;
  }

  /** Reads a single already-parsed manifest (the caller's tree is left as it is). */
  public Read readOne(int document, JsonNode node) {
    return read(document, node, false);
  }

  /**
   * {@code owned}: the tree is a JSON parse of this reader's own, no part of it shared, which the resource
   * may take over without a copy.
   */
  private Read read(int document, JsonNode node, boolean owned) {
    if (!node.isObject()) {
      return new Failed(document, Optional.empty(), "a manifest must be an object, got " + node.getNodeType());
    }
    String apiVersion = node.path("apiVersion").asText("");
    String kindName = node.path("kind").asText("");
    if (apiVersion.isEmpty()) {
      return new Failed(document, Optional.empty(), "apiVersion: required");
    }
    if (kindName.isEmpty()) {
      return new Failed(document, Optional.empty(), "kind: required");
    }
    int slash = apiVersion.indexOf('/');
    String group = slash < 0 ? "" : apiVersion.substring(0, slash);
    String version = slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    Optional<Kind> kind = Kind.fromManifest(group, kindName);
    if (kind.isEmpty()) {
      return new Failed(document, Optional.empty(),
          "kind: unsupported kind " + kindName + " in apiVersion " + apiVersion + " (supported: " + SUPPORTED + ")");
    }
    JsonNode metadata = node.path("metadata");
    String name = metadata.path("name").asText("");
    String namespace = metadata.path("namespace").asText("");
    if (namespace.isEmpty() || kind.get().clusterScoped()) {
      namespace = "default"; // Kubernetes ignores a namespace on a cluster-scoped object; so do we
    }
    if (name.isEmpty()) {
      return new Failed(document, Optional.empty(), kindName + ": metadata.name: required");
    }
    ResourceKey key = ResourceKey.of(kind.get(), namespace, name);
    if (!validName(name)) {
      return new Failed(
          document,
          Optional.of(key),
          "metadata.name: must be a DNS subdomain (lower case letters, digits, '-', '.'), got '"
              + name
              + "'");
    }
    if (!validName(namespace) || namespace.contains(".")) {
      return new Failed(document, Optional.of(key), "metadata.namespace: must be a DNS label, got '" + namespace + "'");
    }
    boolean versionOk = switch (kind.get().group()) {
      case "networking.istio.io" -> ISTIO_VERSIONS.contains(version);
      case Kind.GatewayApi.GROUP -> GATEWAY_API_VERSIONS.contains(version)
          || ALPHA_ROUTE_VERSIONS.contains(kind.get().topicName().replace(Kind.GatewayApi.GROUP, version));
      default -> version.equals("v1");
    };
    if (!versionOk) {
      return new Failed(document, Optional.of(key), "apiVersion: unsupported version " + apiVersion);
    }
    ObjectNode manifest = owned ? (ObjectNode) node : ((ObjectNode) node).deepCopy();
    ((ObjectNode) manifest.with("metadata")).put("namespace", namespace);
    try {
      return new Ok(document, new Resource(key, manifest));
    } catch (IllegalArgumentException e) {
      return new Failed(document, Optional.of(key), e.getMessage());
    }
  }

  private static boolean validName(String name) {
    return name.length() <= 253 && DNS_SUBDOMAIN.matcher(name).matches();
  }

  private static String firstLine(Exception e) {
    String message =
        e instanceof JsonProcessingException j
            ? j.getOriginalMessage() + locationOf(j)
            : String.valueOf(e.getMessage());
    List<String> lines = message.lines().toList();
    return lines.isEmpty() ? e.getClass().getSimpleName() : lines.get(0);
  }

  private static String locationOf(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (line "
            + e.getLocation().getLineNr()
            + ", column "
            + e.getLocation().getColumnNr()
            + ")";
  }
}
