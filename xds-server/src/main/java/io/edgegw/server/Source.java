package io.edgegw.server;

import java.util.Optional;

/**
 * Something that delivers input resources to a {@link io.edgegw.translator.model.ResourceSink}: the
 * config directory, the MQTT subscription. {@link #start()} must not fail because a remote end (the
 * broker) is down: a source reconnects on its own, the persisted config keeps being served.
 */
public interface Source extends AutoCloseable {
  void start() throws Exception;

  /** For the admin view; a local source is always connected. */
  default boolean isConnected() {
    return true;
  }

  /**
   * Why this source can no longer deliver anything although it runs (a stuck thread, messages never
   * taken up), for {@code /healthz/live}; empty while it works. A remote end that is down is not stuck.
   */
  default Optional<String> stuck() {
    return Optional.empty();
  }

  @Override
  void close();
}
