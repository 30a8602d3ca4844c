package io.edgegw.translator.decode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * One value of a manifest together with its field path ({@code spec.http[0].route}), so every
 * decoding problem names the field the user has to fix. Type mismatches are reported here once;
 * callers get an empty result and carry on, so one run reports every problem of a resource.
 */
public final class Field {
  private final JsonNode json;
  private final String path;
  private final Problems problems;

  private Field(JsonNode json, String path, Problems problems) {
    this.json = json == null ? MissingNode.getInstance() : json;
    this.path = path;
    this.problems = problems;
  }

  /** The root of a manifest part, e.g. {@code spec}. */
  public static Field root(JsonNode json, String path, Problems problems) {
    return new Field(json, path, problems);
  }

  public String path() {
    return path;
  }

  public Problems problems() {
    return problems;
  }

  /** The same value and path, its problems collected in {@code other} (a part decoded on its own). */
  public Field reportingTo(Problems other) {
    return new Field(json, path, other);
  }

  /** The value itself: a memo key for a part decoded on its own (compare with {@code equals}). */
  public JsonNode json() {
    return json;
  }

  /** Absent and explicit {@code null} are the same: YAML writes "not set" both ways. */
  public boolean present() {
    return !json.isMissingNode() && !json.isNull();
  }

  public Field get(String name) {
    JsonNode child = json.isObject() ? json.get(name) : null;
    return new Field(child, path.isEmpty() ? name : path + "." + name, problems);
  }

  /** True when present and an object; reports a type error when present and not an object. */
  public boolean isObject() {
    if (!present()) {
      return false;
    }
    if (!json.isObject()) {
      typeError("an object");
      return false;
    }
    return true;
  }

  /** Reports every field not in {@code known} as an ERROR, so typos do not silently do nothing. */
  public void allowOnly(ImmutableSet<String> known) {
    if (!json.isObject()) {
      return;
    }
    for (Map.Entry<String, JsonNode> e : json.properties()) {
      if (!known.contains(e.getKey())) {
        problems.error(get(e.getKey()).path, "unknown field");
      }
    }
  }

  /** Reports each present field of {@code fields} as a WARNING: known to Istio, not supported here. */
  public void notSupported(String... fields) {
    for (String name : fields) {
      Field f = get(name);
      if (f.present()) {
        f.warning("not supported yet");
      }
    }
  }

  /**
   * An empty list, or no list at all. A value of the wrong type is not "empty": its type error is
   * the one diagnostic, without a second "required" for the same field.
   */
  public boolean isEmptyList() {
    return !present() || (json.isArray() && json.isEmpty());
  }

  public ImmutableList<Field> items() {
    if (!present()) {
      return ImmutableList.of();
    }
    if (!json.isArray()) {
      typeError("a list");
      return ImmutableList.of();
    }
    ImmutableList.Builder<Field> out = ImmutableList.builder();
    for (int i = 0; i < json.size(); i++) {
      out.add(new Field(json.get(i), path + "[" + i + "]", problems));
    }
    return out.build();
  }

  /** The entries of an object whose keys are data (labels, header names), in key order. */
  public ImmutableSortedMap<String, Field> entries() {
    if (!isObject()) {
      return ImmutableSortedMap.of();
    }
    ImmutableSortedMap.Builder<String, Field> out = ImmutableSortedMap.naturalOrder();
    for (Map.Entry<String, JsonNode> e : json.properties()) {
      out.put(e.getKey(), new Field(e.getValue(), path + "." + e.getKey(), problems));
    }
    return out.build();
  }

  public Optional<String> string() {
    if (!present()) {
      return Optional.empty();
    }
    if (!json.isTextual()) {
      typeError("a string");
      return Optional.empty();
    }
    return Optional.of(json.textValue());
  }

  public String string(String fallback) {
    return string().orElse(fallback);
  }

  public OptionalInt integer() {
    if (!present()) {
      return OptionalInt.empty();
    }
    if (!json.isIntegralNumber() || !json.canConvertToInt()) {
      typeError("an integer");
      return OptionalInt.empty();
    }
    return OptionalInt.of(json.intValue());
  }

  /** Any JSON number (protobuf double), e.g. a percentage such as {@code 0.5}; integers are accepted too. */
  public OptionalDouble number() {
    if (!present()) {
      return OptionalDouble.empty();
    }
    if (!json.isNumber()) {
      typeError("a number");
      return OptionalDouble.empty();
    }
    return OptionalDouble.of(json.doubleValue());
  }

  public boolean bool(boolean fallback) {
    if (!present()) {
      return fallback;
    }
    if (!json.isBoolean()) {
      typeError("a boolean");
      return fallback;
    }
    return json.booleanValue();
  }

  /** Kubernetes int-or-string (targetPort): the raw node, for the caller to tell apart. */
  public boolean isTextual() {
    return present() && json.isTextual();
  }

  public ImmutableList<String> strings() {
    ImmutableList.Builder<String> out = ImmutableList.builder();
    for (Field item : items()) {
      item.string().ifPresent(out::add);
    }
    return out.build();
  }

  public ImmutableSortedMap<String, String> stringMap() {
    ImmutableSortedMap.Builder<String, String> out = ImmutableSortedMap.naturalOrder();
    entries().forEach((k, v) -> v.string().ifPresent(s -> out.put(k, s)));
    return out.build();
  }

  public void error(String message) {
    problems.error(path, message);
  }

  public void warning(String message) {
    problems.warning(path, message);
  }

  private void typeError(String expected) {
    error("expected " + expected + ", got " + describe(json));
  }

  private static String describe(JsonNode node) {
    return switch (node.getNodeType()) {
      case STRING -> "string \"" + node.textValue() + "\"";
      case NUMBER -> "number " + node.asText();
      case BOOLEAN -> "boolean " + node.asText();
      case ARRAY -> "a list";
      case OBJECT -> "an object";
      default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
