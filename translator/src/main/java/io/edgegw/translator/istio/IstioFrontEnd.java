package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSetMultimap;
import io.edgegw.translator.frontend.FrontEnd;
import io.edgegw.translator.frontend.IrPiece;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.kube.Credentials;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.ResourceKey;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Istio resources to the IR: listeners from Gateways, routes from VirtualServices, clusters from services.
 * One instance per translation; {@code memo} outlives it.
 */
public final class IstioFrontEnd implements FrontEnd<DecodedInputs> {
  public static final String NAME = "Istio";
  private final GatewayServers gatewayServers = new GatewayServers();
  private final VirtualServiceMemo memo;

  /** Reuses what {@code memo} remembers from the previous translation where still valid. */
  public IstioFrontEnd(VirtualServiceMemo memo) {
    this.memo = memo;
  }

  @Override
  public IrPiece translate(
      DecodedInputs decoded,
      GatewayIdentity identity,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    DecodedInputs inputs = Visibility.forGateway(decoded, identity.namespace(), diagnostics);
    memo.begin(routeContext(inputs, identity), ImmutableList.of(inputs.gateways(), inputs.rejected(), identity));
    ServiceRegistry registry = new ServiceRegistry(inputs, identity.domainSuffix(), identity.nodePolicy(), diagnostics);
    DestinationPolicies policies = new DestinationPolicies(inputs.destinationRules(), registry, diagnostics);
    DestinationResolver resolver = new DestinationResolver(registry, policies);
    Credentials credentials = new Credentials(inputs.secrets(), inputs.rejected());
    ClusterBuilder clusterBuilder = new ClusterBuilder(registry, policies, credentials);
    ListenerBuilder listenerBuilder =
        new ListenerBuilder(
            new VirtualHostBuilder(
                new HttpRouteBuilder(
                    resolver,
                    new DelegateMerger(inputs.virtualServices(), inputs.rejected()),
                    identity.labels()),
                memo,
                identity.domainSuffix()),
            new L4RouteBuilder(resolver, identity.domainSuffix()),
            credentials,
            identity.pathNormalization());
    new GatewayBindings(identity.domainSuffix()).check(inputs, identity, memo, diagnostics);

    ImmutableList.Builder<Listener> listeners = ImmutableList.builder();
    ImmutableList.Builder<RouteConfig> routeConfigs = ImmutableList.builder();
    // Referenced clusters only: istiod sends every service in the mesh, but an edge box may know
    // many services and route to few; unreferenced clusters would only cost memory and health checks.
    Map<String, ClusterRef> referenced = new TreeMap<>();
    Set<ResourceKey> serving = new HashSet<>();
    ImmutableSetMultimap.Builder<String, ResourceKey> owners = ImmutableSetMultimap.builder();
    for (ServerListener listener : gatewayServers.listeners(inputs.gateways(), identity, diagnostics)) {
      ListenerBuilder.Built built = listenerBuilder.build(listener, inputs.virtualServices(), diagnostics);
      built.served().forEach(bound -> serving.add(bound.gateway().key()));
      built.listener().ifPresent(listeners::add);
      built.listener().ifPresent(l -> built.served().forEach(bound -> owners.put(l.name(), bound.gateway().key())));
      routeConfigs.addAll(built.routeConfigs());
      // Most routes share a few clusters: compare refs before computing each one's name.
      // As istiod: a subset no DestinationRule defines has no cluster (Envoy answers 503, empty body).
      built.clusters().stream().distinct()
          .filter(c -> c.subset().isEmpty() || policies.subset(c.host(), c.subset()).isPresent())
          .forEach(c -> referenced.putIfAbsent(c.name(), c));
    }
    ImmutableList<Cluster> clusters = referenced.values().stream()
        .map(ref -> clusterBuilder.cluster(ref, diagnostics))
        .collect(ImmutableList.toImmutableList());
    reportUnserved(inputs, identity, serving, diagnostics);
    memo.endTranslation();
    // After the clusters: upstream TLS asks Credentials for Secrets too.
    return new IrPiece(
        NAME,
        new GatewayConfig(
            listeners.build(), routeConfigs.build(), clusters, credentials.requested()),
        owners.build());
  }

  /**
   * A Gateway that selects this proxy but of whose servers none got a filter chain (each skipped, with
   * a warning saying why) is not served at all: an error, so its status says so instead of "applied".
   */
  private static void reportUnserved(DecodedInputs inputs, GatewayIdentity identity, Set<ResourceKey> serving,
      ImmutableList.Builder<Diagnostic> diagnostics) {
    for (Gateway gateway : inputs.gateways()) {
      if (gateway.selects(identity.labels()) && !gateway.servers().isEmpty() && !serving.contains(gateway.key())) {
        diagnostics.add(Diagnostic.error(gateway.key(), "spec.servers", "none of its " + gateway.servers().size()
            + " server(s) is served (each was skipped: see the warnings); nothing of this Gateway reaches Envoy"));
      }
    }
  }

  /**
   * Everything the routes of one VirtualService depend on besides itself, the gateway and the port
   * (what DestinationResolver, DelegateMerger and the source-label match read). The lists hold the
   * decoder's remembered instances, so comparing them costs a reference check per element.
   */
  private static ImmutableList<Object> routeContext(DecodedInputs inputs, GatewayIdentity identity) {
    return ImmutableList.of(
        inputs.serviceEntries(),
        inputs.destinationRules(),
        inputs.workloadEntries(),
        inputs.services(),
        inputs.endpoints(),
        inputs.endpointSlices(),
        inputs.pods(),
        inputs.rejected(),
        identity,
        inputs.virtualServices().stream()
            .filter(VirtualService::isDelegate)
            .collect(ImmutableList.toImmutableList()));
  }

}
