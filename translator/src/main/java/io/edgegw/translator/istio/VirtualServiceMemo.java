package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.memo.Memo;
import io.edgegw.translator.model.Diagnostic;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What each VirtualService gave the previous translation, so an unchanged one is not translated
 * again: per Gateway server, the hosts it matched and the routes built for them; and the diagnostics
 * of its gateway bindings. Entries are keyed by the VirtualService and server instances (the
 * decoder's memo hands in the same instances while their resources are unchanged) and are valid only
 * while everything else they depend on is unchanged, the {@code context}: a new context forgets them.
 */
public final class VirtualServiceMemo {
  /** What one VirtualService gives one server: no hosts, or the hosts and their routes. */
  record Contribution(
      ImmutableList<String> hosts,
      HttpRouteBuilder.Built built,
      ImmutableList<Diagnostic> diagnostics) {}

  /**
   * Two instances compared by reference: a deep {@code equals} or {@code hashCode} of either would cost the work
   * saved.
   */
  private record Same(Object vs, Object server) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Same s && s.vs == vs && s.server == server;
    }

    @Override
    public int hashCode() {
      return System.identityHashCode(vs) * 31 + System.identityHashCode(server);
    }
  }

  private final Memo<Same, Contribution> contributions = Memo.byEquality();
  private final Memo<VirtualService, ImmutableList<Diagnostic>> bindings = Memo.byIdentity();
  private Object routeContext;
  private Object bindingContext;

  /**
   * Starts a translation. {@code routeContext}: what routes depend on besides the VirtualService and
   * the server; {@code bindingContext}: what binding diagnostics depend on besides the VirtualService.
   */
  void begin(Object routeContext, Object bindingContext) {
    if (!routeContext.equals(this.routeContext)) {
      contributions.clear();
      this.routeContext = routeContext;
    }
    if (!bindingContext.equals(this.bindingContext)) {
      bindings.clear();
      this.bindingContext = bindingContext;
    }
  }

  /**
   * The contribution, computed (with its own diagnostics) only when not remembered; its diagnostics are reported
   * either way.
   */
  Contribution contribution(
      VirtualService vs,
      Gateway.Server server,
      Supplier<Contribution> compute,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    Contribution c = contributions.get(new Same(vs, server), k -> compute.get());
    diagnostics.addAll(c.diagnostics());
    return c;
  }

  void bindings(
      VirtualService vs,
      Function<VirtualService, ImmutableList<Diagnostic>> compute,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    diagnostics.addAll(bindings.get(vs, compute));
  }

  void endTranslation() {
    contributions.endTranslation();
    bindings.endTranslation();
  }
}
