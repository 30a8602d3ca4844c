package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.gatewayapi.status.Reason;
import io.edgegw.translator.gatewayapi.status.StatusCollector;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which ListenerSets attach to the Gateways served, and which of their listeners the Gateway takes in.
 * A ListenerSet attaches when its parentRef names a served Gateway whose {@code allowedListeners}
 * admits the ListenerSet's namespace (None, the default, admits none: NotAllowed). Its listeners are
 * then merged into the Gateway's in the specification's precedence: the Gateway's own listeners first,
 * then ListenerSets oldest first, then by namespace/name. A listener that conflicts with one earlier in
 * that order is not served: another protocol on the same port (ProtocolConflict), or the same port,
 * protocol and hostname (HostnameConflict); the earlier one keeps its place.
 *
 * <p>Each attached ListenerSet comes out in a Gateway's shape ({@link ApiGateway}, keyed by the
 * ListenerSet, of its parent's class) with the listeners merged, so the rest of the front end serves
 * them as any Gateway's listeners: on the node's one address, beside the other Gateways'
 * (docs/gateway-api.md, "One node, several Gateways"), with allowedRoutes Same relative to the
 * ListenerSet's namespace and certificateRefs into another namespace granted to the ListenerSet.
 */
final class ListenerSets {

  /** A listener already merged into a Gateway, with who declared it (the Gateway or a ListenerSet). */
  private record Merged(ResourceKey owner, ApiGateway.Listener listener) {}

  private ListenerSets() {}

  /**
   * @param served the Gateways served
   * @param sets every ListenerSet, oldest first, then by namespace/name
   * @return the attached ListenerSets in a Gateway's shape, in precedence order
   */
  static ImmutableList<ApiGateway> attach(
      List<ApiGateway> served,
      List<ListenerSet> sets,
      Map<String, ImmutableSortedMap<String, String>> namespaceLabels,
      ImmutableList.Builder<Diagnostic> diagnostics,
      StatusCollector status) {
    served.stream()
        .filter(g -> g.allowedListeners().from() != ApiGateway.ListenersFrom.NONE)
        .forEach(g -> status.allowsListenerSets(g.key()));
    Map<ResourceKey, List<Merged>> merged = new HashMap<>();
    ImmutableList.Builder<ApiGateway> out = ImmutableList.builder();
    for (ListenerSet set : sets) {
      if (!set.parentGroup().equals(Kind.GatewayApi.GROUP) || !set.parentKind().equals("Gateway")) {
        diagnostics.add(Diagnostic.warning(set.key(), "spec.parentRef",
            "a ListenerSet's parent must be a " + Kind.GatewayApi.GROUP + " Gateway, not " + set.parentGroup() + "/"
                + set.parentKind() + "; not attached"));
        continue;
      }
      Optional<ApiGateway> parent = served.stream()
          .filter(g -> g.key().namespace().equals(set.parentNamespace()) && g.key().name().equals(set.parentName()))
          .findFirst();
      String gatewayName = "Gateway " + set.parentNamespace() + "/" + set.parentName();
      if (parent.isEmpty()) {
        // Possibly another controller's Gateway: its business, so no status here.
        diagnostics.add(Diagnostic.warning(set.key(), "spec.parentRef",
            "no " + gatewayName + " served by this gateway; not attached"));
        continue;
      }
      ApiGateway gateway = parent.get();
      StatusCollector.Conditions conditions = status.listenerSet(set.key(), gateway.key());
      if (!allows(gateway, set.key().namespace(), namespaceLabels)) {
        String why = gatewayName + " does not allow ListenerSets of namespace " + set.key().namespace()
            + " (its spec.allowedListeners)";
        conditions.accepted(false, Reason.NOT_ALLOWED, why);
        diagnostics.add(Diagnostic.warning(set.key(), "spec.parentRef", why + "; not attached (NotAllowed)"));
        continue;
      }
      List<Merged> onGateway = merged.computeIfAbsent(gateway.key(), k -> own(gateway));
      ImmutableList.Builder<ApiGateway.Listener> kept = ImmutableList.builder();
      for (ApiGateway.Listener listener : set.listeners()) {
        status.listener(set.key(), listener.name()).supportedKinds(
            listener.kinds().stream().map(k -> k.substring(k.indexOf('/') + 1)).toArray(String[]::new));
        Optional<String> conflict = conflict(listener, onGateway);
        if (conflict.isPresent()) {
          diagnostics.add(Diagnostic.warning(set.key(), listener.field(), conflict.get()));
          continue;
        }
        onGateway.add(new Merged(set.key(), listener));
        kept.add(listener);
      }
      out.add(new ApiGateway(set.key(), set.created(), gateway.className(), kept.build()));
    }
    return out.build();
  }

  /** {@code allowedListeners.namespaces.from} of the Gateway for a ListenerSet of {@code namespace}. */
  private static boolean allows(
      ApiGateway gateway, String namespace, Map<String, ImmutableSortedMap<String, String>> namespaceLabels) {
    ApiGateway.AllowedListeners allowed = gateway.allowedListeners();
    return allowed.from() != ApiGateway.ListenersFrom.NONE
        && GatewayApiFrontEnd.allows(ApiGateway.From.valueOf(allowed.from().name()), allowed.selector(),
            gateway.key().namespace(), namespace, namespaceLabels);
  }

  private static List<Merged> own(ApiGateway gateway) {
    List<Merged> out = new ArrayList<>();
    gateway.listeners().forEach(l -> out.add(new Merged(gateway.key(), l)));
    return out;
  }

  /** Why {@code listener} cannot join those merged before it, ending in the reason; empty when it can. */
  private static Optional<String> conflict(ApiGateway.Listener listener, List<Merged> before) {
    for (Merged m : before) {
      ApiGateway.Listener other = m.listener();
      if (other.port() != listener.port()) {
        continue;
      }
      String earlier = m.owner().kind().kubernetesKind() + " " + m.owner().namespace() + "/" + m.owner().name()
          + " listener " + other.name();
      String notServed = "; listener " + listener.name() + " is not served";
      if (other.protocol() != listener.protocol()) {
        return Optional.of("port " + listener.port() + " is taken by " + earlier + " with protocol "
            + other.protocol() + ", which comes first" + notServed + " (ProtocolConflict)");
      }
      if (other.hostname().equals(listener.hostname())) {
        return Optional.of("port " + listener.port() + " and hostname " + listener.hostname().orElse("*")
            + " are taken by " + earlier + ", which comes first" + notServed + " (HostnameConflict)");
      }
    }
    return Optional.empty();
  }
}
