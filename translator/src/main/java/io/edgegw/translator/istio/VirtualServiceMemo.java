package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.VirtualHost;
import io.edgegw.translator.memo.WalkMemo;
import io.edgegw.translator.model.Diagnostic;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What each VirtualService gave the previous translation, so an unchanged one is not translated
 * again: per listener's route configuration, what each VirtualService gave each of its servers (the hosts
 * it matched and the routes built for them) and the virtual hosts built from that; and the diagnostics
 * of its gateway bindings. VirtualServices and servers are matched by instance (the decoder's memo hands
 * in the same instances while their resources are unchanged), and what is remembered is valid only while
 * everything else it depends on is unchanged, the {@code context}: a new context forgets it.
 */
public final class VirtualServiceMemo {
  /** What one VirtualService gives one server: no hosts, or the hosts and their routes. */
  record Contribution(
      ImmutableList<String> hosts,
      HttpRouteBuilder.Built built,
      ImmutableList<Diagnostic> diagnostics) {}

  /**
   * What each VirtualService gave one server, in the order of the VirtualServices (conflict order, which a
   * change leaves alone but where it adds or removes one): the next translation walks its VirtualServices
   * along it, so an unchanged one costs a reference compare instead of a lookup.
   */
  record Run(VirtualService[] virtualServices, Contribution[] contributions) {}

  /** A run, and the contributions it has that the one before had not, and the reverse (an edit is both). */
  record Walk(Run run, List<Contribution> added, List<Contribution> removed) {}

  /**
   * One listener's route configuration as built, and what from: its servers (by instance), a run per
   * server, its virtual hosts in name order (without the placeholder of a port with none), and how many
   * contributions with hosts use each cluster ({@code clusters}, updated in place by the next translation,
   * which takes the port out of the memo first).
   */
  record Port(
      ImmutableList<ServerListener.BoundServer> servers,
      int listenerPort,
      ImmutableList<Run> runs,
      ImmutableList<VirtualHost> hosts,
      Map<ClusterRef, Integer> clusters,
      VirtualHostBuilder.Built built) {

    boolean builtFor(ServerListener listener) {
      if (listener.listenerPort() != listenerPort || listener.servers().size() != servers.size()) {
        return false;
      }
      for (int s = 0; s < servers.size(); s++) {
        ServerListener.BoundServer now = listener.servers().get(s);
        if (now.gateway() != servers.get(s).gateway() || now.server() != servers.get(s).server()) {
          return false;
        }
      }
      return true;
    }
  }

  /** How far a walk looks ahead for a VirtualService that is not where it was (those between are gone). */
  private static final int LOOKAHEAD = 8;
  private static final Run NO_RUN = new Run(new VirtualService[0], new Contribution[0]);

  /** Asked for every VirtualService in conflict order, on every translation. */
  private final WalkMemo<VirtualService, ImmutableList<Diagnostic>> bindings = new WalkMemo<>();
  /** By route configuration name; a few, one per port or HTTPS server. */
  private Map<String, Port> previousPorts = new HashMap<>();
  private Map<String, Port> ports = new HashMap<>();
  private Object routeContext;
  private Object bindingContext;

  /**
   * Starts a translation. {@code routeContext}: what routes depend on besides the VirtualService and
   * the server; {@code bindingContext}: what binding diagnostics depend on besides the VirtualService.
   */
  void begin(Object routeContext, Object bindingContext) {
    if (!routeContext.equals(this.routeContext)) {
      previousPorts = new HashMap<>();
      ports = new HashMap<>();
      this.routeContext = routeContext;
    }
    if (!bindingContext.equals(this.bindingContext)) {
      bindings.clear();
      this.bindingContext = bindingContext;
    }
  }

  /**
   * What the previous translation built for {@code listener}'s route configuration, when it had the same
   * servers; taken out of the memo, so that a failure halfway through updating it leaves nothing stale.
   */
  Optional<Port> takePort(ServerListener listener) {
    Port port = previousPorts.remove(listener.routeConfigName());
    return port != null && port.builtFor(listener) ? Optional.of(port) : Optional.empty();
  }

  void keepPort(ServerListener listener, Port port) {
    ports.put(listener.routeConfigName(), port);
  }

  /**
   * What each of {@code virtualServices} gives a server: from {@code before} for the same instance, else
   * computed (with its own diagnostics) from what its previous version gave the server when {@code before}
   * has that where it is (empty otherwise). Every contribution's diagnostics are reported, in order.
   */
  Walk walk(
      Optional<Run> before,
      List<VirtualService> virtualServices,
      BiFunction<VirtualService, Optional<Contribution>, Contribution> compute,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    VirtualService[] was = before.orElse(NO_RUN).virtualServices();
    Contribution[] gave = before.orElse(NO_RUN).contributions();
    VirtualService[] now = virtualServices.toArray(new VirtualService[0]);
    Contribution[] gives = new Contribution[now.length];
    List<Contribution> added = new ArrayList<>();
    List<Contribution> removed = new ArrayList<>();
    Map<VirtualService, Integer> index = null;
    int misses = 0;
    int j = 0;
    for (int i = 0; i < now.length; i++) {
      VirtualService vs = now[i];
      int k = -1;
      for (int d = 0; d < LOOKAHEAD && j + d < was.length; d++) {
        if (was[j + d] == vs) {
          k = j + d;
          break;
        }
      }
      if (k < 0 && misses > LOOKAHEAD) {
        // More misses than a change or two makes (many gone at once): look it up, but never behind the walk.
        index = index != null ? index : index(was);
        k = index.getOrDefault(vs, -1) < j ? -1 : index.get(vs);
      }
      if (k >= 0) {
        for (; j < k; j++) {
          removed.add(gave[j]);
        }
        gives[i] = gave[k];
        j = k + 1;
      } else {
        Optional<Contribution> previous = Optional.empty();
        if (j < was.length && was[j].key().equals(vs.key())) {
          previous = Optional.of(gave[j]);
          removed.add(gave[j++]);
        } else {
          misses++;
        }
        gives[i] = compute.apply(vs, previous);
        added.add(gives[i]);
      }
      if (!gives[i].diagnostics().isEmpty()) {
        diagnostics.addAll(gives[i].diagnostics());
      }
    }
    for (; j < was.length; j++) {
      removed.add(gave[j]);
    }
    return new Walk(new Run(now, gives), added, removed);
  }

  private static Map<VirtualService, Integer> index(VirtualService[] virtualServices) {
    Map<VirtualService, Integer> index = new IdentityHashMap<>(virtualServices.length);
    for (int k = 0; k < virtualServices.length; k++) {
      index.put(virtualServices[k], k);
    }
    return index;
  }

  void bindings(
      VirtualService vs,
      Function<VirtualService, ImmutableList<Diagnostic>> compute,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    ImmutableList<Diagnostic> found = bindings.get(vs, compute);
    if (!found.isEmpty()) {
      diagnostics.addAll(found);
    }
  }

  void endTranslation() {
    previousPorts = ports;
    ports = new HashMap<>();
    bindings.endTranslation();
  }
}
