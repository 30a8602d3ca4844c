package io.edgegw.translator.gatewayapi.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Collects, while the Gateway API front end decides, the conditions each of our objects gets, and
 * builds their {@code .status} ({@link ObjectStatus}). One per translation; not thread-safe.
 *
 * <p>Only objects recorded here get a status: GatewayClasses of our controller, the Gateways we
 * serve, and routes with a parentRef to one of those (only those parents). Another controller's
 * objects are never given one.
 *
 * <p>How to record (every condition defaults to the good case; the first trouble recorded wins):
 *
 * <pre>{@code
 * status.gatewayClass(classKey);                                   // Accepted True
 * status.gateway(gatewayKey);                                      // the Gateway is ours
 * status.gatewayAddresses(gatewayKey, ImmutableList.of("10.0.0.5")); // status.addresses
 * status.refuseGateway(gatewayKey, new Condition(Condition.PROGRAMMED, false,
 *     Reason.ADDRESS_NOT_USABLE, "..."));                          // not served (GatewayAddresses)
 * status.listener(gatewayKey, "https").supportedKinds("HTTPRoute")
 *     .resolvedRefs(false, Reason.INVALID_CERTIFICATE_REF, "no Secret ns/cert");
 * status.listener(gatewayKey, "http").conflicted(true, Reason.HOSTNAME_CONFLICT, "...");
 * status.listener(gatewayKey, "tcp").accepted(false, Reason.UNSUPPORTED_PROTOCOL, "...");
 * status.listener(gatewayKey, "http").attach(routeKey);            // attachedRoutes, once per route
 * status.routeParent(routeKey, parentIndex);                       // Accepted True (and ResolvedRefs)
 * status.routeParent(routeKey, parentIndex)
 *     .accepted(false, Reason.NOT_ALLOWED_BY_LISTENERS, "...");
 * status.route(routeKey).resolvedRefs(false, Reason.BACKEND_NOT_FOUND, "..."); // every parent
 * status.route(routeKey).accepted(false, Reason.UNSUPPORTED_VALUE, "...");     // every parent
 * }</pre>
 *
 * <p>Diagnostics need no call of their own: {@link #noteDiagnostics} reads every diagnostic of a
 * recorded route or Gateway whose message names a reason in parentheses ({@code ... (BackendNotFound)}):
 * on a route's {@code backendRefs} field BackendNotFound, RefNotPermitted, InvalidKind or
 * UnsupportedProtocol make ResolvedRefs False, UnsupportedValue anywhere makes Accepted False; on a
 * Gateway's (or ListenerSet's) {@code spec.listeners[i]} field InvalidCertificateRef, RefNotPermitted and
 * InvalidRouteKinds make that listener's ResolvedRefs False, UnsupportedProtocol, PortUnavailable and
 * UnsupportedValue its Accepted False,
 * HostnameConflict and ProtocolConflict its Conflicted True. A Gateway listener the front end did not
 * record at all (the decoder left it out: a protocol not supported) is reported Accepted False
 * UnsupportedProtocol, unless a diagnostic named another reason (a TLS mode not supported: UnsupportedValue).
 *
 * <p>Derived: a listener is Programmed unless it is not accepted, conflicted, or without a usable
 * certificate (ResolvedRefs False InvalidCertificateRef or RefNotPermitted); a Gateway is Accepted
 * when all its listeners are (ListenersNotValid when only some are, False when none), Programmed when
 * one of them is.
 *
 * <p>ListenerSets ({@code status.listenerSet(setKey, gatewayKey)}, their listeners with {@code
 * status.listener(setKey, name)}): a conflicted listener is not Programmed and not Accepted either
 * (the specification's precedence keeps the other); a ListenerSet is Accepted when one of its
 * listeners is both, and counted in its Gateway's {@code attachedListenerSets} (rendered for a
 * Gateway that {@link #allowsListenerSets allows ListenerSets}).
 */
public final class StatusCollector {
  private static final Pattern LISTENER_FIELD = Pattern.compile("^spec\\.listeners\\[(\\d+)]");
  private static final ImmutableSet<Reason> BACKEND_REASONS = ImmutableSet.of(
      Reason.BACKEND_NOT_FOUND, Reason.REF_NOT_PERMITTED, Reason.INVALID_KIND, Reason.UNSUPPORTED_PROTOCOL);

  private final String controllerName;
  private final Set<ResourceKey> classes = new LinkedHashSet<>();
  private final Map<ResourceKey, Map<String, Listener>> gateways = new TreeMap<>();
  private final Map<ResourceKey, Map<Integer, Parent>> routeParents = new TreeMap<>();
  private final Map<ResourceKey, Conditions> routes = new TreeMap<>();
  private final Map<ResourceKey, Map<Integer, Conditions>> listenersByIndex = new TreeMap<>();
  private final Map<ResourceKey, Map<ResourceKey, Conditions>> policyAncestors = new TreeMap<>();
  private final Map<ResourceKey, SetEntry> listenerSets = new TreeMap<>();
  private final Set<ResourceKey> allowingListenerSets = new LinkedHashSet<>();
  private final Set<ResourceKey> insecureFrontendValidation = new LinkedHashSet<>();
  private final Map<ResourceKey, Condition> refusedGateways = new TreeMap<>();
  private final Map<ResourceKey, ImmutableList<String>> gatewayAddresses = new TreeMap<>();
  private final Map<ResourceKey, Conditions> gatewayRefs = new TreeMap<>();

  /** A ListenerSet's parent Gateway and its own conditions (Accepted). */
  private record SetEntry(ResourceKey gateway, Conditions conditions) {}

  /**
   * A Gateway's or ListenerSet's listeners' statuses, with how many are accepted, programmed, and
   * valid (both).
   */
  private record Listeners(
      ImmutableList<ListenerStatus> statuses, int count, int accepted, int programmed, int valid) {}

  public StatusCollector(String controllerName) {
    this.controllerName = controllerName;
  }

  /** A GatewayClass of our controller: Accepted. */
  public void gatewayClass(ResourceKey key) {
    classes.add(key);
  }

  /** A Gateway we serve. */
  public void gateway(ResourceKey key) {
    gateways.computeIfAbsent(key, k -> new LinkedHashMap<>());
  }

  /**
   * Listener {@code name} of the served Gateway {@code gateway} (which is recorded too), or of an
   * attached ListenerSet ({@code gateway} is then the ListenerSet's key).
   */
  public Listener listener(ResourceKey gateway, String name) {
    return gateways.computeIfAbsent(gateway, k -> new LinkedHashMap<>()).computeIfAbsent(name, n -> new Listener());
  }

  /**
   * A ListenerSet whose parentRef names {@code gateway}, a Gateway we serve: Accepted (and counted in
   * the Gateway's {@code attachedListenerSets}) unless told otherwise or none of its listeners is.
   */
  public Conditions listenerSet(ResourceKey set, ResourceKey gateway) {
    return listenerSets.computeIfAbsent(set, k -> new SetEntry(gateway, new Conditions())).conditions();
  }

  /** {@code gateway}'s {@code allowedListeners} lets ListenerSets attach: its status counts them. */
  public void allowsListenerSets(ResourceKey gateway) {
    allowingListenerSets.add(gateway);
  }

  /**
   * {@code gateway} (recorded) is not served, for {@code why}: Accepted False (UnsupportedAddress,
   * InvalidParameters) or Programmed False (AddressNotUsable, AddressNotAssigned). Its listeners are then
   * not Programmed.
   */
  public void refuseGateway(ResourceKey gateway, Condition why) {
    refusedGateways.putIfAbsent(gateway, why);
  }

  /** The IP addresses {@code gateway} is served at: its {@code status.addresses}. */
  public void gatewayAddresses(ResourceKey gateway, ImmutableList<String> addresses) {
    gatewayAddresses.put(gateway, addresses);
  }

  /** {@code gateway} validates client certificates in mode AllowInsecureFallback somewhere. */
  public void insecureFrontendValidation(ResourceKey gateway) {
    insecureFrontendValidation.add(gateway);
  }

  /**
   * The Gateway's own references ({@code spec.tls.backend.clientCertificateRef}): once called, its
   * status has a ResolvedRefs condition, False with the first trouble recorded here, else
   * ListenersNotResolved when a listener's ResolvedRefs is False, else True.
   */
  public Conditions gatewayRefs(ResourceKey gateway) {
    return gatewayRefs.computeIfAbsent(gateway, k -> new Conditions());
  }

  /** The route's {@code spec.parentRefs[index]}, which names a Gateway (or ListenerSet) we serve. */
  public Parent routeParent(ResourceKey route, int index) {
    return routeParents.computeIfAbsent(route, k -> new TreeMap<>()).computeIfAbsent(index, i -> new Parent());
  }

  /** Conditions for every parent of the route (recorded by {@link #routeParent}). */
  public Conditions route(ResourceKey route) {
    return routes.computeIfAbsent(route, k -> new Conditions());
  }

  /**
   * Ancestor {@code gateway} (a Gateway we serve) of a policy (BackendTLSPolicy): its status lists
   * {@code ancestors}, each with Accepted and ResolvedRefs.
   */
  public Conditions policyAncestor(ResourceKey policy, ResourceKey gateway) {
    return policyAncestors.computeIfAbsent(policy, k -> new TreeMap<>())
        .computeIfAbsent(gateway, g -> new Conditions());
  }

  /** Conditions of one listener or parent: the first trouble recorded for a type wins. */
  public static class Conditions {
    private final Map<String, Condition> troubles = new LinkedHashMap<>();

    void set(String type, boolean status, Reason reason, String message) {
      Condition c = new Condition(type, status, reason, message);
      if (c.troubled()) {
        troubles.putIfAbsent(type, c);
      }
    }

    Optional<Condition> trouble(String type) {
      return Optional.ofNullable(troubles.get(type));
    }

    public Conditions accepted(boolean status, Reason reason, String message) {
      set(Condition.ACCEPTED, status, reason, message);
      return this;
    }

    public Conditions resolvedRefs(boolean status, Reason reason, String message) {
      set(Condition.RESOLVED_REFS, status, reason, message);
      return this;
    }

    Condition or(String type, Reason reason, String message) {
      return trouble(type).orElse(new Condition(type, !type.equals(Condition.CONFLICTED), reason, message));
    }
  }

  /** A route's parent: Accepted, ResolvedRefs. */
  public static final class Parent extends Conditions {}

  /** A Gateway listener: Accepted, Programmed, ResolvedRefs, Conflicted, supportedKinds, attachedRoutes. */
  public static final class Listener extends Conditions {
    private final Set<String> kinds = new LinkedHashSet<>();
    private final Set<ResourceKey> attached = new LinkedHashSet<>();

    /** Route kinds (group gateway.networking.k8s.io) that may attach: {@code HTTPRoute}. */
    public Listener supportedKinds(String... routeKinds) {
      kinds.addAll(ImmutableList.copyOf(routeKinds));
      return this;
    }

    /** {@code route} is attached here (counted once however many parentRefs lead here). */
    public Listener attach(ResourceKey route) {
      attached.add(route);
      return this;
    }

    public Listener conflicted(boolean status, Reason reason, String message) {
      set(Condition.CONFLICTED, status, reason, message);
      return this;
    }

    public Listener programmed(boolean status, Reason reason, String message) {
      set(Condition.PROGRAMMED, status, reason, message);
      return this;
    }

    @Override
    public Listener accepted(boolean status, Reason reason, String message) {
      super.accepted(status, reason, message);
      return this;
    }

    @Override
    public Listener resolvedRefs(boolean status, Reason reason, String message) {
      super.resolvedRefs(status, reason, message);
      return this;
    }
  }

  /** Reads the reasons named by diagnostics of recorded routes and Gateways (see the class comment). */
  public void noteDiagnostics(Iterable<Diagnostic> diagnostics) {
    for (Diagnostic d : diagnostics) {
      Optional<Reason> reason = Reason.in(d.message());
      if (reason.isEmpty()) {
        continue;
      }
      String text = (d.field().isEmpty() ? "" : d.field() + ": ") + d.message();
      if (routeParents.containsKey(d.resource())) {
        if (d.field().contains("backendRefs") && BACKEND_REASONS.contains(reason.get())) {
          route(d.resource()).resolvedRefs(false, reason.get(), text);
        } else if (reason.get() == Reason.UNSUPPORTED_VALUE) {
          route(d.resource()).accepted(false, reason.get(), text);
        }
      } else if (gateways.containsKey(d.resource())) {
        Matcher m = LISTENER_FIELD.matcher(d.field());
        if (m.find()) {
          Conditions c = listenersByIndex.computeIfAbsent(d.resource(), k -> new TreeMap<>())
              .computeIfAbsent(Integer.parseInt(m.group(1)), i -> new Listener());
          switch (reason.get()) {
            case INVALID_CERTIFICATE_REF, REF_NOT_PERMITTED, INVALID_ROUTE_KINDS ->
                c.resolvedRefs(false, reason.get(), text);
            case UNSUPPORTED_PROTOCOL, PORT_UNAVAILABLE, UNSUPPORTED_VALUE -> c.accepted(false, reason.get(), text);
            case HOSTNAME_CONFLICT, PROTOCOL_CONFLICT -> c.set(Condition.CONFLICTED, true, reason.get(), text);
            default -> { }
          }
        }
      }
    }
  }

  /** Every recorded object's status; {@code inputs} give generations and the parentRefs as written. */
  public ImmutableMap<ResourceKey, ObjectStatus> build(InputSet inputs) {
    ImmutableMap.Builder<ResourceKey, ObjectStatus> out = ImmutableMap.builder();
    for (ResourceKey key : classes) {
      out.put(key, ObjectStatus.gatewayClass(generation(inputs, key), ImmutableList.of(
          new Condition(Condition.ACCEPTED, true, Reason.ACCEPTED, "edgegw (" + controllerName
              + ") serves the Gateways of this class"))));
    }
    Map<ResourceKey, ObjectStatus> gatewayStatuses = new TreeMap<>();
    gateways.forEach((key, recorded) -> {
      if (!listenerSets.containsKey(key)) {
        gatewayStatuses.put(key, gatewayStatus(inputs, key, recorded));
      }
    });
    Map<ResourceKey, Integer> attachedSets = new TreeMap<>();
    allowingListenerSets.forEach(g -> attachedSets.put(g, 0));
    listenerSets.forEach((key, entry) -> {
      ObjectStatus parent = gatewayStatuses.get(entry.gateway());
      boolean parentAccepted = parent != null && parent.conditions().get(0).status();
      ObjectStatus set = listenerSetStatus(inputs, key, entry, gateways.get(key), parentAccepted);
      out.put(key, set);
      if (set.conditions().get(0).status()) {
        attachedSets.merge(entry.gateway(), 1, Integer::sum);
      }
    });
    gatewayStatuses.forEach((key, gateway) -> out.put(key,
        attachedSets.containsKey(key) ? gateway.withAttachedListenerSets(attachedSets.get(key)) : gateway));
    routeParents.forEach((key, parents) -> out.put(key, routeStatus(inputs, key, parents)));
    policyAncestors.forEach((key, ancestors) -> out.put(key, policyStatus(inputs, key, ancestors)));
    return out.buildKeepingLast();
  }

  private ObjectStatus gatewayStatus(InputSet inputs, ResourceKey key, Map<String, Listener> recorded) {
    Condition refused = refusedGateways.get(key);
    if (refused != null) {
      recorded.values().forEach(l -> l.programmed(false, Reason.INVALID, "the Gateway is not served: "
          + refused.message()));
    }
    Listeners listeners = listeners(inputs, key, recorded, false);
    int count = listeners.count();
    int accepted = listeners.accepted();
    int programmed = listeners.programmed();
    Condition gatewayAccepted = accepted == count
        ? new Condition(Condition.ACCEPTED, true, Reason.ACCEPTED, "served by edgegw (" + controllerName + ")")
        : new Condition(Condition.ACCEPTED, accepted > 0, Reason.LISTENERS_NOT_VALID,
            (count - accepted) + " of " + count + " listeners are not valid; see status.listeners");
    Condition gatewayProgrammed = programmed > 0
        ? new Condition(Condition.PROGRAMMED, true, Reason.PROGRAMMED, programmed + " of " + count
            + " listeners served")
        : new Condition(Condition.PROGRAMMED, false, Reason.INVALID, "no listener can be served");
    if (refused != null && refused.type().equals(Condition.ACCEPTED)) {
      gatewayAccepted = refused;
      gatewayProgrammed = new Condition(Condition.PROGRAMMED, false, Reason.INVALID, "not served: "
          + refused.message());
    } else if (refused != null) {
      gatewayProgrammed = refused;
    }
    ImmutableList.Builder<Condition> conditions =
        ImmutableList.<Condition>builder().add(gatewayAccepted, gatewayProgrammed);
    Conditions refs = gatewayRefs.get(key);
    if (refs != null) {
      long unresolved = listeners.statuses().stream().filter(l -> l.conditions().stream()
          .anyMatch(c -> c.type().equals(Condition.RESOLVED_REFS) && !c.status())).count();
      conditions.add(refs.trouble(Condition.RESOLVED_REFS).orElse(unresolved > 0
          ? new Condition(Condition.RESOLVED_REFS, false, Reason.LISTENERS_NOT_RESOLVED,
              unresolved + " of " + count + " listeners have unresolved references; see status.listeners")
          : new Condition(Condition.RESOLVED_REFS, true, Reason.RESOLVED_REFS, "all references resolved")));
    }
    if (insecureFrontendValidation.contains(key)) {
      conditions.add(new Condition(Condition.INSECURE_FRONTEND_VALIDATION_MODE, true, Reason.CONFIGURATION_CHANGED,
          "client certificate validation in mode AllowInsecureFallback: clients without a valid certificate"
              + " are let through"));
    }
    return ObjectStatus.gateway(generation(inputs, key), conditions.build(), listeners.statuses())
        .withAddresses(gatewayAddresses.getOrDefault(key, ImmutableList.of()));
  }

  /**
   * A ListenerSet's status: refused as a whole (NotAllowed, ParentNotAccepted) with no listeners, or
   * Accepted when one of its listeners is (ListenersNotValid when only some are), Programmed when one
   * is. A conflicted listener of a ListenerSet is not accepted (the specification's precedence keeps
   * the other one).
   */
  private ObjectStatus listenerSetStatus(
      InputSet inputs, ResourceKey key, SetEntry entry, Map<String, Listener> recorded, boolean parentAccepted) {
    OptionalLong generation = generation(inputs, key);
    Optional<Condition> refused = entry.conditions().trouble(Condition.ACCEPTED);
    if (refused.isEmpty() && !parentAccepted) {
      refused = Optional.of(new Condition(Condition.ACCEPTED, false, Reason.PARENT_NOT_ACCEPTED,
          "the parent Gateway " + entry.gateway().namespace() + "/" + entry.gateway().name() + " is not accepted"));
    }
    if (refused.isPresent() || recorded == null) {
      Condition accepted = refused.orElse(new Condition(Condition.ACCEPTED, false, Reason.INVALID, "not attached"));
      return ObjectStatus.listenerSet(generation, ImmutableList.of(accepted,
          new Condition(Condition.PROGRAMMED, false, accepted.reason(), accepted.message())), ImmutableList.of());
    }
    Listeners listeners = listeners(inputs, key, recorded, true);
    int count = listeners.count();
    Condition accepted = listeners.valid() == count
        ? new Condition(Condition.ACCEPTED, true, Reason.ACCEPTED, "attached to Gateway "
            + entry.gateway().namespace() + "/" + entry.gateway().name())
        : new Condition(Condition.ACCEPTED, listeners.valid() > 0, Reason.LISTENERS_NOT_VALID,
            (count - listeners.valid()) + " of " + count + " listeners are not valid; see status.listeners");
    Condition programmed = listeners.programmed() > 0
        ? new Condition(Condition.PROGRAMMED, true, Reason.PROGRAMMED,
            listeners.programmed() + " of " + count + " listeners served")
        : new Condition(Condition.PROGRAMMED, false, Reason.LISTENERS_NOT_VALID, "no listener can be served");
    return ObjectStatus.listenerSet(generation, ImmutableList.of(accepted, programmed), listeners.statuses());
  }

  /**
   * The status of each listener in the object's {@code spec.listeners}; with {@code conflictRejects}
   * (a ListenerSet's), a conflicted listener is also not Accepted, with the conflict's reason.
   */
  private Listeners listeners(
      InputSet inputs, ResourceKey key, Map<String, Listener> recorded, boolean conflictRejects) {
    ImmutableList.Builder<ListenerStatus> listeners = ImmutableList.builder();
    JsonNode specListeners = manifest(inputs, key).path("spec").path("listeners");
    Map<Integer, Conditions> noted = listenersByIndex.getOrDefault(key, Map.of());
    int accepted = 0;
    int programmed = 0;
    int valid = 0;
    int count = 0;
    for (int i = 0; i < specListeners.size(); i++) {
      JsonNode spec = specListeners.get(i);
      String name = spec.path("name").asText();
      Listener l = recorded.get(name);
      boolean notServed = l == null;
      if (notServed) {
        l = new Listener();
      }
      Conditions n = noted.get(i);
      if (n != null) {
        for (Condition c : n.troubles.values()) {
          l.set(c.type(), c.status(), c.reason(), c.message());
        }
      }
      if (notServed) {
        l.accepted(false, Reason.UNSUPPORTED_PROTOCOL,
            "protocol " + spec.path("protocol").asText() + " is not supported (yet); this listener is not served");
      }
      Condition conflicted = l.or(Condition.CONFLICTED, Reason.NO_CONFLICTS, "no conflict with another listener");
      if (conflictRejects && conflicted.status()) {
        l.accepted(false, conflicted.reason(), conflicted.message());
        l.programmed(false, conflicted.reason(), conflicted.message());
      }
      Optional<Condition> unusable = l.trouble(Condition.RESOLVED_REFS)
          .filter(c -> c.reason() == Reason.INVALID_CERTIFICATE_REF || c.reason() == Reason.REF_NOT_PERMITTED);
      Condition acceptedC = l.or(Condition.ACCEPTED, Reason.ACCEPTED, "listener is valid");
      Condition resolved = l.or(Condition.RESOLVED_REFS, Reason.RESOLVED_REFS, "all references resolved");
      if (!acceptedC.status()) {
        l.programmed(false, Reason.INVALID, "not served: " + acceptedC.message());
      } else if (conflicted.status()) {
        l.programmed(false, Reason.INVALID, "not served: " + conflicted.message());
      } else if (unusable.isPresent()) {
        // Without its certificate the listener is not served.
        l.programmed(false, Reason.INVALID, "not served: " + unusable.get().message());
      }
      Condition programmedC = l.or(Condition.PROGRAMMED, Reason.PROGRAMMED, "served by Envoy");
      count++;
      accepted += acceptedC.status() ? 1 : 0;
      programmed += programmedC.status() ? 1 : 0;
      valid += acceptedC.status() && programmedC.status() ? 1 : 0;
      listeners.add(new ListenerStatus(name, acceptedC.status() ? ImmutableList.copyOf(l.kinds) : ImmutableList.of(),
          l.attached.size(), ImmutableList.of(acceptedC, programmedC, resolved, conflicted)));
    }
    return new Listeners(listeners.build(), count, accepted, programmed, valid);
  }

  private ObjectStatus routeStatus(InputSet inputs, ResourceKey key, Map<Integer, Parent> parents) {
    // Parsed once for both the parentRefs and the generation: at 1000 HTTPRoutes, parsing every
    // route's manifest was the largest part of a change's translation.
    JsonNode manifest = manifest(inputs, key);
    JsonNode refs = manifest.path("spec").path("parentRefs");
    Conditions whole = routes.getOrDefault(key, new Conditions());
    ImmutableList.Builder<ParentStatus> out = ImmutableList.builder();
    parents.forEach((index, p) -> {
      JsonNode ref = refs.path(index);
      whole.trouble(Condition.ACCEPTED).ifPresent(c -> p.set(c.type(), c.status(), c.reason(), c.message()));
      whole.trouble(Condition.RESOLVED_REFS).ifPresent(c -> p.set(c.type(), c.status(), c.reason(), c.message()));
      out.add(new ParentStatus(
          new ParentStatus.ParentRef(text(ref, "group"), text(ref, "kind"), text(ref, "namespace"),
              ref.path("name").asText(), text(ref, "sectionName"),
              ref.path("port").canConvertToInt() ? OptionalInt.of(ref.path("port").asInt()) : OptionalInt.empty()),
          controllerName,
          ImmutableList.of(
              p.or(Condition.ACCEPTED, Reason.ACCEPTED, "attached"),
              p.or(Condition.RESOLVED_REFS, Reason.RESOLVED_REFS, "all references resolved"))));
    });
    return ObjectStatus.route(generation(manifest), out.build());
  }

  private ObjectStatus policyStatus(InputSet inputs, ResourceKey key, Map<ResourceKey, Conditions> ancestors) {
    ImmutableList.Builder<ParentStatus> out = ImmutableList.builder();
    ancestors.forEach((gateway, c) -> out.add(new ParentStatus(
        new ParentStatus.ParentRef(Optional.of(Kind.GatewayApi.GROUP), Optional.of("Gateway"),
            Optional.of(gateway.namespace()), gateway.name(), Optional.empty(), OptionalInt.empty()),
        controllerName,
        ImmutableList.of(
            c.or(Condition.ACCEPTED, Reason.ACCEPTED, "applied to the backends of this Gateway's routes"),
            c.or(Condition.RESOLVED_REFS, Reason.RESOLVED_REFS, "all references resolved")))));
    return ObjectStatus.policy(generation(inputs, key), out.build());
  }

  private static Optional<String> text(JsonNode node, String field) {
    return node.hasNonNull(field) ? Optional.of(node.get(field).asText()) : Optional.empty();
  }

  private static JsonNode manifest(InputSet inputs, ResourceKey key) {
    Resource r = inputs.resources().get(key);
    return r == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : r.manifest();
  }

  private static OptionalLong generation(InputSet inputs, ResourceKey key) {
    return generation(manifest(inputs, key));
  }

  private static OptionalLong generation(JsonNode manifest) {
    JsonNode g = manifest.path("metadata").path("generation");
    return g.canConvertToLong() && g.asLong() > 0 ? OptionalLong.of(g.asLong()) : OptionalLong.empty();
  }
}
