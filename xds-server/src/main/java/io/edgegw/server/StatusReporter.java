package io.edgegw.server;

import com.google.common.collect.ImmutableList;
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
    for (Map.Entry<ResourceKey, ResourceStatus> e : board.resources().entrySet()) {
      if (!e.getValue().equals(previous.resources().get(e.getKey()))) {
        publisher.publish(e.getKey(), message(e.getValue()));
      }
    }
    for (ResourceKey gone : previous.resources().keySet()) {
      if (!board.resources().containsKey(gone)) {
        publisher.clear(gone);
      }
    }
    previous = board;
  }

  StatusMessage message(ResourceStatus status) {
    return switch (status.state()) {
      case ACCEPTED -> StatusMessage.accepted(status.warnings(), clock);
      case APPLIED -> StatusMessage.applied(status.appliedVersion().orElse(""), status.warnings(), clock);
      case REJECTED -> StatusMessage.rejected(status.servingPrevious()
          ? ImmutableList.<String>builder().addAll(status.reasons()).add(SERVING_PREVIOUS).build()
          : status.reasons(), clock);
      case REJECTED_BY_ENVOY -> StatusMessage.rejectedByEnvoy(status.appliedVersion().orElse(""), status.reasons(), clock);
    };
  }
}
