package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.memo.Memo;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.ResourceKey;
import java.util.function.Function;
import java.util.Optional;

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

  /** The same VirtualService key and server instance: the VirtualService's previous version, to build on. */
  private record Latest(ResourceKey vs, Object server) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Latest l && l.vs.equals(vs) && l.server == server;
    }

    @Override
    public int hashCode() {
      return vs.hashCode() * 31 + System.identityHashCode(server);
    }
  }

  private final Memo<Same, Contribution> contributions = Memo.byEquality();
  private final Memo<Latest, Contribution> latest = Memo.byEquality();
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
      latest.clear();
      this.routeContext = routeContext;
    }
    if (!bindingContext.equals(this.bindingContext)) {
      bindings.clear();
      this.bindingContext = bindingContext;
    }
  }

  /**
   * The contribution, computed (with its own diagnostics) only when not remembered, from what the
   * previous version of the VirtualService gave the server when there was one (empty otherwise); its
   * diagnostics are reported either way.
   */
  Contribution contribution(
      VirtualService vs,
      Gateway.Server server,
      Function<Optional<Contribution>, Contribution> compute,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    Latest at = new Latest(vs.key(), server);
    Contribution c = contributions.get(new Same(vs, server), k -> compute.apply(latest.previous(at)));
    latest.put(at, c);
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
    latest.endTranslation();
    bindings.endTranslation();
  }
}
