package io.edgegw.server;

import com.google.common.collect.ImmutableList;
import io.edgegw.mqtt.StatusMessage;
import io.edgegw.mqtt.StatusPublisher;
import io.edgegw.translator.model.ResourceKey;
import java.time.Clock;
import java.util.List;
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
    // is gone, with a reference check for the (usually unchanged, so identical) keys and statuses. By
    // position in the maps' own lists: iterating their entries made an entry object for each of 10,000.
    List<ResourceKey> beforeKeys = previous.resources().keySet().asList();
    List<ResourceStatus> beforeStatuses = previous.resources().values().asList();
    List<ResourceKey> afterKeys = board.resources().keySet().asList();
    List<ResourceStatus> afterStatuses = board.resources().values().asList();
    int i = 0;
    int j = 0;
    while (i < beforeKeys.size() || j < afterKeys.size()) {
      int order = i == beforeKeys.size() ? 1
          : j == afterKeys.size() ? -1 : compare(beforeKeys.get(i), afterKeys.get(j));
      if (order < 0) {
        publisher.clear(beforeKeys.get(i++));
      } else if (order > 0) {
        publisher.publish(afterKeys.get(j), message(afterStatuses.get(j++)));
      } else {
        ResourceStatus old = beforeStatuses.get(i++);
        ResourceStatus now = afterStatuses.get(j);
        if (old != now && !old.equals(now)) {
          publisher.publish(afterKeys.get(j), message(now));
        }
        j++;
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
