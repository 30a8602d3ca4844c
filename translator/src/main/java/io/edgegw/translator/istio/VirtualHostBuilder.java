package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.Maps;
import io.edgegw.translator.ir.Route;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.ir.VirtualHost;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The route configuration of one listener: VirtualServices joined to servers by host (section 4). */
public final class VirtualHostBuilder {
  private final HttpRouteBuilder routes;
  private final VirtualServiceMemo memo;
  private final String domainSuffix;

  public VirtualHostBuilder(HttpRouteBuilder routes, VirtualServiceMemo memo, String domainSuffix) {
    this.routes = routes;
    this.memo = memo;
    this.domainSuffix = domainSuffix;
  }

  /** The route configuration, plus the clusters its routes use. */
  public record Built(RouteConfig routeConfig, ImmutableList<ClusterRef> clusters) {}

  /**
   * {@code virtualServices} must be in conflict order: their routes for one host append in that order.
   * With the servers of the previous translation's build, only what the changed VirtualServices touch is
   * built again: the hosts they brought or bring; every other virtual host is the very same instance.
   */
  public Built build(
      ServerListener listener,
      List<VirtualService> virtualServices,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    Optional<VirtualServiceMemo.Port> before = memo.takePort(listener);
    List<VirtualServiceMemo.Walk> walks = new ArrayList<>(listener.servers().size());
    for (int s = 0; s < listener.servers().size(); s++) {
      ServerListener.BoundServer bound = listener.servers().get(s);
      String gateway = bound.gateway().qualifiedName();
      int server = s;
      walks.add(memo.walk(before.map(p -> p.runs().get(server)), virtualServices,
          (vs, previous) -> contribution(bound, gateway, vs, previous), diagnostics));
    }
    // With several servers the first to bring a host decides for it: built whole, as that is rare.
    Optional<VirtualServiceMemo.Port> port = before.isPresent() && walks.size() == 1
        ? patch(listener, before.get(), walks.get(0))
        : Optional.empty();
    VirtualServiceMemo.Port built = port.orElseGet(() -> buildWhole(listener, walks));
    memo.keepPort(listener, built);
    return built.built();
  }

  private VirtualServiceMemo.Port buildWhole(ServerListener listener, List<VirtualServiceMemo.Walk> walks) {
    int size = walks.isEmpty() ? 0 : walks.get(0).run().contributions().length;
    // Sized for a host per VirtualService, the common case: no rehashing on the way (10,000 hosts).
    Map<String, List<Route>> hosts = Maps.newLinkedHashMapWithExpectedSize(size);
    // The first server to bring a host decides whether it redirects to https.
    Map<String, Boolean> requireTls = Maps.newHashMapWithExpectedSize(size);
    Set<Applied> applied = new HashSet<>();
    Map<ClusterRef, Integer> clusters = new HashMap<>();
    boolean severalServers = listener.servers().size() > 1;
    for (int s = 0; s < listener.servers().size(); s++) {
      ServerListener.BoundServer bound = listener.servers().get(s);
      VirtualServiceMemo.Run run = walks.get(s).run();
      for (int v = 0; v < run.contributions().length; v++) {
        VirtualServiceMemo.Contribution c = run.contributions()[v];
        boolean used = false;
        for (String host : c.hosts()) {
          // The same VS reached through a second server for the same host adds nothing new; with one
          // server each (VS, host) comes once, and the set would only cost time.
          if (!severalServers || applied.add(new Applied(run.virtualServices()[v].key(), host))) {
            hosts.computeIfAbsent(host, h -> new ArrayList<>()).addAll(c.built().routes());
            requireTls.putIfAbsent(host, bound.server().httpsRedirect());
            used = true;
          }
        }
        if (used) {
          count(clusters, c, 1);
        }
      }
    }
    for (ServerListener.BoundServer bound : listener.servers()) {
      if (bound.server().httpsRedirect()) {
        // Redirected hosts need no VirtualService: Envoy answers 301 before any route.
        for (String host : bound.server().sniHosts()) {
          hosts.putIfAbsent(host, new ArrayList<>());
          requireTls.putIfAbsent(host, true);
        }
      }
    }
    ImmutableList<VirtualHost> virtualHosts =
        hosts.entrySet().stream()
            .map(
                e ->
                    new VirtualHost(
                        e.getKey() + ":" + listener.listenerPort(),
                        ImmutableList.of(e.getKey()),
                        catchAllLast(e.getValue()),
                        requireTls.getOrDefault(e.getKey(), false)))
            .sorted(Comparator.comparing(VirtualHost::name))
            .collect(ImmutableList.toImmutableList());
    return port(listener, walks, virtualHosts, clusters);
  }

  /**
   * The previous build of a one-server listener with the hosts of the changed contributions built again,
   * from every contribution that has them; empty when so much changed that building whole is as cheap.
   */
  private Optional<VirtualServiceMemo.Port> patch(
      ServerListener listener, VirtualServiceMemo.Port before, VirtualServiceMemo.Walk walk) {
    if (walk.added().size() + walk.removed().size() > PATCH_LIMIT) {
      return Optional.empty();
    }
    Set<String> affected = new HashSet<>();
    walk.removed().forEach(c -> affected.addAll(c.hosts()));
    walk.added().forEach(c -> affected.addAll(c.hosts()));
    if (affected.isEmpty()) {
      return Optional.of(port(listener, List.of(walk), before.hosts(), before.clusters(), before.built()));
    }
    Map<String, List<Route>> routes = Maps.newHashMapWithExpectedSize(affected.size());
    affected.forEach(h -> routes.put(h, new ArrayList<>()));
    // One host is the usual change: comparing each host of the port with it costs less than hashing it.
    String only = affected.size() == 1 ? affected.iterator().next() : null;
    for (VirtualServiceMemo.Contribution c : walk.run().contributions()) {
      ImmutableList<String> hosts = c.hosts();
      for (int h = 0; h < hosts.size(); h++) {
        List<Route> mine = only == null ? routes.get(hosts.get(h))
            : only.equals(hosts.get(h)) ? routes.get(only) : null;
        if (mine != null) {
          mine.addAll(c.built().routes());
        }
      }
    }
    Gateway.Server server = listener.servers().get(0).server();
    List<VirtualHost> hosts = new ArrayList<>(before.hosts());
    for (String host : affected) {
      String name = host + ":" + listener.listenerPort();
      List<Route> mine = routes.get(host);
      Optional<VirtualHost> now = !mine.isEmpty()
          ? Optional.of(new VirtualHost(name, ImmutableList.of(host), catchAllLast(mine), server.httpsRedirect()))
          : server.httpsRedirect() && server.sniHosts().contains(host)
              ? Optional.of(new VirtualHost(name, ImmutableList.of(host), ImmutableList.of(), true))
              : Optional.empty();
      int at = indexOf(hosts, name);
      if (at < 0) {
        now.ifPresent(h -> hosts.add(-at - 1, h));
      } else if (now.isEmpty()) {
        hosts.remove(at);
      } else if (!sameRoutes(hosts.get(at), now.get())) {
        hosts.set(at, now.get());
      }
    }
    Map<ClusterRef, Integer> clusters = before.clusters();
    walk.removed().stream().filter(c -> !c.hosts().isEmpty()).forEach(c -> count(clusters, c, -1));
    walk.added().stream().filter(c -> !c.hosts().isEmpty()).forEach(c -> count(clusters, c, 1));
    return Optional.of(port(listener, List.of(walk), ImmutableList.copyOf(hosts), clusters));
  }

  /** Beyond this many changed contributions, building the listener's hosts whole costs no more. */
  private static final int PATCH_LIMIT = 64;

  private static VirtualServiceMemo.Port port(ServerListener listener, List<VirtualServiceMemo.Walk> walks,
      ImmutableList<VirtualHost> hosts, Map<ClusterRef, Integer> clusters) {
    ImmutableList<VirtualHost> virtualHosts = hosts;
    if (virtualHosts.isEmpty()) {
      // Nothing bound: one explicit empty virtual host, so every request gets a clean 404.
      virtualHosts =
          ImmutableList.of(
              new VirtualHost(
                  "blackhole:" + listener.listenerPort(),
                  ImmutableList.of("*"),
                  ImmutableList.of(),
                  false));
    }
    return port(listener, walks, hosts, clusters,
        new Built(new RouteConfig(listener.routeConfigName(), virtualHosts), ImmutableList.copyOf(clusters.keySet())));
  }

  private static VirtualServiceMemo.Port port(ServerListener listener, List<VirtualServiceMemo.Walk> walks,
      ImmutableList<VirtualHost> hosts, Map<ClusterRef, Integer> clusters, Built built) {
    return new VirtualServiceMemo.Port(listener.servers(), listener.listenerPort(),
        walks.stream().map(VirtualServiceMemo.Walk::run).collect(ImmutableList.toImmutableList()),
        hosts, clusters, built);
  }

  /** Counts {@code c}'s clusters {@code by} once more (or less): a cluster is in use while its count is. */
  private static void count(Map<ClusterRef, Integer> clusters, VirtualServiceMemo.Contribution c, int by) {
    for (ClusterRef ref : c.built().clusters()) {
      clusters.merge(ref, by, (a, b) -> a + b == 0 ? null : a + b);
    }
  }

  /** Where the host named {@code name} is in {@code hosts} (in name order), else -(where it would go) - 1. */
  private static int indexOf(List<VirtualHost> hosts, String name) {
    int low = 0;
    int high = hosts.size() - 1;
    while (low <= high) {
      int middle = (low + high) >>> 1;
      int order = hosts.get(middle).name().compareTo(name);
      if (order < 0) {
        low = middle + 1;
      } else if (order > 0) {
        high = middle - 1;
      } else {
        return middle;
      }
    }
    return -(low + 1);
  }

  /** The same routes (by instance) and TLS requirement: then the old instance stands for both. */
  private static boolean sameRoutes(VirtualHost old, VirtualHost now) {
    if (old.requireTls() != now.requireTls() || old.routes().size() != now.routes().size()) {
      return false;
    }
    for (int i = 0; i < old.routes().size(); i++) {
      if (old.routes().get(i) != now.routes().get(i)) {
        return false;
      }
    }
    return true;
  }

  private record Applied(ResourceKey vs, String host) {}

  /** The hosts of {@code vs} that {@code bound} serves, and its routes for them; none when it does not apply there. */
  private VirtualServiceMemo.Contribution contribution(
      ServerListener.BoundServer bound, String gateway, VirtualService vs,
      Optional<VirtualServiceMemo.Contribution> previous) {
    ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();
    if (vs.gateways().stream().map(vs::qualify).noneMatch(gateway::equals)) {
      return NONE;
    }
    List<String> serverHosts = bound.server().hosts().stream()
        .filter(h -> h.visibleTo(vs.key().namespace()))
        .map(Gateway.ServerHost::host)
        .toList();
    List<String> vsHosts =
        vs.hosts().stream()
            .map(h -> Hosts.resolveShortName(h, vs.key().namespace(), domainSuffix))
            .toList();
    ImmutableList<String> matched = Hosts.intersection(serverHosts, vsHosts);
    if (matched.isEmpty()) {
      return NONE;
    }
    HttpRouteBuilder.Built built = routes.build(vs, gateway, bound.server().portNumber(), diagnostics,
        previous.map(p -> p.built().rules()).orElse(ImmutableList.of()));
    if (built.routes().isEmpty()) {
      // Every match names another port or gateway: like istiod, the VS does not apply here.
      return new VirtualServiceMemo.Contribution(ImmutableList.of(), built, diagnostics.build());
    }
    return new VirtualServiceMemo.Contribution(matched, built, diagnostics.build());
  }

  private static final VirtualServiceMemo.Contribution NONE = new VirtualServiceMemo.Contribution(
      ImmutableList.of(), new HttpRouteBuilder.Built(ImmutableList.of(), ImmutableList.of()), ImmutableList.of());

  /** Catch-all routes after all others, keeping relative order: merged VSs must not shadow each other. */
  private static ImmutableList<Route> catchAllLast(List<Route> routes) {
    ImmutableList.Builder<Route> out = ImmutableList.builder();
    routes.stream().filter(r -> !r.match().isCatchAll()).forEach(out::add);
    routes.stream().filter(r -> r.match().isCatchAll()).forEach(out::add);
    return out.build();
  }
}
