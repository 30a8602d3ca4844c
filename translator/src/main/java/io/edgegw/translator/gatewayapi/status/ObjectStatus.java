package io.edgegw.translator.gatewayapi.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * A Gateway API object's {@code .status} as the translation decides it: GatewayClass, Gateway and
 * ListenerSet {@code conditions}, a Gateway's or ListenerSet's {@code listeners}, a route's {@code
 * parents}, a policy's {@code ancestors} (as {@code parents}, the ref written {@code ancestorRef}).
 * Pure: no clock; the caller gives the time when it renders ({@link #toJson}).
 *
 * @param generation the object's {@code metadata.generation}, echoed as each condition's {@code
 *     observedGeneration}; empty when the object has none
 * @param attachedListenerSets a Gateway's {@code attachedListenerSets}; empty (not rendered) for a
 *     Gateway that allows no ListenerSet and for other kinds
 * @param addresses a Gateway's {@code addresses}, IP addresses (rendered with type IPAddress; not
 *     rendered when empty)
 */
public record ObjectStatus(
    Shape shape,
    OptionalLong generation,
    ImmutableList<Condition> conditions,
    ImmutableList<ListenerStatus> listeners,
    ImmutableList<ParentStatus> parents,
    OptionalInt attachedListenerSets,
    ImmutableList<String> addresses) {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  /** Which fields the object's {@code .status} has. */
  public enum Shape {
    GATEWAY_CLASS,
    GATEWAY,
    LISTENER_SET,
    ROUTE,
    POLICY
  }

  public ObjectStatus {
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(generation, "generation");
    Objects.requireNonNull(conditions, "conditions");
    Objects.requireNonNull(listeners, "listeners");
    Objects.requireNonNull(parents, "parents");
    Objects.requireNonNull(attachedListenerSets, "attachedListenerSets");
    Objects.requireNonNull(addresses, "addresses");
  }

  public ObjectStatus(
      Shape shape,
      OptionalLong generation,
      ImmutableList<Condition> conditions,
      ImmutableList<ListenerStatus> listeners,
      ImmutableList<ParentStatus> parents,
      OptionalInt attachedListenerSets) {
    this(shape, generation, conditions, listeners, parents, attachedListenerSets, ImmutableList.of());
  }

  /** This Gateway's status with {@code addresses}. */
  public ObjectStatus withAddresses(ImmutableList<String> ips) {
    return new ObjectStatus(shape, generation, conditions, listeners, parents, attachedListenerSets, ips);
  }

  public static ObjectStatus gatewayClass(OptionalLong generation, ImmutableList<Condition> conditions) {
    return new ObjectStatus(
        Shape.GATEWAY_CLASS, generation, conditions, ImmutableList.of(), ImmutableList.of(), OptionalInt.empty());
  }

  public static ObjectStatus gateway(
      OptionalLong generation, ImmutableList<Condition> conditions, ImmutableList<ListenerStatus> listeners) {
    return new ObjectStatus(Shape.GATEWAY, generation, conditions, listeners, ImmutableList.of(), OptionalInt.empty());
  }

  public static ObjectStatus listenerSet(
      OptionalLong generation, ImmutableList<Condition> conditions, ImmutableList<ListenerStatus> listeners) {
    return new ObjectStatus(
        Shape.LISTENER_SET, generation, conditions, listeners, ImmutableList.of(), OptionalInt.empty());
  }

  /** This Gateway's status with {@code attachedListenerSets}. */
  public ObjectStatus withAttachedListenerSets(int count) {
    return new ObjectStatus(shape, generation, conditions, listeners, parents, OptionalInt.of(count), addresses);
  }

  public static ObjectStatus route(OptionalLong generation, ImmutableList<ParentStatus> parents) {
    return new ObjectStatus(
        Shape.ROUTE, generation, ImmutableList.of(), ImmutableList.of(), parents, OptionalInt.empty());
  }

  /** A policy's {@code ancestors}, in {@code parents}. */
  public static ObjectStatus policy(OptionalLong generation, ImmutableList<ParentStatus> ancestors) {
    return new ObjectStatus(
        Shape.POLICY, generation, ImmutableList.of(), ImmutableList.of(), ancestors, OptionalInt.empty());
  }

  /** Every condition, with where it is: {@code Accepted}, {@code listener http: Programmed}, ... */
  public ImmutableList<String> troubles() {
    ImmutableList.Builder<String> out = ImmutableList.builder();
    conditions.stream().filter(Condition::troubled).forEach(c -> out.add(text(c)));
    for (ListenerStatus l : listeners) {
      l.conditions().stream()
          .filter(Condition::troubled)
          .forEach(c -> out.add("listener " + l.name() + ": " + text(c)));
    }
    for (ParentStatus p : parents) {
      String where = "parent " + p.parentRef().namespace().map(n -> n + "/").orElse("") + p.parentRef().name()
          + p.parentRef().sectionName().map(s -> " " + s).orElse("");
      p.conditions().stream().filter(Condition::troubled).forEach(c -> out.add(where + ": " + text(c)));
    }
    return out.build();
  }

  private static String text(Condition c) {
    return c.type() + " " + (c.status() ? "True" : "False") + " " + c.reason().wire() + ": " + c.message();
  }

  /**
   * The object's {@code .status}, exactly in the API's shape (no wrapper), so that a tool can write
   * it back through the status subresource unchanged. A condition whose status is the same as in
   * {@code previous} (the last rendering) keeps its {@code lastTransitionTime}; any other gets
   * {@code now}, to the second as Kubernetes keeps it.
   */
  public ObjectNode toJson(Instant now, Optional<JsonNode> previous) {
    String stamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
    JsonNode before = previous.orElse(NODES.objectNode());
    ObjectNode out = NODES.objectNode();
    switch (shape) {
      case GATEWAY_CLASS -> conditions(out, conditions, before.path("conditions"), stamp);
      case GATEWAY, LISTENER_SET -> {
        if (!addresses.isEmpty()) {
          ArrayNode list = out.putArray("addresses");
          addresses.forEach(a -> list.addObject().put("type", "IPAddress").put("value", a));
        }
        conditions(out, conditions, before.path("conditions"), stamp);
        attachedListenerSets.ifPresent(n -> out.put("attachedListenerSets", n));
        ArrayNode list = out.putArray("listeners");
        for (ListenerStatus l : listeners) {
          ObjectNode node = list.addObject();
          node.put("name", l.name());
          ArrayNode kinds = node.putArray("supportedKinds");
          l.supportedKinds().forEach(k -> kinds.addObject().put("group", "gateway.networking.k8s.io").put("kind", k));
          node.put("attachedRoutes", l.attachedRoutes());
          conditions(node, l.conditions(), find(before.path("listeners"), "name", NODES.textNode(l.name()))
              .path("conditions"), stamp);
        }
      }
      case ROUTE, POLICY -> {
        String listName = shape == Shape.ROUTE ? "parents" : "ancestors";
        String refName = shape == Shape.ROUTE ? "parentRef" : "ancestorRef";
        ArrayNode list = out.putArray(listName);
        for (ParentStatus p : parents) {
          ObjectNode node = list.addObject();
          ObjectNode ref = node.putObject(refName);
          ParentStatus.ParentRef r = p.parentRef();
          r.group().ifPresent(g -> ref.put("group", g));
          r.kind().ifPresent(k -> ref.put("kind", k));
          r.namespace().ifPresent(n -> ref.put("namespace", n));
          ref.put("name", r.name());
          r.sectionName().ifPresent(s -> ref.put("sectionName", s));
          r.port().ifPresent(port -> ref.put("port", port));
          node.put("controllerName", p.controllerName());
          conditions(node, p.conditions(), find(before.path(listName), refName, ref).path("conditions"), stamp);
        }
      }
    }
    return out;
  }

  private void conditions(ObjectNode into, ImmutableList<Condition> list, JsonNode before, String stamp) {
    ArrayNode out = into.putArray("conditions");
    for (Condition c : list) {
      ObjectNode node = out.addObject();
      String status = c.status() ? "True" : "False";
      node.put("type", c.type()).put("status", status);
      generation.ifPresent(g -> node.put("observedGeneration", g));
      JsonNode old = find(before, "type", NODES.textNode(c.type()));
      node.put("lastTransitionTime",
          old.path("status").asText().equals(status) && old.hasNonNull("lastTransitionTime")
              ? old.get("lastTransitionTime").asText()
              : stamp);
      node.put("reason", c.reason().wire()).put("message", c.message());
    }
  }

  private static JsonNode find(JsonNode array, String field, JsonNode value) {
    for (JsonNode item : array) {
      if (value.equals(item.get(field))) {
        return item;
      }
    }
    return NODES.missingNode();
  }
}
