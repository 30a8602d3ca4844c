package io.edgegw.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import com.google.common.collect.ImmutableMap;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoopTest {
  @TempDir Path state;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private final AtomicInteger translations = new AtomicInteger();
  private SnapshotPublisher publisher;
  private ConfigStore store;
  private ConfigLoop loop;

  @BeforeEach
  void start() throws Exception {
    publisher = new SnapshotPublisher(SnapshotPublisher.newCache());
    store = ConfigStore.open(state);
    loop = new ConfigLoop(executor, store, Fixtures::validate, (inputs, identity) -> {
      translations.incrementAndGet();
      return Fixtures.translate(inputs, identity);
    }, GatewayIdentity.of(ImmutableMap.of("istio", "edgegateway")), publisher, Duration.ofMillis(50),
        board -> {}, Metrics.unregistered(), java.util.Optional.empty());
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  @Test
  void acceptsStoresAndPublishes() {
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "a.example.com"), "test"));
    ResourceKey a = Fixtures.virtualService("a", "a").key();
    await().until(() -> loop.statuses().of(a).map(s -> s.state() == ResourceStatus.State.APPLIED).orElse(false));
    ResourceStatus status = loop.statuses().of(a).orElseThrow();
    assertEquals(publisher.current().orElseThrow().version(), status.appliedVersion().orElseThrow());
    assertEquals("test", status.origin());
    assertTrue(store.get(a).isPresent());
    assertEquals(1, publisher.current().orElseThrow().resources().clusters().size());
  }

  @Test
  void aChangeAfterAQuietSpellIsServedWithoutWaitingForTheDebounce() {
    ConfigLoop slow = new ConfigLoop(executor, store, Fixtures::validate, Fixtures::translate,
        GatewayIdentity.of(ImmutableMap.of("istio", "edgegateway")), publisher, Duration.ofSeconds(30), board -> {},
        Metrics.unregistered(), java.util.Optional.empty());
    ResourceKey a = Fixtures.virtualService("a", "a").key();
    slow.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "a.example.com"), "test"));
    // Well inside the 30 s interval: only the leading edge can have published it.
    await().atMost(Duration.ofSeconds(5))
        .until(() -> slow.statuses().of(a).map(s -> s.state() == ResourceStatus.State.APPLIED).orElse(false));

    // The next change comes within the interval of that snapshot: it waits for the interval to end.
    ResourceKey b = Fixtures.virtualService("b", "b").key();
    slow.accept(ResourceEvent.upsert(Fixtures.virtualService("b", "b.example.com"), "test"));
    await().atMost(Duration.ofSeconds(5)).until(() -> slow.statuses().of(b).isPresent());
    assertEquals(ResourceStatus.State.ACCEPTED, slow.statuses().of(b).orElseThrow().state());
  }

  @Test
  void aResourceKeepsTheVersionThatFirstServedItWhileOthersChange() {
    ResourceKey a = Fixtures.virtualService("a", "a").key();
    ResourceKey b = Fixtures.virtualService("b", "b").key();
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "a.example.com"), "test"));
    await().until(() -> loop.statuses().of(a).map(s -> s.state() == ResourceStatus.State.APPLIED).orElse(false));
    String first = publisher.current().orElseThrow().version();

    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("b", "b.example.com"), "test"));
    await().until(() -> loop.statuses().of(b).map(s -> s.state() == ResourceStatus.State.APPLIED).orElse(false));
    String second = publisher.current().orElseThrow().version();
    assertTrue(!first.equals(second));
    // a's status did not change, so it is not sent again for b's change (one status message per change).
    assertEquals(first, loop.statuses().of(a).orElseThrow().appliedVersion().orElseThrow());
    assertEquals(second, loop.statuses().of(b).orElseThrow().appliedVersion().orElseThrow());
  }

  @Test
  void rejectedUpdateKeepsThePreviousVersion() {
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "a.example.com"), "test"));
    ResourceKey a = Fixtures.virtualService("a", "a").key();
    await().until(() -> loop.statuses().of(a).map(s -> s.state() == ResourceStatus.State.APPLIED).orElse(false));
    String served = publisher.current().orElseThrow().version();

    loop.accept(ResourceEvent.upsert(Fixtures.bad("a"), "test"));
    await().until(() -> loop.statuses().of(a).map(s -> s.state() == ResourceStatus.State.REJECTED).orElse(false));
    ResourceStatus status = loop.statuses().of(a).orElseThrow();
    assertEquals("spec.bad: must not be true", status.reasons().get(0));
    assertTrue(status.servingPrevious());
    assertEquals(Fixtures.virtualService("a", "a.example.com"), store.get(a).orElseThrow());
    assertEquals(served, publisher.current().orElseThrow().version());
  }

  @Test
  void burstsAreDebouncedIntoFewTranslations() {
    for (int i = 0; i < 50; i++) {
      loop.accept(ResourceEvent.upsert(Fixtures.virtualService("vs" + i, "h" + i + ".example.com"), "test"));
    }
    await().until(() -> publisher.current().map(p -> p.resources().clusters().size() == 50).orElse(false));
    assertTrue(translations.get() <= 3, "translated " + translations.get() + " times");
  }

  @Test
  void unchangedInputsAreNotTranslatedAgain() {
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "a.example.com"), "test"));
    await().until(() -> publisher.current().isPresent());
    int before = loop.call(translations::get);
    ResourceKey a = Fixtures.virtualService("a", "a").key();
    // Deleted and re-added within one debounce window: the inputs end as they were.
    loop.call(() -> {
      loop.accept(ResourceEvent.delete(a, "test"));
      loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "a.example.com"), "test"));
      return null;
    });
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("b", "b.example.com"), "test"));
    await().until(() -> publisher.current().map(p -> p.resources().clusters().size() == 2).orElse(false));
    loop.rebuildNow();
    assertEquals(before + 1, loop.call(translations::get), "only the change that added b was translated");
  }

  @Test
  void deleteRemovesFromStoreAndSnapshot() {
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "a.example.com"), "test"));
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("b", "b.example.com"), "test"));
    await().until(() -> publisher.current().map(p -> p.resources().clusters().size() == 2).orElse(false));
    loop.accept(ResourceEvent.delete(Fixtures.virtualService("a", "a").key(), "test"));
    await().until(() -> publisher.current().map(p -> p.resources().clusters().size() == 1).orElse(false));
    assertTrue(store.get(Fixtures.virtualService("a", "a").key()).isEmpty());
    assertTrue(loop.statuses().of(Fixtures.virtualService("a", "a").key()).isEmpty());
  }

  @Test
  void unreadableInputIsRecorded() {
    loop.reject("edgegw/default/virtualservice/default/x", Optional.empty(), "not valid YAML or JSON");
    ResourceKey key = ResourceKey.of(Kind.GATEWAY, "default", "gw");
    loop.reject("file:/x.yaml#0", Optional.of(key), "apiVersion: unsupported version v2");
    await().until(() -> loop.statuses().of(key).isPresent());
    assertEquals("not valid YAML or JSON", loop.statuses().unreadable().get("edgegw/default/virtualservice/default/x"));
    assertEquals(ResourceStatus.State.REJECTED, loop.statuses().of(key).orElseThrow().state());
  }

  @Test
  void envoyRejectionIsReportedOnTheInputsThatChanged() {
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "a.example.com"), "test"));
    await().until(() -> publisher.current().isPresent());
    SnapshotPublisher.Published good = publisher.current().orElseThrow();
    loop.call(() -> ackAll(good));
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("b", "b.example.com"), "test"));
    await().until(() -> publisher.current().map(p -> p.resources().clusters().size() == 2).orElse(false));
    SnapshotPublisher.Published bad = publisher.current().orElseThrow();

    loop.call(() -> {
      loop.envoyRejected(new SnapshotPublisher.Rollback(bad, good, SnapshotVersions.CLUSTERS, "bad cluster"));
      return null;
    });
    ResourceStatus b = loop.statuses().of(Fixtures.virtualService("b", "b").key()).orElseThrow();
    assertEquals(ResourceStatus.State.REJECTED_BY_ENVOY, b.state());
    assertEquals("rejected by Envoy: bad cluster", b.reasons().get(0));
    ResourceStatus a = loop.statuses().of(Fixtures.virtualService("a", "a").key()).orElseThrow();
    assertEquals(ResourceStatus.State.APPLIED, a.state());
    assertEquals(good.version(), a.appliedVersion().orElseThrow());
  }

  /**
   * A simulated Envoy that refuses any snapshot holding the poison's cluster: after one NACK of a
   * burst, the loop narrows the suspects down to the poison alone and serves everything else.
   */
  @Test
  void aRefusedBurstIsNarrowedDownToTheCulprit() throws Exception {
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "a.example.com"), "test"));
    await().until(() -> publisher.current().isPresent());
    loop.call(() -> ackAll(publisher.current().orElseThrow()));
    String poison = "outbound|80||poison.example.com";
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    Thread envoy = new Thread(() -> {
      String answered = "";
      while (!stop.get()) {
        String version = publisher.current().map(SnapshotPublisher.Published::version).orElse("");
        if (!version.equals(answered)) {
          answered = version;
          loop.call(() -> {
            SnapshotPublisher.Published now = publisher.current().orElseThrow();
            boolean bad = now.resources().clusters().stream().anyMatch(c -> c.getName().equals(poison));
            if (bad) {
              publisher.onNack(SnapshotVersions.CLUSTERS, now.versions().of(SnapshotVersions.CLUSTERS), "poison")
                  .ifPresent(loop::envoyRejected);
            } else {
              ackAll(now);
            }
            return null;
          });
        }
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
    });
    envoy.start();
    try {
      List<String> names = new java.util.ArrayList<>();
      for (int i = 0; i < 12; i++) {
        names.add("good-" + i);
      }
      names.add(7, "poison");
      executorPause(() -> names.forEach(n ->
          loop.accept(ResourceEvent.upsert(Fixtures.virtualService(n, n + ".example.com"), "test"))));
      ResourceKey poisonKey = Fixtures.virtualService("poison", "x").key();
      await().atMost(Duration.ofSeconds(10)).until(() -> loop.statuses().of(poisonKey)
          .map(st -> st.state() == ResourceStatus.State.REJECTED_BY_ENVOY).orElse(false));
      for (String n : names) {
        if (!n.equals("poison")) {
          ResourceKey key = Fixtures.virtualService(n, "x").key();
          await().atMost(Duration.ofSeconds(10)).until(() -> loop.statuses().of(key)
              .map(st -> st.state() == ResourceStatus.State.APPLIED).orElse(false));
        }
      }
      assertEquals(13, publisher.current().orElseThrow().resources().clusters().size());
      assertEquals("rejected by Envoy: poison", loop.statuses().of(poisonKey).orElseThrow().reasons().get(0));
    } finally {
      stop.set(true);
      envoy.join();
    }
  }

  /** Runs {@code events} while the loop is held, so they land in one snapshot. */
  @Test
  void gatewayApiObjectsCarryTheirOwnStatusWhichStaysPutWhileNothingAboutItChanges() {
    io.edgegw.translator.Translator real = new io.edgegw.translator.Translator();
    ConfigLoop gatewayApi = new ConfigLoop(executor, store, real::validate, real::translate,
        GatewayIdentity.of(ImmutableMap.of("istio", "edgegateway")), publisher, Duration.ofMillis(10), board -> {},
        Metrics.unregistered(), java.util.Optional.empty());
    Resource route = Fixtures.resource("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: r, namespace: infra, generation: 5}
        spec:
          parentRefs: [{name: gw}]
        """);
    for (String manifest : List.of("""
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: edgegw}
        spec: {controllerName: edgegw.io/gateway-controller}
        """, """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: infra}
        spec:
          gatewayClassName: edgegw
          listeners: [{name: http, port: 80, protocol: HTTP}]
        """)) {
      gatewayApi.accept(ResourceEvent.upsert(Fixtures.resource(manifest), "test"));
    }
    gatewayApi.accept(ResourceEvent.upsert(route, "test"));
    await().until(() -> gatewayApi.statuses().of(route.key()).flatMap(ResourceStatus::objectStatus).isPresent());
    com.fasterxml.jackson.databind.node.ObjectNode first =
        gatewayApi.statuses().of(route.key()).orElseThrow().objectStatus().orElseThrow();
    com.fasterxml.jackson.databind.JsonNode accepted = first.path("parents").path(0).path("conditions").path(0);
    assertEquals("Accepted", accepted.path("type").asText());
    assertEquals("True", accepted.path("status").asText());
    assertEquals(5, accepted.path("observedGeneration").asInt());
    // Istio kinds have no object status.
    ResourceKey vs = Fixtures.virtualService("a", "a").key();
    gatewayApi.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "a.example.com"), "test"));
    await().until(() -> gatewayApi.statuses().of(vs).isPresent());
    assertTrue(gatewayApi.statuses().of(vs).orElseThrow().objectStatus().isEmpty());
    assertEquals(first, gatewayApi.statuses().of(route.key()).orElseThrow().objectStatus().orElseThrow(),
        "another resource's change leaves this status (and its lastTransitionTime) as it was");

    ObjectNode moved = route.manifest().deepCopy();
    ((ObjectNode) moved.path("spec").path("parentRefs").path(0)).put("sectionName", "nope");
    gatewayApi.accept(ResourceEvent.upsert(new Resource(route.key(), moved), "test"));
    await().until(() -> gatewayApi.statuses().of(route.key()).flatMap(ResourceStatus::objectStatus)
        .map(o -> o.path("parents").path(0).path("conditions").path(0).path("reason").asText())
        .orElse("").equals("NoMatchingParent"));
  }

  private void executorPause(Runnable events) throws Exception {
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    executor.execute(() -> {
      held.countDown();
      try {
        release.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    held.await();
    events.run();
    release.countDown();
  }

  /** What an Envoy does when it accepts every type of {@code published}. */
  private Void ackAll(SnapshotPublisher.Published published) {
    for (String type : List.of(SnapshotVersions.LISTENERS, SnapshotVersions.ROUTES, SnapshotVersions.CLUSTERS,
        SnapshotVersions.ENDPOINTS)) {
      publisher.onAck(type, published.versions().of(type));
    }
    return null;
  }
}
