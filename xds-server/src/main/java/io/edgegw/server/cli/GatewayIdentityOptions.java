package io.edgegw.server.cli;

import com.google.common.collect.ImmutableMap;
import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.NodePolicy;
import io.edgegw.translator.model.PathNormalization;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Who the gateway is, as istiod would see it; the same for the sidecar and for offline translation. */
final class GatewayIdentityOptions {
  @Option(names = "--gateway-labels", split = ",", paramLabel = "KEY=VALUE",
      description = "Workload labels that Gateway selectors match (default: istio=edgegateway).")
  Map<String, String> labels = new LinkedHashMap<>(Map.of("istio", "edgegateway"));

  @Option(
      names = "--domain-suffix",
      defaultValue = "cluster.local",
      description = "Cluster domain suffix (default: ${DEFAULT-VALUE}).")
  String domainSuffix;

  @Option(
      names = "--listener-address",
      defaultValue = "0.0.0.0",
      description = "Address Envoy listeners bind (default: ${DEFAULT-VALUE}).")
  String listenerAddress;

  @Option(names = "--port-map", split = ",", paramLabel = "PORT=PORT",
      description = "Gateway server port to the port Envoy binds, e.g. 80=8080,443=8443.")
  Map<Integer, Integer> portMap = new LinkedHashMap<>();

  @Option(names = "--path-normalization", defaultValue = "BASE", paramLabel = "MODE",
      description = "How request paths are normalised before routing, as Istio's meshConfig.pathNormalization: "
          + "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}, istiod's default).")
  PathNormalization pathNormalization;

  @Option(names = "--gateway-namespace", defaultValue = GatewayIdentity.DEFAULT_NAMESPACE, paramLabel = "NAMESPACE",
      description = "The namespace this gateway runs in, as istiod knows a gateway pod's: exportTo of VirtualServices, "
          + "ServiceEntries and DestinationRules is checked against it (default: ${DEFAULT-VALUE}).")
  String namespace;

  @Option(
      names = "--gateway-controller",
      defaultValue = io.edgegw.translator.gatewayapi.GatewayApiFrontEnd.DEFAULT_CONTROLLER,
      paramLabel = "NAME",
      description =
          "Gateway API: serve the Gateways whose GatewayClass has this controllerName; "
              + "GatewayClasses of other controllers are ignored (default: ${DEFAULT-VALUE}).")
  String gatewayController;

  @Option(names = "--route-scopes", description = "Deliver each host's routes on its own (scoped RDS), so a"
      + " change to one host costs Envoy that host, not the whole port: for ports whose hosts are all exact"
      + " lower-case names; a client must then send the Host header in lower case (docs/architecture.md,"
      + " \"Route scopes\"). Off: one route configuration per port, as istiod.")
  boolean routeScopes;

  /** Offline (translate, validate): no node policy, which depends on the node. */
  GatewayIdentity identity() {
    GatewayIdentity identity = new GatewayIdentity(ImmutableMap.copyOf(labels), domainSuffix, listenerAddress,
        Converters.ports(portMap), NodePolicy.UNRESTRICTED, pathNormalization, namespace);
    return routeScopes ? identity.withRouteScopes(BootstrapGenerator.XDS_CLUSTER) : identity;
  }
}
