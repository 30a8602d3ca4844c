package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.Cluster;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.ir.HttpListener;
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
    ClusterBuilder clusterBuilder = new ClusterBuilder(registry, policies);
    VirtualHostBuilder virtualHosts =
        new VirtualHostBuilder(new HttpRouteBuilder(new DestinationResolver(registry, policies),
            new DelegateMerger(inputs.virtualServices(), inputs.rejected())), identity.domainSuffix());
    new GatewayBindings(identity.domainSuffix()).check(inputs, identity, diagnostics);

    ImmutableList.Builder<HttpListener> listeners = ImmutableList.builder();
    ImmutableList.Builder<RouteConfig> routeConfigs = ImmutableList.builder();
    // Referenced clusters only: istiod sends every service in the mesh, but an edge box may know
    // many services and route to few; unreferenced clusters would only cost memory and health checks.
    Map<String, ClusterRef> referenced = new TreeMap<>();
    for (ServerListener listener : gatewayServers.listeners(inputs.gateways(), identity, diagnostics)) {
      VirtualHostBuilder.Built built = virtualHosts.build(listener, inputs.virtualServices(), diagnostics);
      listeners.add(new HttpListener(listener.name(), listener.bind(), listener.listenerPort(), listener.routeConfigName()));
      routeConfigs.add(built.routeConfig());
      built.clusters().forEach(c -> referenced.putIfAbsent(c.name(), c));
    }
    ImmutableList<Cluster> clusters = referenced.values().stream()
        .map(clusterBuilder::cluster)
        .collect(ImmutableList.toImmutableList());
    return new GatewayConfig(listeners.build(), routeConfigs.build(), clusters);
  }

}
