package io.edgegw.mqtt;

import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceSink;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** Remembers everything a source delivered, and the state that results from it. */
final class RecordingSink implements ResourceSink {
  record Rejection(String origin, Optional<ResourceKey> key, String reason) {}

  final List<ResourceEvent> events = new CopyOnWriteArrayList<>();
  final List<Rejection> rejections = new CopyOnWriteArrayList<>();
  final Map<ResourceKey, Resource> state = new ConcurrentHashMap<>();

  @Override
  public void accept(ResourceEvent event) {
    events.add(event);
    if (event.type() == ResourceEvent.Type.UPSERT) {
      state.put(event.key(), event.resource().orElseThrow());
    } else {
      state.remove(event.key());
    }
  }

  @Override
  public void reject(String origin, Optional<ResourceKey> key, String reason) {
    rejections.add(new Rejection(origin, key, reason));
  }

  @Override
  public void reconcile(String source, java.util.function.Predicate<ResourceKey> scope,
      java.util.Set<ResourceKey> present) {
    state.keySet().removeIf(k -> scope.test(k) && !present.contains(k));
  }

  boolean sawDelete(ResourceKey key) {
    return events.stream().anyMatch(e -> e.type() == ResourceEvent.Type.DELETE && e.key().equals(key));
  }
}
