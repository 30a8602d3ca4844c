package io.edgegw.mqtt;

import io.edgegw.translator.model.ResourceKey;

/**
 * Reports what the sidecar made of each resource. Calls return at once; implementations keep only
 * the latest status per resource until it is out.
 */
public interface StatusPublisher {
  /** Replaces the status of {@code key}. */
  void publish(ResourceKey key, StatusMessage status);

  /** Removes the status of {@code key}, for a deleted resource. */
  void clear(ResourceKey key);
}
