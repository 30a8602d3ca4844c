package io.edgegw.fleet;

import com.google.common.collect.ImmutableList;
import io.edgegw.kube.KubeSettings;
import io.edgegw.kube.KubeSource;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import io.edgegw.translator.model.ResourceSink;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The source of truth as a Kubernetes API: the sidecar's own list and watch ({@link KubeSource}: paged
 * lists, bookmarks, relist on 410 Gone, back-off, CRDs that appear later) delivering into an
 * in-memory view instead of a sidecar's store. A relist after an outage reconciles the view, so deletes
 * made meanwhile leave it. Until every kind has been listed once the source is not {@link #ready}; during
 * an outage the view keeps what it had, so nothing is taken from the gateways.
 */
public final class KubeApiSource implements FleetSource {
  private final KubeSettings settings;
  private final KubeSource kube;
  private final View view = new View();
  private volatile boolean listed;

  public KubeApiSource(KubeSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.kube = new KubeSource(settings, new ResourceReader(), view);
  }

  @Override
  public void start() throws java.io.IOException {
    kube.start();
  }

  @Override
  public boolean ready() {
    // Latched: after the first complete listing a later outage keeps the last view, as the sidecar does.
    if (!listed && kube.isConnected()) {
      listed = true;
    }
    return listed;
  }

  @Override
  public String fingerprint() {
    return view.fingerprint();
  }

  @Override
  public SourceDirectory.Snapshot read() {
    return view.snapshot();
  }

  @Override
  public String describe() {
    return "Kubernetes API " + settings.server();
  }

  @Override
  public void close() {
    kube.close();
  }

  /** What the watches delivered; written by their threads, read by the sync's thread. */
  private static final class View implements ResourceSink {
    private final Map<ResourceKey, Resource> resources = new HashMap<>();
    /** Resources the reader refused, by key (or origin when it has none): the source then has errors. */
    private final Map<String, String> refused = new HashMap<>();
    private long generation;

    @Override
    public synchronized void accept(ResourceEvent event) {
      refused.remove(event.key().toString());
      if (event.resource().isPresent()) {
        resources.put(event.key(), event.resource().get());
      } else {
        resources.remove(event.key());
      }
      generation++;
    }

    @Override
    public synchronized void reject(String origin, Optional<ResourceKey> key, String reason) {
      key.ifPresent(resources::remove);
      refused.put(key.map(ResourceKey::toString).orElse(origin), origin + ": " + reason);
      generation++;
    }

    @Override
    public synchronized void reconcile(String source, Predicate<ResourceKey> scope, Set<ResourceKey> present) {
      if (resources.keySet().removeIf(k -> scope.test(k) && !present.contains(k))) {
        generation++;
      }
    }

    synchronized String fingerprint() {
      return Long.toString(generation);
    }

    synchronized SourceDirectory.Snapshot snapshot() {
      return new SourceDirectory.Snapshot(
          resources.values().stream().sorted(Comparator.comparing(r -> r.key().toString()))
              .collect(ImmutableList.toImmutableList()),
          ImmutableList.sortedCopyOf(refused.values()));
    }
  }
}
