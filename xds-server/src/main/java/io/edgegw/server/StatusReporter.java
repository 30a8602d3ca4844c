package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.Iterators;
import com.google.common.collect.PeekingIterator;
import io.edgegw.mqtt.StatusMessage;
import io.edgegw.mqtt.StatusPublisher;
import io.edgegw.translator.model.ResourceKey;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Tells the operator, per resource, what the gateway did with it: on every new status board, each
 * resource whose status changed is published (MQTT status topics), each one that is gone is cleared.
 * Runs on the config loop; {@link StatusPublisher} queues, so this never blocks it.
 */
public final class StatusReporter implements Consumer<StatusBoard> {
  private static final String SERVING_PREVIOUS = "the previously accepted version keeps serving";

  private final StatusPublisher publisher;
  private final Clock clock;
  private StatusBoard previous = StatusBoard.EMPTY;

  public StatusReporter(StatusPublisher publisher, Clock clock) {
    this.publisher = Objects.requireNonNull(publisher, "publisher");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void accept(StatusBoard board) {
    // Both boards are sorted by key: one walk over the two finds what changed, what is new and what
    // is gone, with a reference check for the (usually unchanged, so identical) statuses.
    PeekingIterator<Map.Entry<ResourceKey, ResourceStatus>> before =
        Iterators.peekingIterator(previous.resources().entrySet().iterator());
    PeekingIterator<Map.Entry<ResourceKey, ResourceStatus>> after =
        Iterators.peekingIterator(board.resources().entrySet().iterator());
    while (before.hasNext() || after.hasNext()) {
      int order =
          !before.hasNext()
              ? 1
              : !after.hasNext() ? -1 : compare(before.peek().getKey(), after.peek().getKey());
      if (order < 0) {
        publisher.clear(before.next().getKey());
      } else if (order > 0) {
        Map.Entry<ResourceKey, ResourceStatus> added = after.next();
        publisher.publish(added.getKey(), message(added.getValue()));
      } else {
        ResourceStatus old = before.next().getValue();
        Map.Entry<ResourceKey, ResourceStatus> now = after.next();
        if (old != now.getValue() && !old.equals(now.getValue())) {
          publisher.publish(now.getKey(), message(now.getValue()));
        }
      }
    }
    previous = board;
  }

  private static int compare(ResourceKey a, ResourceKey b) {
    return a == b ? 0 : a.compareTo(b);
  }

  StatusMessage message(ResourceStatus status) {
    return messageWithoutEcho(status)
        .withResourceVersion(status.resourceVersion())
        .withObjectStatus(status.objectStatus());
  }

  private StatusMessage messageWithoutEcho(ResourceStatus status) {
    return switch (status.state()) {
      case ACCEPTED -> StatusMessage.accepted(status.warnings(), clock);
      case APPLIED ->
          StatusMessage.applied(status.appliedVersion().orElse(""), status.warnings(), clock);
      case REJECTED ->
          StatusMessage.rejected(
              status.servingPrevious()
                  ? ImmutableList.<String>builder()
                      .addAll(status.reasons())
                      .add(SERVING_PREVIOUS)
                      .build()
                  : status.reasons(),
              clock);
      case REJECTED_BY_ENVOY ->
          StatusMessage.rejectedByEnvoy(
              status.appliedVersion().orElse(""), status.reasons(), clock);
    };
  }
}
