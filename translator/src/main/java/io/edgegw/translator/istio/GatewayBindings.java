package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Explains VirtualServices that cannot apply to this gateway: no gateways, a gateway that does not
 * exist or was rejected, no host shared with the gateway's servers. istiod stays silent here;
 * users of an edge box have no other way to find out.
 */
public final class GatewayBindings {
  private final String domainSuffix;

  public GatewayBindings(String domainSuffix) {
    this.domainSuffix = domainSuffix;
  }

  /**
   * Taking what an unchanged VirtualService gave from {@code memo} (whose binding context covers gateways, rejections
   * and identity).
   */
  void check(
      DecodedInputs inputs,
      GatewayIdentity identity,
      VirtualServiceMemo memo,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    Map<String, Gateway> gateways = inputs.gateways().stream()
        .collect(Collectors.toMap(Gateway::qualifiedName, Function.identity()));
    for (VirtualService vs : inputs.virtualServices()) {
      memo.bindings(vs, v -> check(v, gateways, inputs, identity), diagnostics);
    }
  }

  private ImmutableList<Diagnostic> check(
      VirtualService vs,
      Map<String, Gateway> gateways,
      DecodedInputs inputs,
      GatewayIdentity identity) {
    if (vs.isDelegate()) {
      // Applies only through the root VirtualServices that delegate to it.
      return ImmutableList.of();
    }
    if (vs.gateways().isEmpty()) {
      return ImmutableList.of(Diagnostic.warning(vs.key(), "spec.gateways",
          "not set: the VirtualService binds to the mesh only and does not apply to this gateway"));
    }
    if (vs.gateways().stream().allMatch("mesh"::equals)) {
      return ImmutableList.of(Diagnostic.warning(vs.key(), "spec.gateways",
          "only mesh: the VirtualService does not apply to this gateway"));
    }
    ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();
    boolean selected = false;
    boolean hostMatched = false;
    for (int i = 0; i < vs.gateways().size(); i++) {
      String name = vs.qualify(vs.gateways().get(i));
      if (name.equals("mesh")) {
        continue;
      }
      Optional<Gateway> gateway = Optional.ofNullable(gateways.get(name));
      if (gateway.isEmpty()) {
        ResourceKey key =
            ResourceKey.of(
                Kind.GATEWAY,
                name.substring(0, name.indexOf('/')),
                name.substring(name.indexOf('/') + 1));
        String why = inputs.rejected().contains(key) ? "is rejected (see its diagnostics)" : "not found";
        diagnostics.add(Diagnostic.warning(vs.key(), "spec.gateways[" + i + "]", "gateway " + name + " " + why));
        continue;
      }
      if (gateway.get().selects(identity.labels())) {
        selected = true;
        hostMatched |= sharesHost(vs, gateway.get());
      }
    }
    if (selected && !hostMatched) {
      diagnostics.add(Diagnostic.warning(vs.key(), "spec.hosts",
          "no host matches a host of the gateway servers visible to namespace " + vs.key().namespace()));
    }
    return diagnostics.build();
  }

  private boolean sharesHost(VirtualService vs, Gateway gateway) {
    List<String> vsHosts =
        vs.hosts().stream()
            .map(h -> Hosts.resolveShortName(h, vs.key().namespace(), domainSuffix))
            .toList();
    return gateway.servers().stream().anyMatch(server -> !Hosts.intersection(
        server.hosts().stream().filter(h -> h.visibleTo(vs.key().namespace())).map(Gateway.ServerHost::host).toList(),
        vsHosts).isEmpty());
  }
}
