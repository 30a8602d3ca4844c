package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.mqtt.StatusMessage;
import io.edgegw.mqtt.StatusPublisher;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusReporterTest {
  private final List<String> sent = new ArrayList<>();
  private final StatusPublisher recording = new StatusPublisher() {
    @Override
    public void publish(ResourceKey key, StatusMessage status) {
      sent.add(key.name() + " " + status.state().wireName() + " " + status.version().orElse("-") + " " + status.reasons());
    }

    @Override
    public void clear(ResourceKey key) {
      sent.add(key.name() + " cleared");
    }
  };
  private final StatusReporter reporter =
      new StatusReporter(recording, Clock.fixed(Instant.parse("2026-11-22T00:00:00Z"), ZoneOffset.UTC));

  @Test
  void publishesOnlyWhatChangedAndClearsWhatIsGone() {
    ResourceStatus a = status("a", ResourceStatus.State.APPLIED, Optional.of("v1"), ImmutableList.of(), false);
    ResourceStatus b = status("b", ResourceStatus.State.REJECTED, Optional.empty(), ImmutableList.of("ERROR bad"), true);
    reporter.accept(board(a, b));
    assertEquals(List.of("a applied v1 []", "b rejected - [ERROR bad, the previously accepted version keeps serving]"), sent);

    sent.clear();
    reporter.accept(board(a, b));
    assertEquals(List.of(), sent, "an unchanged board sends nothing");

    ResourceStatus a2 = status("a", ResourceStatus.State.APPLIED, Optional.of("v2"), ImmutableList.of(), false);
    reporter.accept(board(a2));
    assertEquals(List.of("a applied v2 []", "b cleared"), sent);

    sent.clear();
    ResourceStatus c = status("c", ResourceStatus.State.APPLIED, Optional.of("v1"), ImmutableList.of(), false);
    reporter.accept(board(a2, b, c));
    reporter.accept(board(b, c));
    assertEquals(List.of("b rejected - [ERROR bad, the previously accepted version keeps serving]", "c applied v1 []",
        "a cleared"), sent, "new keys after and between, a gone key before the rest");
  }

  @Test
  void echoesTheResourceVersionSoAPublisherKnowsWhichChangeAStatusIsAbout() {
    List<StatusMessage> messages = new ArrayList<>();
    StatusReporter echoing = new StatusReporter(new StatusPublisher() {
      @Override
      public void publish(ResourceKey key, StatusMessage status) {
        messages.add(status);
      }

      @Override
      public void clear(ResourceKey key) {}
    }, Clock.systemUTC());
    ResourceKey key = ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "a");
    echoing.accept(board(new ResourceStatus(key, ResourceStatus.State.APPLIED, "mqtt", ImmutableList.of(), ImmutableList.of(),
        Optional.of("v1"), false, Optional.of("fleet-1"))));
    echoing.accept(board(new ResourceStatus(key, ResourceStatus.State.APPLIED, "mqtt", ImmutableList.of(), ImmutableList.of(),
        Optional.of("v1"), false, Optional.of("fleet-2"))));
    assertEquals(List.of(Optional.of("fleet-1"), Optional.of("fleet-2")), messages.stream().map(StatusMessage::resourceVersion).toList());
  }

  @Test
  void carriesTheObjectsOwnStatusAndSendsItAgainOnlyWhenItChanges() {
    List<StatusMessage> messages = new ArrayList<>();
    StatusReporter reporter = new StatusReporter(new StatusPublisher() {
      @Override
      public void publish(ResourceKey key, StatusMessage status) {
        messages.add(status);
      }

      @Override
      public void clear(ResourceKey key) {}
    }, Clock.systemUTC());
    ResourceKey key = ResourceKey.of(Kind.HTTP_ROUTE, "infra", "r");
    com.fasterxml.jackson.databind.node.ObjectNode accepted =
        com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    accepted.putArray("parents").addObject().put("controllerName", "c");
    ResourceStatus applied = new ResourceStatus(key, ResourceStatus.State.APPLIED, "mqtt", ImmutableList.of(),
        ImmutableList.of(), Optional.of("v1"), false, Optional.empty(), Optional.of(accepted));
    reporter.accept(board(applied));
    reporter.accept(board(applied.withObjectStatus(Optional.of(accepted.deepCopy()))));
    com.fasterxml.jackson.databind.node.ObjectNode changed = accepted.deepCopy();
    changed.withArray("parents").addObject().put("controllerName", "c");
    reporter.accept(board(applied.withObjectStatus(Optional.of(changed))));
    assertEquals(List.of(Optional.of(accepted), Optional.of(changed)),
        messages.stream().map(StatusMessage::objectStatus).toList());
    assertEquals(true, new String(messages.get(0).toJson(), java.nio.charset.StandardCharsets.UTF_8)
        .contains("\"objectStatus\":{\"parents\":[{\"controllerName\":\"c\"}]}"));
  }

  private static ResourceStatus status(String name, ResourceStatus.State state, Optional<String> version,
      ImmutableList<String> reasons, boolean servingPrevious) {
    return new ResourceStatus(ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", name), state, "test", reasons,
        ImmutableList.of(), version, servingPrevious);
  }

  private static StatusBoard board(ResourceStatus... statuses) {
    ImmutableSortedMap.Builder<ResourceKey, ResourceStatus> map = ImmutableSortedMap.naturalOrder();
    for (ResourceStatus s : statuses) {
      map.put(s.key(), s);
    }
    return new StatusBoard(map.build(), ImmutableSortedMap.of());
  }
}
