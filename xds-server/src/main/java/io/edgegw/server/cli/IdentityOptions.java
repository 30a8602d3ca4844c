package io.edgegw.server.cli;

import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.model.GatewayIdentity;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The input and gateway options of {@code translate} and {@code validate} (a picocli mixin). */
final class IdentityOptions {
  @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE|DIR",
      description = "Manifest file, or directory of *.yaml/*.yml/*.json (sorted). Repeatable.")
  List<Path> files;

  @Option(names = "--gateway-labels", split = ",", paramLabel = "KEY=VALUE",
      description = "Workload labels that Gateway selectors match (default: istio=edgegateway).")
  Map<String, String> gatewayLabels = new LinkedHashMap<>(Map.of("istio", "edgegateway"));

  @Option(names = "--domain-suffix", defaultValue = "cluster.local", description = "Cluster domain suffix (default: ${DEFAULT-VALUE}).")
  String domainSuffix;

  @Option(names = "--listener-address", defaultValue = "0.0.0.0", description = "Address Envoy listeners bind (default: ${DEFAULT-VALUE}).")
  String listenerAddress;

  @Option(names = "--port-map", split = ",", paramLabel = "PORT=PORT",
      description = "Gateway server port to the port Envoy binds, e.g. 80=8080,443=8443.")
  Map<Integer, Integer> portMap = new LinkedHashMap<>();

  GatewayIdentity identity() {
    return new GatewayIdentity(ImmutableMap.copyOf(gatewayLabels), domainSuffix, listenerAddress, Converters.ports(portMap));
  }
}
