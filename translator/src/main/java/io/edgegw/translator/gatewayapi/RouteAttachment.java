package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.gatewayapi.status.Reason;
import io.edgegw.translator.gatewayapi.status.StatusCollector;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where a GRPCRoute, TLSRoute or TCPRoute attaches through one parentRef: the listeners of the
 * Gateway it names that match the ref's sectionName and port, speak a protocol the route kind
 * takes, allow the route's namespace, and (unless {@code matchHostnames} is off, for TCP) share a
 * hostname with the route. When none does, one WARNING says which step failed, ending in the
 * specification's reason, and the parent's status is Accepted False with that reason. The caller
 * records the listeners a route attaches to ({@code attachedRoutes}): only it knows which are served.
 */
final class RouteAttachment {

  /** A listener of a served Gateway, whatever its protocol (HTTP, TCP, TLS). */
  record Target(ApiGateway gateway, ApiGateway.Listener listener) {
    String name() {
      return listener.name();
    }

    int port() {
      return listener.port();
    }

    String protocol() {
      return listener.protocol().name();
    }

    Optional<String> hostname() {
      return listener.hostname();
    }
  }

  /** A listener the route attaches to, with the hostnames both allow ({@code *}: any). */
  record Attached(Target listener, ImmutableSet<String> hosts) {}

  private RouteAttachment() {}

  static ImmutableList<Target> targets(ApiGateway gateway) {
    ImmutableList.Builder<Target> out = ImmutableList.builder();
    for (ApiGateway.Listener l : gateway.listeners()) {
      out.add(new Target(gateway, l));
    }
    return out.build();
  }

  static ImmutableList<Attached> attach(
      ResourceKey route,
      String routeKind,
      HttpRoute.ParentRef parent,
      ImmutableList<String> hostnames,
      boolean matchHostnames,
      ImmutableSet<String> protocols,
      List<ApiGateway> served,
      Map<String, ImmutableSortedMap<String, String>> namespaceLabels,
      ImmutableList.Builder<Diagnostic> diagnostics,
      StatusCollector status) {
    String field = "spec.parentRefs[" + parent.index() + "]";
    Optional<ApiGateway> gateway =
        served.stream().filter(g -> parent.names(g.key())).findFirst();
    if (gateway.isEmpty()) {
      diagnostics.add(
          Diagnostic.warning(
              route,
              field,
              "no "
                  + parent.kind().kubernetesKind()
                  + " "
                  + parent.namespace()
                  + "/"
                  + parent.name()
                  + " served by this gateway; not attached there"));
      return ImmutableList.of();
    }
    StatusCollector.Parent parentStatus = status.routeParent(route, parent.index());
    String target = parent.describe();
    boolean anyListener = false;
    boolean anyProtocol = false;
    boolean anyAllowed = false;
    ImmutableList.Builder<Attached> out = ImmutableList.builder();
    for (Target listener : targets(gateway.get())) {
      if (parent.sectionName().isPresent() && !parent.sectionName().get().equals(listener.name())
          || parent.port().isPresent() && parent.port().getAsInt() != listener.port()) {
        continue;
      }
      anyListener = true;
      if (!protocols.contains(listener.protocol())
          || !listener.listener().kinds().contains(Kind.GatewayApi.GROUP + "/" + routeKind)) {
        continue;
      }
      anyProtocol = true;
      if (!GatewayApiFrontEnd.allows(listener.listener(), gateway.get(), route.namespace(), namespaceLabels)) {
        continue;
      }
      anyAllowed = true;
      ImmutableSet<String> hosts =
          matchHostnames
              ? GatewayApiFrontEnd.intersect(listener.hostname(), hostnames)
              : ImmutableSet.of("*");
      if (!hosts.isEmpty()) {
        out.add(new Attached(listener, hosts));
      }
    }
    ImmutableList<Attached> attached = out.build();
    String message;
    Reason reason;
    if (!anyListener) {
      message = "no listener of " + target + " matches";
      reason = Reason.NO_MATCHING_PARENT;
    } else if (!anyProtocol) {
      message =
          "no listener of "
              + target
              + " takes "
              + routeKind
              + "s (protocol "
              + String.join(" or ", protocols)
              + " and allowedRoutes.kinds)";
      reason = Reason.NOT_ALLOWED_BY_LISTENERS;
    } else if (!anyAllowed) {
      message = target + " does not allow " + routeKind + "s of namespace " + route.namespace();
      reason = Reason.NOT_ALLOWED_BY_LISTENERS;
    } else if (attached.isEmpty()) {
      message = "none of the hostnames " + hostnames + " matches a listener hostname of " + target;
      reason = Reason.NO_MATCHING_LISTENER_HOSTNAME;
    } else {
      return attached;
    }
    parentStatus.accepted(false, reason, message);
    diagnostics.add(
        Diagnostic.warning(route, field, message + "; not attached there (" + reason.wire() + ")"));
    return attached;
  }
}
