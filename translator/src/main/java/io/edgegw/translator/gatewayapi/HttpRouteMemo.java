package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.Route;
import io.edgegw.translator.memo.Memo;
import java.util.List;
import java.util.function.Function;

/**
 * What each HTTPRoute gave the Gateway API front end's previous translation, so an unchanged one is
 * not translated again (issue 13: at 1000 HTTPRoutes every change translated all of them).
 *
 * <p>Per HTTPRoute instance (the decoder's memo hands in the same instance while its resource is
 * unchanged): its attachment (the virtual hosts it joins), its candidate routes, the clusters it
 * uses, its diagnostics and its status records. Valid only while everything else a route's
 * translation reads is unchanged, the {@code context} (the gateway identity, GatewayClasses,
 * Gateways, ListenerSets, Namespaces, ReferenceGrants, Secrets, ConfigMaps, Services, Endpoints,
 * EndpointSlices, Pods, the rejected inputs): a different context forgets them all. That is coarse
 * (a Service edit translates every route again, as today) and correct by construction.
 *
 * <p>Per virtual host, its ordered Envoy routes by the candidates' instances: a pure function of
 * them, so never stale.
 *
 * <p>Not thread-safe: one translation at a time.
 */
public final class HttpRouteMemo {
  /** Candidates compared by reference: equal instances mean equal contents (they are immutable). */
  record Candidates(List<?> candidates, int listenerPort, boolean https) {
    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Candidates c)
          || c.listenerPort != listenerPort
          || c.https != https
          || c.candidates.size() != candidates.size()) {
        return false;
      }
      for (int i = 0; i < candidates.size(); i++) {
        if (candidates.get(i) != c.candidates.get(i)) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      int h = listenerPort * 31 + (https ? 1 : 0);
      for (Object c : candidates) {
        h = h * 31 + System.identityHashCode(c);
      }
      return h;
    }
  }

  private final Memo<HttpRoute, GatewayApiFrontEnd.RouteWork> routes = Memo.byIdentity();
  private final Memo<Candidates, ImmutableList<Route>> virtualHosts = Memo.byEquality();
  private Object context;
  private int translated;


  /** Starts a translation; forgets every route's translation when {@code context} changed. */
  void begin(Object context) {
    translated = 0;
    if (!context.equals(this.context)) {
      routes.clear();
      this.context = context;
    }
  }

  /** The route's translation, computed only when not remembered for this very instance. */
  GatewayApiFrontEnd.RouteWork route(HttpRoute route, Function<HttpRoute, GatewayApiFrontEnd.RouteWork> compute) {
    return routes.get(route, r -> {
      translated++;
      return compute.apply(r);
    });
  }

  /** A virtual host's ordered routes, built only for candidates not seen together before. */
  ImmutableList<Route> virtualHost(
      List<?> candidates, int listenerPort, boolean https, Function<Candidates, ImmutableList<Route>> compute) {
    return virtualHosts.get(new Candidates(ImmutableList.copyOf(candidates), listenerPort, https), compute);
  }

  /** How many HTTPRoutes the last translation translated, not taking them from here (for tests). */
  public int translated() {
    return translated;
  }

  void endTranslation() {
    routes.endTranslation();
    virtualHosts.endTranslation();
  }
}
