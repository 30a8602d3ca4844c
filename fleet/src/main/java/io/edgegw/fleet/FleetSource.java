package io.edgegw.fleet;

import java.io.IOException;

/**
 * Where {@code edgegw fleet sync} reads the source of truth from: a directory of manifests
 * ({@link SourceDirectory}), the Kubernetes API ({@link KubeApiSource}), or both ({@link MergedSource}).
 * Called from the sync's one thread.
 */
public interface FleetSource extends AutoCloseable {
  /** Starts reading (a watch); a directory needs nothing. */
  default void start() throws IOException {}

  /**
   * Whether the source has read everything once: before that, an empty or partial view would delete
   * from the gateways what they serve, so nothing is published.
   */
  default boolean ready() {
    return true;
  }

  /** Cheap to take every poll; differs whenever what {@link #read} returns may differ. */
  String fingerprint() throws IOException;

  /** Everything the source holds now. */
  SourceDirectory.Snapshot read() throws IOException;

  /** For log lines: the directory, the API server. */
  String describe();

  @Override
  default void close() {}
}
