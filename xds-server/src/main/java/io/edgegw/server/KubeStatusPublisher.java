package io.edgegw.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.kube.KubeSource;
import io.edgegw.kube.KubeStatusWriter;
import io.edgegw.mqtt.StatusMessage;
import io.edgegw.mqtt.StatusPublisher;
import io.edgegw.translator.model.ResourceKey;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A resource's status goes where it always went (the MQTT status topic, when there is a broker) and,
 * for a Gateway API object the Kubernetes source owns, also into the object's own {@code .status}
 * (the {@link StatusMessage#objectStatus()} the translation made of it). Objects another source owns
 * are not the API server's to show. Runs on the config loop, as {@link StatusReporter}; the writer
 * queues.
 */
final class KubeStatusPublisher implements StatusPublisher {
  private final StatusPublisher next;
  private final BiConsumer<ResourceKey, ObjectNode> write;
  private final Consumer<ResourceKey> forget;
  private final Function<ResourceKey, Optional<String>> ownerOf;

  /** {@code ownerOf}: the source that owns a stored key ({@link ConfigStore#owner}), read on the loop. */
  KubeStatusPublisher(StatusPublisher next, KubeStatusWriter writer, Function<ResourceKey, Optional<String>> ownerOf) {
    this(next, writer::write, writer::forget, ownerOf);
  }

  /** {@code write} and {@code forget} as {@link KubeStatusWriter}'s. */
  KubeStatusPublisher(StatusPublisher next, BiConsumer<ResourceKey, ObjectNode> write, Consumer<ResourceKey> forget,
      Function<ResourceKey, Optional<String>> ownerOf) {
    this.next = Objects.requireNonNull(next, "next");
    this.write = Objects.requireNonNull(write, "write");
    this.forget = Objects.requireNonNull(forget, "forget");
    this.ownerOf = Objects.requireNonNull(ownerOf, "ownerOf");
  }

  /** Nothing but the write-back: for a sidecar without a broker. */
  static final StatusPublisher NONE = new StatusPublisher() {
    @Override
    public void publish(ResourceKey key, StatusMessage status) {}

    @Override
    public void clear(ResourceKey key) {}
  };

  @Override
  public void publish(ResourceKey key, StatusMessage status) {
    next.publish(key, status);
    if (status.objectStatus().isPresent() && KubeStatusWriter.writesStatusOf(key.kind())
        && ownerOf.apply(key).map(KubeSource.SOURCE::equals).orElse(false)) {
      write.accept(key, status.objectStatus().get());
    }
  }

  @Override
  public void clear(ResourceKey key) {
    next.clear(key);
    if (KubeStatusWriter.writesStatusOf(key.kind())) {
      forget.accept(key);
    }
  }
}
