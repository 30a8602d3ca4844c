package io.edgegw.translator.ir;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The IR as deterministic YAML, for golden tests that stop at the IR (front end -> IR) and for
 * reading what a front end produced. Each record becomes a mapping of its components in declaration
 * order; a variant of a sealed interface (a {@link NetworkFilter}, a {@link TlsSecret}) is tagged with
 * {@code type}; an empty {@code Optional} is left out; private keys are redacted.
 */
public final class IrYaml {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final YAMLMapper YAML = new YAMLMapper(new YAMLFactory()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));

  private IrYaml() {}

  public static String toYaml(GatewayConfig config) {
    try {
      return YAML.writeValueAsString(toTree(config));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JsonNode toTree(Object value) {
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof Optional<?> optional) {
      return optional.map(IrYaml::toTree).orElse(NODES.missingNode());
    }
    if (value instanceof java.util.OptionalInt o) {
      return o.isPresent() ? NODES.numberNode(o.getAsInt()) : NODES.missingNode();
    }
    if (value instanceof java.util.OptionalLong o) {
      return o.isPresent() ? NODES.numberNode(o.getAsLong()) : NODES.missingNode();
    }
    if (value instanceof java.util.OptionalDouble o) {
      return o.isPresent() ? NODES.numberNode(o.getAsDouble()) : NODES.missingNode();
    }
    if (value instanceof Record record) {
      ObjectNode node = NODES.objectNode();
      Class<?> type = record.getClass();
      if (type.getInterfaces().length > 0 && type.getInterfaces()[0].isSealed()) {
        node.put("type", type.getSimpleName());
      }
      for (RecordComponent component : type.getRecordComponents()) {
        Object field;
        try {
          field = component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
        if (record instanceof TlsSecret.Certificate && component.getName().equals("privateKey")) {
          node.put("privateKey", "[redacted]");
          continue;
        }
        JsonNode child = toTree(field);
        if (!child.isMissingNode()) {
          node.set(component.getName(), child);
        }
      }
      return node;
    }
    if (value instanceof Collection<?> collection) {
      ArrayNode array = NODES.arrayNode();
      collection.forEach(item -> array.add(toTree(item)));
      return array;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode node = NODES.objectNode();
      new TreeMap<>(map).forEach((k, v) -> node.set(String.valueOf(k), toTree(v)));
      return node;
    }
    if (value instanceof Boolean b) {
      return NODES.booleanNode(b);
    }
    if (value instanceof Integer || value instanceof Long || value instanceof Short) {
      return NODES.numberNode(((Number) value).longValue());
    }
    if (value instanceof Number n) {
      return NODES.numberNode(n.doubleValue());
    }
    // Enums, strings, durations: their text.
    return NODES.textNode(value.toString());
  }
}
