package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.ir.Listener;
import io.edgegw.translator.ir.RouteConfig;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import java.util.Map;
import java.util.TreeMap;

/** Istio resources to the IR: listeners from Gateways, routes from VirtualServices, clusters from services. */
public final class IstioFrontEnd {
  private final GatewayServers gatewayServers = new GatewayServers();

  public GatewayConfig translate(DecodedInputs inputs, GatewayIdentity identity, ImmutableList.Builder<Diagnostic> diagnostics) {
    ServiceRegistry registry = new ServiceRegistry(inputs, identity.domainSuffix());
    DestinationPolicies policies = new DestinationPolicies(inputs.destinationRules(), registry, diagnostics);
    DestinationResolver resolver = new DestinationResolver(registry, policies);
    Credentials credentials = new Credentials(inputs.secrets(), inputs.rejected());
    ClusterBuilder clusterBuilder = new ClusterBuilder(registry, policies, credentials);
    ListenerBuilder listenerBuilder = new ListenerBuilder(
        new VirtualHostBuilder(new HttpRouteBuilder(resolver, new DelegateMerger(inputs.virtualServices(), inputs.rejected()),
            identity.labels()),
            identity.domainSuffix()),
        new L4RouteBuilder(resolver, identity.domainSuffix()),
        credentials);
    new GatewayBindings(identity.domainSuffix()).check(inputs, identity, diagnostics);

    ImmutableList.Builder<Listener> listeners = ImmutableList.builder();
    ImmutableList.Builder<RouteConfig> routeConfigs = ImmutableList.builder();
    // Referenced clusters only: istiod sends every service in the mesh, but an edge box may know
    // many services and route to few; unreferenced clusters would only cost memory and health checks.
    Map<String, ClusterRef> referenced = new TreeMap<>();
    for (ServerListener listener : gatewayServers.listeners(inputs.gateways(), identity, diagnostics)) {
      ListenerBuilder.Built built = listenerBuilder.build(listener, inputs.virtualServices(), diagnostics);
      built.listener().ifPresent(listeners::add);
      routeConfigs.addAll(built.routeConfigs());
      built.clusters().forEach(c -> referenced.putIfAbsent(c.name(), c));
    }
    ImmutableList<Cluster> clusters = referenced.values().stream()
        .map(ref -> clusterBuilder.cluster(ref, diagnostics))
        .collect(ImmutableList.toImmutableList());
    // After the clusters: upstream TLS asks Credentials for Secrets too.
    return new GatewayConfig(listeners.build(), routeConfigs.build(), clusters, credentials.requested());
  }

}
