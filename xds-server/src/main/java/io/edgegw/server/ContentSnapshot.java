package io.edgegw.server;

import com.google.common.collect.ImmutableSortedMap;
import com.google.protobuf.Message;
import io.edgegw.translator.EnvoyResources;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.cache.SnapshotResources;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A cache snapshot carrying our content versions per type and per resource. {@code Snapshot.create}
 * would version each resource by {@code Message.hashCode()} (docs/architecture.md, trap 4), which differs between JVMs
 * and can collide; delta xDS decides what to resend from these per-resource versions.
 */
final class ContentSnapshot extends Snapshot {
  private final SnapshotResources<Cluster> clusters;
  private final SnapshotResources<ClusterLoadAssignment> endpoints;
  private final SnapshotResources<Listener> listeners;
  private final SnapshotResources<RouteConfiguration> routes;
  private final SnapshotResources<Secret> secrets;

  private ContentSnapshot(EnvoyResources r, SnapshotVersions v) {
    clusters = resources(r.clusters(), SnapshotVersions.CLUSTERS, v);
    endpoints = resources(r.endpoints(), SnapshotVersions.ENDPOINTS, v);
    listeners = resources(r.listeners(), SnapshotVersions.LISTENERS, v);
    routes = resources(r.routes(), SnapshotVersions.ROUTES, v);
    secrets = resources(r.secrets(), SnapshotVersions.SECRETS, v);
  }

  static ContentSnapshot of(EnvoyResources resources, SnapshotVersions versions) {
    return new ContentSnapshot(resources, versions);
  }

  private static <T extends Message> SnapshotResources<T> resources(List<T> messages, String typeUrl,
      SnapshotVersions versions) {
    ImmutableSortedMap<String, String> byName = versions.ofResources(typeUrl);
    List<VersionedResource<T>> versioned = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      T m = messages.get(i);
      versioned.add(VersionedResource.create(m, SnapshotVersions.versionAt(byName, i, SnapshotVersions.nameOf(m))));
    }
    String typeVersion = versions.of(typeUrl);
    // One version for the type whatever names are asked: as Snapshot.create with per-type versions.
    return SnapshotResources.create(versioned, names -> typeVersion);
  }

  // Restated only so javac sees the base class's generic signature implemented (the inherited one
  // differs in its wildcard); behaviour is v3.Snapshot's.
  @Override
  public Map<String, VersionedResource<?>> versionedResources(Resources.ResourceType resourceType) {
    return super.versionedResources(resourceType);
  }

  @Override
  public SnapshotResources<Cluster> clusters() {
    return clusters;
  }

  @Override
  public SnapshotResources<ClusterLoadAssignment> endpoints() {
    return endpoints;
  }

  @Override
  public SnapshotResources<Listener> listeners() {
    return listeners;
  }

  @Override
  public SnapshotResources<RouteConfiguration> routes() {
    return routes;
  }

  @Override
  public SnapshotResources<Secret> secrets() {
    return secrets;
  }
}
