package io.edgegw.server;

import com.google.common.collect.ImmutableSortedMap;
import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.Message;
import io.edgegw.translator.EnvoyResources;
import io.envoyproxy.controlplane.cache.Resources;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Content versions of one set of Envoy resources: per xDS type, the hex SHA-256 of the resources'
 * deterministic serialization in name order; overall, the hash of the per-type versions. The same
 * content gives the same versions in every JVM (java-control-plane's own versions do not: trap 4), so
 * a restarted sidecar serving the same config sends Envoy nothing new.
 */
public record SnapshotVersions(String overall, ImmutableSortedMap<String, String> byTypeUrl) {
  public static final String LISTENERS = Resources.V3.LISTENER_TYPE_URL;
  public static final String ROUTES = Resources.V3.ROUTE_TYPE_URL;
  public static final String CLUSTERS = Resources.V3.CLUSTER_TYPE_URL;
  public static final String ENDPOINTS = Resources.V3.ENDPOINT_TYPE_URL;
  public static final String SECRETS = Resources.V3.SECRET_TYPE_URL;

  public SnapshotVersions {
    Objects.requireNonNull(overall, "overall");
    Objects.requireNonNull(byTypeUrl, "byTypeUrl");
  }

  public static SnapshotVersions of(EnvoyResources resources) {
    ImmutableSortedMap<String, String> byType = ImmutableSortedMap.of(
        LISTENERS, hash(resources.listeners()),
        ROUTES, hash(resources.routes()),
        CLUSTERS, hash(resources.clusters()),
        ENDPOINTS, hash(resources.endpoints()),
        SECRETS, hash(resources.secrets()));
    Hasher overall = Hashing.sha256().newHasher();
    for (Map.Entry<String, String> e : byType.entrySet()) {
      overall.putString(e.getKey(), StandardCharsets.UTF_8).putByte((byte) '=')
          .putString(e.getValue(), StandardCharsets.UTF_8).putByte((byte) '\n');
    }
    return new SnapshotVersions(overall.hash().toString(), byType);
  }

  public String of(String typeUrl) {
    String version = byTypeUrl.get(typeUrl);
    if (version == null) {
      throw new IllegalArgumentException("unknown type " + typeUrl);
    }
    return version;
  }

  /** Short form for logs. */
  public String shortOverall() {
    return overall.substring(0, 12);
  }

  private static String hash(List<? extends Message> messages) {
    Hasher hasher = Hashing.sha256().newHasher();
    messages.stream()
        .sorted(Comparator.comparing(Resources::getResourceName))
        .forEach(m -> {
          byte[] name = Resources.getResourceName(m).getBytes(StandardCharsets.UTF_8);
          byte[] body = deterministicBytes(m);
          // Length-prefixed, so no two different lists hash the same bytes.
          hasher.putInt(name.length).putBytes(name).putInt(body.length).putBytes(body);
        });
    return hasher.hash().toString();
  }

  private static byte[] deterministicBytes(Message message) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(message.getSerializedSize());
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.useDeterministicSerialization(); // map fields in key order (e.g. Struct, metadata)
      message.writeTo(out);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
