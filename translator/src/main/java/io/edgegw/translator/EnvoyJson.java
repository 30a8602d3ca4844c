package io.edgegw.translator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.common.collect.ImmutableSet;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.edgegw.translator.xds.EnvoyTypes;
import java.util.List;
import java.util.Map;

/**
 * Envoy resources as JSON or YAML with Envoy's own field names, for the CLI, the admin config
 * dump and golden tests. Private key material never leaves: it is replaced by {@code [redacted]}.
 */
public final class EnvoyJson {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = YAMLMapper.builder(new YAMLFactory())
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .build();
  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().usingTypeRegistry(EnvoyTypes.REGISTRY).preservingProtoFieldNames();

  /** Fields whose whole value is secret (TlsCertificate.private_key, .password, session ticket keys). */
  private static final ImmutableSet<String> SECRET_FIELDS =
      ImmutableSet.of("private_key", "password", "session_ticket_keys");

  static final String REDACTED = "[redacted]";

  private EnvoyJson() {}

  public static ObjectNode toJson(EnvoyResources r) {
    ObjectNode out = JSON.createObjectNode();
    out.set("listeners", array(r.listeners()));
    out.set("routes", array(r.routes()));
    out.set("clusters", array(r.clusters()));
    out.set("endpoints", array(r.endpoints()));
    out.set("secrets", array(r.secrets()));
    if (!r.scopes().isEmpty()) { // only with route scopes on, so the usual output keeps its shape
      out.set("scopes", array(r.scopes()));
    }
    redact(out);
    return out;
  }

  public static String toYaml(EnvoyResources r) {
    try {
      return YAML.writeValueAsString(toJson(r));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree always serialises", e);
    }
  }

  private static ArrayNode array(List<? extends MessageOrBuilder> messages) {
    ArrayNode out = JSON.createArrayNode();
    for (MessageOrBuilder m : messages) {
      try {
        out.add(JSON.readTree(PRINTER.print(m)));
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("an Any type is missing from EnvoyTypes.REGISTRY: " + e.getMessage(), e);
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("JsonFormat printed invalid JSON", e);
      }
    }
    return out;
  }

  private static void redact(JsonNode node) {
    if (node instanceof ObjectNode object) {
      for (Map.Entry<String, JsonNode> e : object.properties()) {
        if (SECRET_FIELDS.contains(e.getKey())) {
          e.setValue(object.textNode(REDACTED));
        } else {
          redact(e.getValue());
        }
      }
    } else if (node instanceof ArrayNode array) {
      array.forEach(EnvoyJson::redact);
    }
  }
}
