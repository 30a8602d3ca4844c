package io.edgegw.server;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.Translation;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ScopedRds;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.ScopedRoutes;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import com.google.protobuf.Any;
import java.util.Comparator;

/**
 * Test stand-ins for the translator module: a validator that rejects {@code spec.bad: true} and a
 * translator that makes one EDS cluster per input (and one listener + route config when any input
 * exists), so snapshots are consistent and change with the inputs.
 */
public final class Fixtures {
  private Fixtures() {}

  static final ConfigSource ADS = ConfigSource.newBuilder().setAds(AggregatedConfigSource.getDefaultInstance()).build();

  static io.edgegw.translator.model.InputSet inputSet(Resource... resources) {
    com.google.common.collect.ImmutableSortedMap.Builder<io.edgegw.translator.model.ResourceKey, Resource> map =
        com.google.common.collect.ImmutableSortedMap.naturalOrder();
    for (Resource r : resources) {
      map.put(r.key(), r);
    }
    return new io.edgegw.translator.model.InputSet(map.build());
  }

  static Resource virtualService(String name, String host) {
    ObjectNode manifest = JsonNodeFactory.instance.objectNode();
    manifest.put("apiVersion", "networking.istio.io/v1").put("kind", "VirtualService");
    manifest.putObject("metadata").put("name", name).put("namespace", "default");
    manifest.putObject("spec").putArray("hosts").add(host);
    return new Resource(ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", name), manifest);
  }

  /** One manifest read as the sources read it. */
  static Resource resource(String manifest) {
    return ((io.edgegw.translator.model.ResourceReader.Ok) new io.edgegw.translator.model.ResourceReader().read(manifest).get(0))
        .resource();
  }

  static Resource bad(String name) {
    Resource r = virtualService(name, "bad.example.com");
    ObjectNode manifest = r.manifest().deepCopy();
    ((ObjectNode) manifest.get("spec")).put("bad", true);
    return new Resource(r.key(), manifest);
  }

  static ImmutableList<Diagnostic> validate(Resource r) {
    return r.spec().path("bad").asBoolean(false)
        ? ImmutableList.of(Diagnostic.error(r.key(), "spec.bad", "must not be true"))
        : ImmutableList.of();
  }

  static Translation translate(io.edgegw.translator.model.InputSet inputs, io.edgegw.translator.model.GatewayIdentity identity) {
    ImmutableList.Builder<Cluster> clusters = ImmutableList.builder();
    ImmutableList.Builder<ClusterLoadAssignment> endpoints = ImmutableList.builder();
    VirtualHost.Builder vhost = VirtualHost.newBuilder().setName("all").addDomains("*");
    for (Resource r : inputs.resources().values()) {
      String name = "outbound|80||" + r.spec().path("hosts").path(0).asText();
      clusters.add(edsCluster(name));
      endpoints.add(ClusterLoadAssignment.newBuilder().setClusterName(name).build());
    }
    if (inputs.resources().isEmpty()) {
      return new Translation(EnvoyResources.EMPTY, ImmutableList.of());
    }
    return new Translation(resources(ImmutableList.of(listener("http.8080", "http.8080")),
        ImmutableList.of(RouteConfiguration.newBuilder().setName("http.8080").addVirtualHosts(vhost).build()),
        clusters.build(), endpoints.build()), ImmutableList.of());
  }

  static EnvoyResources resources(ImmutableList<Listener> listeners, ImmutableList<RouteConfiguration> routes,
      ImmutableList<Cluster> clusters, ImmutableList<ClusterLoadAssignment> endpoints) {
    return new EnvoyResources(listeners, routes,
        ImmutableList.sortedCopyOf(Comparator.comparing(Cluster::getName), clusters),
        ImmutableList.sortedCopyOf(Comparator.comparing(ClusterLoadAssignment::getClusterName), endpoints),
        ImmutableList.of());
  }

  /** A consistent set: one listener using RDS {@code route}, and one EDS cluster named {@code cluster}. */
  static EnvoyResources simple(String route, String cluster) {
    return resources(ImmutableList.of(listener("http.8080", route)),
        ImmutableList.of(RouteConfiguration.newBuilder().setName(route).build()),
        ImmutableList.of(edsCluster(cluster)),
        ImmutableList.of(ClusterLoadAssignment.newBuilder().setClusterName(cluster).build()));
  }

  static Listener listener(String name, String rdsName) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix(name)
        .setRds(Rds.newBuilder().setRouteConfigName(rdsName).setConfigSource(ADS))
        .build();
    return Listener.newBuilder().setName(name)
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm))))
        .build();
  }

  /**
   * Per-host route delivery as the translator makes it: for each route config name R (in name order) a
   * listener whose HCM uses scoped routes named R, and for each domain a RouteConfiguration {@code
   * R/<domain>} and a scope {@code R/<domain>} keyed by the domain.
   */
  static EnvoyResources scoped(java.util.Map<String, java.util.List<String>> domainsByRoute) {
    ImmutableList.Builder<Listener> listeners = ImmutableList.builder();
    java.util.List<RouteConfiguration> routes = new java.util.ArrayList<>();
    java.util.List<ScopedRouteConfiguration> scopes = new java.util.ArrayList<>();
    new java.util.TreeMap<>(domainsByRoute).forEach((r, domains) -> {
      listeners.add(scopedListener("listener." + r, r));
      for (String domain : domains) {
        routes.add(RouteConfiguration.newBuilder().setName(r + "/" + domain)
            .addVirtualHosts(VirtualHost.newBuilder().setName(domain).addDomains(domain)).build());
        scopes.add(scope(r, domain));
      }
    });
    return new EnvoyResources(listeners.build(),
        ImmutableList.sortedCopyOf(Comparator.comparing(RouteConfiguration::getName), routes),
        ImmutableList.of(), ImmutableList.of(), ImmutableList.of(),
        ImmutableList.sortedCopyOf(Comparator.comparing(ScopedRouteConfiguration::getName), scopes));
  }

  /** The scope {@code R/<domain>}, keyed by the domain, for route configuration {@code R/<domain>}. */
  static ScopedRouteConfiguration scope(String r, String domain) {
    return ScopedRouteConfiguration.newBuilder().setName(r + "/" + domain).setRouteConfigurationName(r + "/" + domain)
        .setKey(ScopedRouteConfiguration.Key.newBuilder()
            .addFragments(ScopedRouteConfiguration.Key.Fragment.newBuilder().setStringKey(domain)))
        .build();
  }

  static Listener scopedListener(String name, String r) {
    HttpConnectionManager hcm = HttpConnectionManager.newBuilder()
        .setStatPrefix(name)
        .setScopedRoutes(ScopedRoutes.newBuilder().setName(r).setRdsConfigSource(ADS)
            .setScopeKeyBuilder(ScopedRoutes.ScopeKeyBuilder.newBuilder().addFragments(
                ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.newBuilder().setHeaderValueExtractor(
                    ScopedRoutes.ScopeKeyBuilder.FragmentBuilder.HeaderValueExtractor.newBuilder()
                        .setName(":authority"))))
            .setScopedRds(ScopedRds.newBuilder().setScopedRdsConfigSource(ADS)))
        .build();
    return Listener.newBuilder().setName(name)
        .addFilterChains(FilterChain.newBuilder().addFilters(Filter.newBuilder()
            .setName("envoy.filters.network.http_connection_manager").setTypedConfig(Any.pack(hcm))))
        .build();
  }

  static Cluster edsCluster(String name) {
    return Cluster.newBuilder().setName(name).setType(Cluster.DiscoveryType.EDS)
        .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(ADS))
        .build();
  }

  public static Components components() {
    return new Components(Fixtures::validate, Fixtures::translate);
  }
}
