package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedMap;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.edgegw.translator.EnvoyResources;
import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.ScopedRouteConfiguration;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.Resource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last snapshot every connected Envoy acknowledged, kept in the state directory so that a
 * restarted sidecar serves it at once, before it has read and translated its inputs (which takes a
 * cold JVM most of a second at 1000 routes); the first translation then confirms it or replaces it.
 * It records the digest of the stored inputs it was translated from ({@link ConfigStore#contentDigest}),
 * so that a start serves it only while the store still holds exactly those inputs: after a crash
 * between a change and the next save, the store is newer and is translated first instead. Format: one
 * length-delimited {@code DeltaDiscoveryResponse} with that digest, then one per type with the type
 * version and each resource with its content version; route scopes, last, only when the snapshot has
 * them (so a file from before they existed reads as a snapshot without them). It holds the Secrets'
 * keys, like the stored Secrets: owner-only, never logged.
 */
public final class ServedSnapshotFile {
  private static final Logger log = LoggerFactory.getLogger(ServedSnapshotFile.class);
  private static final List<String> TYPES = List.of(
      SnapshotVersions.LISTENERS, SnapshotVersions.ROUTES, SnapshotVersions.CLUSTERS, SnapshotVersions.ENDPOINTS,
      SnapshotVersions.SECRETS);

  private static final String INPUTS = "edgegw/inputs";

  /**
   * A saved snapshot, the digest of the inputs it was translated from, and each input's file digest by
   * store path (empty in files written before these were kept).
   */
  public record Saved(SnapshotPublisher.Published published, String inputsDigest,
      ImmutableMap<String, String> inputDigests) {}

  private final Path file;
  private final ResourceEncoder encoder;

  public ServedSnapshotFile(Path stateDir, ResourceEncoder encoder) {
    this.file = Objects.requireNonNull(stateDir, "stateDir").resolve("served-snapshot.pb");
    this.encoder = Objects.requireNonNull(encoder, "encoder");
  }

  /** The saved snapshot; empty when there is none or it cannot be read (then the inputs are translated first). */
  public Optional<Saved> load() {
    try (InputStream in = Files.newInputStream(file)) {
      DeltaDiscoveryResponse header = DeltaDiscoveryResponse.parseDelimitedFrom(in);
      if (header == null || !header.getTypeUrl().equals(INPUTS)) {
        throw new IOException("no inputs digest");
      }
      ImmutableSortedMap.Builder<String, String> byType = ImmutableSortedMap.naturalOrder();
      ImmutableMap.Builder<String, ImmutableSortedMap<String, String>> byResource = ImmutableMap.builder();
      List<ImmutableList<Message>> messages = new java.util.ArrayList<>();
      for (String type : TYPES) {
        DeltaDiscoveryResponse response = DeltaDiscoveryResponse.parseDelimitedFrom(in);
        if (response == null || !response.getTypeUrl().equals(type)) {
          throw new IOException("expected " + type);
        }
        ImmutableSortedMap.Builder<String, String> versions = ImmutableSortedMap.naturalOrder();
        ImmutableList.Builder<Message> resources = ImmutableList.builder();
        for (Resource r : response.getResourcesList()) {
          resources.add(named(unpack(type, r.getResource()), r.getName()));
          versions.put(r.getName(), r.getVersion());
        }
        byType.put(type, response.getSystemVersionInfo());
        byResource.put(type, versions.buildOrThrow());
        messages.add(resources.build());
      }
      DeltaDiscoveryResponse scopes = DeltaDiscoveryResponse.parseDelimitedFrom(in); // null at the end
      ImmutableList.Builder<ScopedRouteConfiguration> scopeList = ImmutableList.builder();
      if (scopes != null) {
        if (!scopes.getTypeUrl().equals(SnapshotVersions.SCOPES)) {
          throw new IOException("expected " + SnapshotVersions.SCOPES + " or the end");
        }
        ImmutableSortedMap.Builder<String, String> versions = ImmutableSortedMap.naturalOrder();
        for (Resource r : scopes.getResourcesList()) {
          scopeList.add(named(r.getResource().unpack(ScopedRouteConfiguration.class), r.getName()));
          versions.put(r.getName(), r.getVersion());
        }
        byType.put(SnapshotVersions.SCOPES, scopes.getSystemVersionInfo());
        byResource.put(SnapshotVersions.SCOPES, versions.buildOrThrow());
      }
      EnvoyResources resources = new EnvoyResources(cast(messages.get(0)), cast(messages.get(1)), cast(messages.get(2)),
          cast(messages.get(3)), cast(messages.get(4)), scopeList.build());
      ImmutableList<String> problems = SnapshotConsistency.problems(resources);
      if (!problems.isEmpty()) {
        throw new IOException("inconsistent: " + String.join("; ", problems));
      }
      ImmutableMap.Builder<String, String> inputDigests = ImmutableMap.builder();
      header.getResourcesList().forEach(r -> inputDigests.put(r.getName(), r.getVersion()));
      return Optional.of(
          new Saved(
              new SnapshotPublisher.Published(
                  SnapshotVersions.restore(byType.build(), byResource.buildOrThrow()), resources),
              header.getSystemVersionInfo(),
              inputDigests.buildKeepingLast()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      log.warn("cannot use {} ({}); translating the stored resources instead", file, e.toString());
      return Optional.empty();
    }
  }

  /**
   * {@code resource}, whose version was saved under {@code name}: versions are paired with resources by
   * position in name order ({@link SnapshotVersions}), so a name that is not the resource's is refused.
   */
  private static <T extends Message> T named(T resource, String name) throws IOException {
    if (!SnapshotVersions.nameOf(resource).equals(name)) {
      throw new IOException("resource " + SnapshotVersions.nameOf(resource) + " saved under the name " + name);
    }
    return resource;
  }

  /** Replaces the saved snapshot, crash-safely (temp file, fsync, atomic rename). */
  public void save(SnapshotPublisher.Published published, String inputsDigest, Map<String, String> inputDigests)
      throws IOException {
    Path temp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel channel = StateDirectory.createOwnerOnly(temp)) {
      OutputStream out = Channels.newOutputStream(channel);
      DeltaDiscoveryResponse.Builder header = DeltaDiscoveryResponse.newBuilder().setTypeUrl(INPUTS)
          .setSystemVersionInfo(inputsDigest);
      inputDigests.forEach(
          (path, digest) ->
              header.addResources(Resource.newBuilder().setName(path).setVersion(digest)));
      header.build().writeDelimitedTo(out);
      EnvoyResources r = published.resources();
      List<List<? extends Message>> lists =
          List.of(r.listeners(), r.routes(), r.clusters(), r.endpoints(), r.secrets(), r.scopes());
      boolean scoped = published.versions().byTypeUrl().containsKey(SnapshotVersions.SCOPES);
      for (int i = 0; i < TYPES.size() + (scoped ? 1 : 0); i++) {
        String type = i < TYPES.size() ? TYPES.get(i) : SnapshotVersions.SCOPES;
        ImmutableSortedMap<String, String> versions = published.versions().ofResources(type);
        DeltaDiscoveryResponse.Builder response = DeltaDiscoveryResponse.newBuilder()
            .setTypeUrl(type)
            .setSystemVersionInfo(published.versions().of(type));
        for (Message m : lists.get(i)) {
          String name = SnapshotVersions.nameOf(m);
          response.addResources(
              Resource.newBuilder()
                  .setName(name)
                  .setVersion(versions.get(name))
                  .setResource(encoder.serialize(m, Resources.ApiVersion.V3)));
        }
        response.build().writeDelimitedTo(out);
      }
      out.flush();
      channel.force(true);
    }
    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static Message unpack(String type, Any any) throws InvalidProtocolBufferException {
    return switch (type) {
      case SnapshotVersions.LISTENERS -> any.unpack(Listener.class);
      case SnapshotVersions.ROUTES -> any.unpack(RouteConfiguration.class);
      case SnapshotVersions.CLUSTERS -> any.unpack(Cluster.class);
      case SnapshotVersions.ENDPOINTS -> any.unpack(ClusterLoadAssignment.class);
      default -> any.unpack(Secret.class);
    };
  }

  @SuppressWarnings("unchecked")
  private static <T> ImmutableList<T> cast(ImmutableList<Message> messages) {
    return (ImmutableList<T>) (ImmutableList<?>) messages;
  }
}
