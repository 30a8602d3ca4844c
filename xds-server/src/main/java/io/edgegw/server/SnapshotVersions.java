package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.hash.HashCode;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.memo.Memo;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.controlplane.cache.Resources;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Content versions of one set of Envoy resources: per resource, the hex SHA-256 of its deterministic
 * serialization (for a RouteConfiguration, of its other fields and its virtual hosts' digests); per xDS type, the
 * hash of the (name, resource version) pairs in name order; overall,
 * the hash of the per-type versions. The same content gives the same versions in every JVM
 * (java-control-plane's own per-resource versions hash {@code Message.hashCode()}, which does not:
 * docs/architecture.md, trap 4), so a restarted sidecar serving the same config sends Envoy nothing new, and delta xDS
 * sends exactly the resources whose content changed.
 */
public record SnapshotVersions(
    String overall,
    ImmutableSortedMap<String, String> byTypeUrl,
    ImmutableMap<String, ImmutableSortedMap<String, String>> byResource) {
  public static final String LISTENERS = Resources.V3.LISTENER_TYPE_URL;
  public static final String ROUTES = Resources.V3.ROUTE_TYPE_URL;
  public static final String CLUSTERS = Resources.V3.CLUSTER_TYPE_URL;
  public static final String ENDPOINTS = Resources.V3.ENDPOINT_TYPE_URL;
  public static final String SECRETS = Resources.V3.SECRET_TYPE_URL;
  /**
   * Route scopes (scoped RDS), served by {@link ScopedRoutesServer}: java-control-plane knows only the five
   * types above. Versioned only when a snapshot has scopes, so a snapshot without them keeps its versions.
   */
  public static final String SCOPES = "type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration";

  public SnapshotVersions {
    Objects.requireNonNull(overall, "overall");
    Objects.requireNonNull(byTypeUrl, "byTypeUrl");
    Objects.requireNonNull(byResource, "byResource");
  }

  public static SnapshotVersions of(EnvoyResources resources) {
    return of(resources, EnvoyResources.EMPTY, null);
  }

  /**
   * Versions of {@code resources}, reusing the version of every resource equal to the one of the same
   * name in {@code previous} (whose versions are {@code previousVersions}, or null): comparing is
   * cheaper than serializing and hashing, and a change to one route leaves the rest untouched.
   */
  public static SnapshotVersions of(
      EnvoyResources resources, EnvoyResources previous, SnapshotVersions previousVersions) {
    return of(resources, previous, previousVersions, Memo.byIdentity());
  }

  /**
   * As above; {@code digests} remembers the digest of each virtual host and route between calls. A
   * RouteConfiguration holds every host of its port (hundreds of kilobytes at 1000 routes), so its
   * version is the hash of its other fields and of its virtual hosts' digests, and a host's digest that
   * of its other fields and its routes' digests: a one-host change then serializes and hashes that
   * host only, and a one-route edit of a big host that route only (the translator hands in the same
   * instances for the others).
   */
  public static SnapshotVersions of(
      EnvoyResources resources,
      EnvoyResources previous,
      SnapshotVersions previousVersions,
      Memo<Message, HashCode> digests) {
    Objects.requireNonNull(resources, "resources");
    Objects.requireNonNull(previous, "previous");
    Function<Message, String> routeHash = m -> routeConfigurationHash((RouteConfiguration) m, digests);
    ImmutableMap.Builder<String, ImmutableSortedMap<String, String>> byResource = ImmutableMap.builder();
    byResource.putAll(
        ImmutableMap.of(
            LISTENERS,
                resourceVersions(
                    resources.listeners(),
                    previous.listeners(),
                    LISTENERS,
                    previousVersions,
                    SnapshotVersions::hash),
            ROUTES,
                resourceVersions(
                    resources.routes(), previous.routes(), ROUTES, previousVersions, routeHash),
            CLUSTERS,
                resourceVersions(
                    resources.clusters(),
                    previous.clusters(),
                    CLUSTERS,
                    previousVersions,
                    SnapshotVersions::hash),
            ENDPOINTS,
                resourceVersions(
                    resources.endpoints(),
                    previous.endpoints(),
                    ENDPOINTS,
                    previousVersions,
                    SnapshotVersions::hash),
            SECRETS,
                resourceVersions(
                    resources.secrets(),
                    previous.secrets(),
                    SECRETS,
                    previousVersions,
                    SnapshotVersions::hash)));
    if (!resources.scopes().isEmpty()) {
      // Small, and the translator hands in the same instance for an unchanged host: remembered by instance.
      byResource.put(SCOPES, resourceVersions(resources.scopes(), previous.scopes(), SCOPES, previousVersions,
          m -> digests.get(m, SnapshotVersions::digest).toString()));
    }
    digests.endTranslation();
    ImmutableSortedMap.Builder<String, String> byType = ImmutableSortedMap.naturalOrder();
    ImmutableMap<String, ImmutableSortedMap<String, String>> all = byResource.buildOrThrow();
    all.forEach((type, versions) -> byType.put(type, typeVersion(versions)));
    return restore(byType.build(), all);
  }

  /** Versions computed before (saved with a snapshot): the overall version follows from the per-type ones. */
  public static SnapshotVersions restore(ImmutableSortedMap<String, String> types,
      ImmutableMap<String, ImmutableSortedMap<String, String>> byResource) {
    Hasher overall = Hashing.sha256().newHasher();
    for (Map.Entry<String, String> e : types.entrySet()) {
      overall.putString(e.getKey(), StandardCharsets.UTF_8).putByte((byte) '=')
          .putString(e.getValue(), StandardCharsets.UTF_8).putByte((byte) '\n');
    }
    return new SnapshotVersions(overall.hash().toString(), types, byResource);
  }

  public String of(String typeUrl) {
    String version = byTypeUrl.get(typeUrl);
    if (version == null) {
      throw new IllegalArgumentException("unknown type " + typeUrl);
    }
    return version;
  }

  /** Version of each resource of {@code typeUrl}, by name. */
  public ImmutableSortedMap<String, String> ofResources(String typeUrl) {
    ImmutableSortedMap<String, String> versions = byResource.get(typeUrl);
    if (versions == null) {
      throw new IllegalArgumentException("unknown type " + typeUrl);
    }
    return versions;
  }

  /** Short form for logs. */
  public String shortOverall() {
    return overall.substring(0, 12);
  }

  private static ImmutableSortedMap<String, String> resourceVersions(
      List<? extends Message> messages,
      List<? extends Message> previous,
      String typeUrl,
      SnapshotVersions previousVersions,
      Function<Message, String> hash) {
    ImmutableSortedMap<String, String> known = previousVersions == null
        ? ImmutableSortedMap.of()
        : previousVersions.byResource().getOrDefault(typeUrl, ImmutableSortedMap.of());
    InNameOrder versions = new InNameOrder(messages.size());
    // The versions were computed from previous, both in name order: as many means the same names in turn.
    boolean aligned = known.size() == previous.size();
    ImmutableList<String> knownNames = known.keySet().asList();
    ImmutableList<String> knownVersions = known.values().asList();
    ByName.walk(known.isEmpty() ? List.of() : previous, messages, new ByName.Visitor() {
      @Override
      public void added(String name, Message now) {
        versions.add(name, hash.apply(now));
      }

      @Override
      public void removed(String name, Message old) {}

      @Override
      public void both(String name, int index, Message old, Message now) {
        String same = old.equals(now) ? versionAt(known, index, name) : null;
        versions.add(name, same != null ? same : hash.apply(now));
      }

      @Override
      public void same(int index, Message message) {
        if (aligned) { // the name and version at the message's place: the message itself is not read
          versions.add(knownNames.get(index), knownVersions.get(index));
        } else {
          both(nameOf(message), index, message, message);
        }
      }
    });
    return versions.toMap();
  }

  /**
   * The version of {@code name}, which the caller expects at {@code index} (the versions and the resources
   * they were computed from are in the same name order): by position, as a binary search compares
   * resource names of long common prefixes (a host's route configuration and scope names) a dozen times.
   */
  static String versionAt(ImmutableSortedMap<String, String> versions, int index, String name) {
    if (index < versions.size() && versions.keySet().asList().get(index).equals(name)) {
      return versions.values().asList().get(index);
    }
    return versions.get(name);
  }

  /**
   * A resource's name. The types the translator makes most of come first; java-control-plane's {@code
   * Resources.getResourceName} knows no scopes (it gives "") and was 8 % of a change at 10,000 hosts with
   * route scopes, where the walks over a snapshot's lists ask for 100,000 names.
   */
  static String nameOf(Message resource) {
    if (resource instanceof RouteConfiguration routes) {
      return routes.getName();
    } else if (resource instanceof ScopedRouteConfiguration scope) {
      return scope.getName();
    } else if (resource instanceof Cluster cluster) {
      return cluster.getName();
    } else if (resource instanceof ClusterLoadAssignment assignment) {
      return assignment.getClusterName();
    } else if (resource instanceof Listener listener) {
      return listener.getName();
    }
    return Resources.getResourceName(resource);
  }

  /**
   * A type's version: the first 16 characters (64 bits of hex) of each of its resources' versions in name
   * order, hashed with Murmur3 (128 bits) in one pass over one array. Each resource's version is a digest
   * of its content, which includes its name, and no one chooses a digest's bytes, so (as in {@link
   * #ofParts}) Murmur3 is safe here, and 64 bits of each tell a change from chance (2^-64) and from a
   * publisher (a second preimage of 64 bits). SHA-256 over every name and version was a third of a change's
   * CPU with route scopes (2000 resources at 1000 hosts, under C1); Murmur3 over each whole hex string
   * through a streaming hasher 6 % at 10,000 hosts, and parsing the hex (C1 does not inline charAt) more.
   */
  @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): a copy of Latin-1 characters
  private static String typeVersion(ImmutableSortedMap<String, String> versions) {
    byte[] prefixes = new byte[versions.size() * PREFIX];
    int at = 0;
    for (String version : versions.values()) {
      version.getBytes(0, Math.min(PREFIX, version.length()), prefixes, at); // every one is a digest: 32 or 64
      at += PREFIX;
    }
    return Hashing.murmur3_128().hashBytes(prefixes).toString();
  }

  private static final int PREFIX = 16;

  private static String hash(Message message) {
    return digest(message).toString();
  }

  private static String routeConfigurationHash(RouteConfiguration config, Memo<Message, HashCode> digests) {
    return ofParts(config.toBuilder().clearVirtualHosts().build(), config.getVirtualHostsList(),
        host -> digests.get(host, h -> virtualHostDigest((VirtualHost) h, digests))).toString();
  }

  /** A host of many routes is edited a route at a time: the others' digests are remembered (by instance). */
  private static HashCode virtualHostDigest(VirtualHost host, Memo<Message, HashCode> digests) {
    return ofParts(host.toBuilder().clearRoutes().build(), host.getRoutesList(),
        route -> digests.get(route, SnapshotVersions::digest));
  }

  /**
   * The digest of a message from its other fields ({@code rest}) and its parts' digests, in order. Each
   * piece of content is hashed with SHA-256 (the parts' own digests, and {@code rest} here); the list of
   * those digests is then combined with the much faster Murmur3 (128 bits). SHA-256 runs as plain Java
   * under the sidecar's C1-only JIT: over 10,000 hosts' digests (320 kB) it was 4.5 ms a change. Murmur3
   * resists no one who chooses its input bytes, but its input here is SHA-256 output, which no one
   * chooses, so two different lists of digests still do not meet by accident or by design.
   */
  private static <T extends Message> HashCode ofParts(Message rest, List<T> parts, Function<T, HashCode> partDigest) {
    HashCode[] digests = new HashCode[parts.size()];
    int size = DIGEST_BYTES;
    for (int i = 0; i < digests.length; i++) {
      digests[i] = partDigest.apply(parts.get(i));
      size += digests[i].bits() / Byte.SIZE;
    }
    byte[] all = new byte[size];
    digest(rest).writeBytesTo(all, 0, DIGEST_BYTES);
    int at = DIGEST_BYTES;
    for (HashCode d : digests) {
      at += d.writeBytesTo(all, at, d.bits() / Byte.SIZE);
    }
    return Hashing.murmur3_128().hashBytes(all);
  }

  private static final int DIGEST_BYTES = 32;

  private static HashCode digest(Message message) {
    return Hashing.sha256().hashBytes(deterministicBytes(message));
  }

  private static byte[] deterministicBytes(Message message) {
    try {
      byte[] bytes = new byte[message.getSerializedSize()];
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization(); // map fields in key order (e.g. Struct, metadata)
      message.writeTo(out);
      out.checkNoSpaceLeft();
      return bytes;
    } catch (IOException e) {
      throw new IllegalStateException("serializing to an array cannot fail", e);
    }
  }
}
