package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import java.util.Optional;

/**
 * Decodes TLSRoute and TCPRoute ({@code v1}, and the experimental {@code v1alpha2}/{@code
 * v1alpha3}, whose fields are the same) and the TCP and TLS listeners of a Gateway. Unknown fields
 * are ERRORs, as in the other Gateway API kinds.
 */
public final class L4RouteDecoder {
  private static final ImmutableSet<String> TLS_SPEC =
      ImmutableSet.of("parentRefs", "hostnames", "rules", "useDefaultGateways");
  private static final ImmutableSet<String> TCP_SPEC =
      ImmutableSet.of("parentRefs", "rules", "useDefaultGateways");
  private static final ImmutableSet<String> RULE = ImmutableSet.of("name", "backendRefs");

  public L4Route tlsRoute(Resource resource, Problems problems) {
    return route(resource, problems, L4Route.Protocol.TLS);
  }

  public L4Route tcpRoute(Resource resource, Problems problems) {
    return route(resource, problems, L4Route.Protocol.TCP);
  }

  private static L4Route route(Resource resource, Problems problems, L4Route.Protocol protocol) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return null;
    }
    spec.allowOnly(protocol == L4Route.Protocol.TLS ? TLS_SPEC : TCP_SPEC);
    if (spec.get("useDefaultGateways").present()) {
      spec.get("useDefaultGateways").warning(RouteRefs.NOT_YET + "; ignored");
    }
    String namespace = resource.key().namespace();
    ImmutableList<HttpRoute.ParentRef> parents = RouteRefs.parents(spec, namespace);
    ImmutableList<String> hostnames = RouteRefs.hostnames(spec);
    ImmutableList<Field> rules = spec.get("rules").items();
    if (rules.isEmpty()) {
      spec.get("rules").error("required: one rule");
    }
    ImmutableList.Builder<HttpRoute.BackendRef> backends = ImmutableList.builder();
    for (int r = 0; r < rules.size(); r++) {
      Field rule = rules.get(r);
      if (!rule.isObject()) {
        rule.error("required");
        continue;
      }
      rule.allowOnly(RULE);
      if (r > 0) {
        // The specification allows one rule (v1); older versions allowed more with no way to choose.
        rule.warning("only the first rule of a " + protocol.routeKind() + " is served; this rule is not");
        continue;
      }
      ImmutableList<Field> refs = rule.get("backendRefs").items();
      if (refs.isEmpty()) {
        rule.get("backendRefs").error("required: at least one backendRef");
      }
      for (int b = 0; b < refs.size(); b++) {
        RouteRefs.backend(refs.get(b), b, namespace).ifPresent(backends::add);
        if (refs.get(b).get("filters").present()) {
          refs.get(b).get("filters").error("a " + protocol.routeKind() + " backendRef has no filters");
        }
      }
    }
    return problems.hasErrors()
        ? null
        : new L4Route(
            resource.key(),
            GatewayApiDecoder.created(resource),
            protocol,
            parents,
            hostnames,
            backends.build());
  }
}
