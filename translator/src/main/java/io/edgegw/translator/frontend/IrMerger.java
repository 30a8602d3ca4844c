package io.edgegw.translator.frontend;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.FilterChain;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.NetworkFilter;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.ir.TlsSecret;
import io.edgegw.translator.ir.VirtualHost;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Joins the IR pieces of several front ends, earlier pieces first (Istio's, so that adding a second
 * API never changes what the first one already serves):
 *
 * <ul>
 *   <li>a listener (address and port) only one piece has is taken as it is;
 *   <li>plain-HTTP listeners of two pieces on one port become one listener whose route
 *       configuration has the virtual hosts of both; a virtual host whose domain the earlier piece
 *       already serves on that port is left out (Envoy refuses a domain twice in one route
 *       configuration), a WARNING on the owners of both sides;
 *   <li>any other listener both claim (TLS, TCP, or HTTP on one side and TCP on the other) stays
 *       the earlier piece's, a WARNING on the owners of both sides;
 *   <li>clusters and secrets are joined by name; equal names mean equal content (both derive them
 *       from the same Kubernetes objects), so the first is kept.
 * </ul>
 *
 * With one piece the result is that piece's config, unchanged.
 */
public final class IrMerger {

  public GatewayConfig merge(List<IrPiece> pieces, ImmutableList.Builder<Diagnostic> diagnostics) {
    if (pieces.size() == 1) {
      return pieces.get(0).config();
    }
    Map<String, Listener> listeners = new LinkedHashMap<>();
    Map<String, IrPiece> listenerPiece = new LinkedHashMap<>();
    Map<String, RouteConfig> routeConfigs = new LinkedHashMap<>();
    Map<String, Cluster> clusters = new LinkedHashMap<>();
    Map<String, TlsSecret> secrets = new LinkedHashMap<>();
    for (IrPiece piece : pieces) {
      GatewayConfig config = piece.config();
      Map<String, RouteConfig> pieceRoutes = new LinkedHashMap<>();
      config.routeConfigs().forEach(rc -> pieceRoutes.put(rc.name(), rc));
      Set<String> routesTaken = new HashSet<>();
      for (Listener listener : config.listeners()) {
        Listener earlier = listeners.get(listener.name());
        if (earlier == null) {
          listeners.put(listener.name(), listener);
          listenerPiece.put(listener.name(), piece);
          continue;
        }
        IrPiece other = listenerPiece.get(listener.name());
        Optional<String> rds =
            plainHttp(earlier).filter(name -> plainHttp(listener).equals(Optional.of(name)));
        if (rds.isPresent()
            && routeConfigs.containsKey(rds.get())
            && pieceRoutes.containsKey(rds.get())) {
          routeConfigs.put(
              rds.get(),
              joinHosts(
                  routeConfigs.get(rds.get()),
                  pieceRoutes.get(rds.get()),
                  listener,
                  other,
                  piece,
                  diagnostics));
          routesTaken.add(rds.get());
        } else {
          conflict(
              listener,
              other,
              piece,
              "both serve port "
                  + listener.port()
                  + " and not both as plain HTTP; the "
                  + other.frontEnd()
                  + " listener is kept and the "
                  + piece.frontEnd()
                  + " one is not served",
              diagnostics);
          routesOf(listener).forEach(routesTaken::add);
        }
      }
      for (RouteConfig rc : config.routeConfigs()) {
        if (!routesTaken.contains(rc.name())) {
          routeConfigs.putIfAbsent(rc.name(), rc);
        }
      }
      config.clusters().forEach(c -> clusters.putIfAbsent(c.name(), c));
      config.secrets().forEach(s -> secrets.putIfAbsent(s.name(), s));
    }
    return new GatewayConfig(
        ImmutableList.copyOf(listeners.values()),
        ImmutableList.copyOf(routeConfigs.values()),
        ImmutableList.sortedCopyOf(Comparator.comparing(Cluster::name), clusters.values()),
        ImmutableList.copyOf(secrets.values()));
  }

  private static RouteConfig joinHosts(
      RouteConfig earlier,
      RouteConfig later,
      Listener listener,
      IrPiece earlierPiece,
      IrPiece laterPiece,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    // A front end with nothing routed on the port answers 404 by an empty "*" virtual host; that
    // placeholder must not shadow what the other front end routes there.
    List<VirtualHost> hosts =
        new ArrayList<>(earlier.virtualHosts().stream().filter(vh -> !isPlaceholder(vh)).toList());
    Set<String> domains = new HashSet<>();
    hosts.forEach(vh -> domains.addAll(vh.domains()));
    for (VirtualHost vh : later.virtualHosts()) {
      if (isPlaceholder(vh)) {
        continue;
      }
      ImmutableSet<String> taken =
          vh.domains().stream().filter(domains::contains).collect(ImmutableSet.toImmutableSet());
      if (taken.isEmpty()) {
        hosts.add(vh);
        domains.addAll(vh.domains());
      } else {
        conflict(
            listener,
            earlierPiece,
            laterPiece,
            "both route host(s) "
                + String.join(", ", taken)
                + " on port "
                + listener.port()
                + "; the "
                + earlierPiece.frontEnd()
                + " routes are kept and the "
                + laterPiece.frontEnd()
                + " ones for "
                + String.join(", ", vh.domains())
                + " are not served",
            diagnostics);
      }
    }
    if (hosts.isEmpty()) {
      return earlier;
    }
    return new RouteConfig(
        earlier.name(), ImmutableList.sortedCopyOf(Comparator.comparing(VirtualHost::name), hosts));
  }

  private static boolean isPlaceholder(VirtualHost vh) {
    return vh.routes().isEmpty() && !vh.requireTls() && vh.domains().equals(ImmutableList.of("*"));
  }

  private static void conflict(
      Listener listener,
      IrPiece earlier,
      IrPiece later,
      String what,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    ImmutableSet<ResourceKey> earlierOwners = earlier.listenerOwners().get(listener.name());
    ImmutableSet<ResourceKey> laterOwners = later.listenerOwners().get(listener.name());
    for (ResourceKey owner : laterOwners) {
      diagnostics.add(
          Diagnostic.warning(owner, "", "conflicts with " + names(earlierOwners) + ": " + what));
    }
    for (ResourceKey owner : earlierOwners) {
      diagnostics.add(
          Diagnostic.warning(owner, "", "conflicts with " + names(laterOwners) + ": " + what));
    }
  }

  private static String names(Set<ResourceKey> keys) {
    return keys.isEmpty()
        ? "another front end"
        : String.join(", ", keys.stream().map(ResourceKey::toString).toList());
  }

  /**
   * The RDS name of a listener with one chain, no TLS and an HTTP connection manager; else empty.
   */
  private static Optional<String> plainHttp(Listener listener) {
    if (listener.filterChains().size() != 1) {
      return Optional.empty();
    }
    FilterChain chain = listener.filterChains().get(0);
    if (chain.tls().isPresent() || !chain.serverNames().isEmpty()) {
      return Optional.empty();
    }
    return chain.filter() instanceof NetworkFilter.Http http
        ? Optional.of(http.routeConfigName())
        : Optional.empty();
  }

  private static List<String> routesOf(Listener listener) {
    return listener.filterChains().stream()
        .map(FilterChain::filter)
        .filter(NetworkFilter.Http.class::isInstance)
        .map(f -> ((NetworkFilter.Http) f).routeConfigName())
        .toList();
  }
}
