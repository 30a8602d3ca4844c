package io.edgegw.mqtt;

import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import io.edgegw.translator.model.ResourceReader.Failed;
import io.edgegw.translator.model.ResourceReader.Ok;
import io.edgegw.translator.model.ResourceReader.Read;
import io.edgegw.translator.model.ResourceSink;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides what one MQTT message on a resource topic means: an upsert, a delete, or a rejection
 * with a reason an operator can act on. Pure (no I/O, no logging) so every rule is unit-tested
 * without a broker. Reasons never quote the payload: it may hold private keys.
 */
public final class ResourceMessageDecoder {
  private final TopicContract topics;
  private final ResourceReader reader;
  private final int maxPayloadBytes;

  public ResourceMessageDecoder(TopicContract topics, ResourceReader reader, int maxPayloadBytes) {
    this.topics = Objects.requireNonNull(topics, "topics");
    this.reader = Objects.requireNonNull(reader, "reader");
    if (maxPayloadBytes <= 0) {
      throw new IllegalArgumentException("maxPayloadBytes: must be positive, got " + maxPayloadBytes);
    }
    this.maxPayloadBytes = maxPayloadBytes;
  }

  /** The outcome for one message. */
  public sealed interface Decision {
    /** {@code mqtt:<topic>}, the same for accepted and rejected messages. */
    String origin();

    void deliverTo(ResourceSink sink);
  }

  public record Accept(ResourceEvent event) implements Decision {
    @Override
    public String origin() {
      return event.origin();
    }

    @Override
    public void deliverTo(ResourceSink sink) {
      sink.accept(event);
    }
  }

  /** {@code key} is the topic's key when the topic could be read. */
  public record Reject(String origin, Optional<ResourceKey> key, String reason) implements Decision {
    @Override
    public void deliverTo(ResourceSink sink) {
      sink.reject(origin, key, reason);
    }
  }

  /**
   * A message that is not for the gateway (KubeEdge traffic about pods, queries, responses):
   * nothing is delivered. Only {@link KubeEdgeEnvelopeDecoder} ignores; resource topics are ours.
   */
  public record Ignore(String origin, String why) implements Decision {
    @Override
    public void deliverTo(ResourceSink sink) {}
  }

  public static String originOf(String topic) {
    return "mqtt:" + topic;
  }

  public Decision decode(String topic, byte[] payload) {
    String origin = originOf(topic);
    Optional<String> topicProblem = topics.problemWith(topic);
    if (topicProblem.isPresent()) {
      return new Reject(origin, Optional.empty(), topicProblem.get());
    }
    ResourceKey key = topics.parseResourceTopic(topic).orElseThrow();
    if (payload.length == 0) {
      return new Accept(ResourceEvent.delete(key, origin));
    }
    if (payload.length > maxPayloadBytes) {
      return new Reject(origin, Optional.of(key),
          "payload of " + payload.length + " bytes exceeds the limit of " + maxPayloadBytes + " bytes; not parsed");
    }
    List<Read> documents;
    try {
      documents = reader.read(payload);
    } catch (RuntimeException | StackOverflowError e) {
      // The reader reports bad input as Failed; this guards the MQTT callback thread against the rest.
      return new Reject(origin, Optional.of(key), "payload could not be read: " + e.getClass().getSimpleName());
    }
    if (documents.size() != 1) {
      return new Reject(origin, Optional.of(key), "expected one document, got " + documents.size());
    }
    Read read = documents.get(0);
    if (read instanceof Failed failed) {
      return new Reject(origin, Optional.of(key), failed.error());
    }
    ResourceKey inPayload = ((Ok) read).resource().key();
    if (!inPayload.equals(key)) {
      return new Reject(origin, Optional.of(key),
          "topic says " + key.path() + " but payload is " + inPayload.path()
              + " (a manifest without metadata.namespace is in namespace default)");
    }
    return new Accept(ResourceEvent.upsert(((Ok) read).resource(), origin));
  }
}
