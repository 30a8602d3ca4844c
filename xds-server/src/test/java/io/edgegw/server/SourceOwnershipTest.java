package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableMap;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each stored resource belongs to the source that sent it: another source sending the same key is a
 * reported conflict, not an overwrite; a source's full listing removes only what that source stored.
 */
class SourceOwnershipTest {
  @TempDir Path state;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor();
  private ConfigStore store;
  private ConfigLoop loop;

  @BeforeEach
  void start() throws Exception {
    store = ConfigStore.open(state);
    loop = loop(store);
  }

  private ConfigLoop loop(ConfigStore on) {
    return new ConfigLoop(executor, on, Fixtures::validate, Fixtures::translate,
        GatewayIdentity.of(ImmutableMap.of("istio", "edgegateway")), new SnapshotPublisher(SnapshotPublisher.newCache()),
        Duration.ofMillis(10), board -> {}, Metrics.unregistered(), Optional.empty());
  }

  @AfterEach
  void stop() {
    executor.shutdownNow();
  }

  private static final ResourceKey A = ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "a");

  private Optional<String> storedHost(ResourceKey key) {
    return loop.call(() -> store.get(key).map(r -> r.manifest().path("spec").path("hosts").path(0).asText()));
  }

  private ResourceStatus status(ResourceKey key) {
    loop.call(() -> null); // everything enqueued so far has been applied
    return loop.statuses().of(key).orElseThrow();
  }

  @Test
  void aSecondSourceSendingAnOwnedKeyIsAConflictNamingBothNotAnOverwrite() {
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "mqtt.example.com"), "mqtt:edgegw/x/virtualservice/default/a"));
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "kube.example.com"),
        "kube:/apis/networking.istio.io/v1/namespaces/default/virtualservices/a"));

    assertEquals(Optional.of("mqtt.example.com"), storedHost(A));
    ResourceStatus status = status(A);
    assertEquals("mqtt:edgegw/x/virtualservice/default/a", status.origin());
    assertTrue(status.warnings().stream().anyMatch(w ->
        w.contains("kube:/apis/networking.istio.io/v1/namespaces/default/virtualservices/a")
            && w.contains("mqtt:edgegw/x/virtualservice/default/a") && w.endsWith("(Conflicted)")), status::toString);
    assertEquals(Optional.of("mqtt"), loop.call(() -> store.owner(A)));

    // A delete from the source that does not own it removes nothing of the owner's.
    loop.accept(ResourceEvent.delete(A, "kube:/apis/networking.istio.io/v1/namespaces/default/virtualservices/a"));
    assertEquals(Optional.of("mqtt.example.com"), storedHost(A));
    assertTrue(status(A).warnings().stream().noneMatch(w -> w.contains("Conflicted")));
  }

  @Test
  void whenTheOwnerDeletesTheConflictingCopyTakesOver() {
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "mqtt.example.com"), "mqtt:t/a"));
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("a", "kube.example.com"), "kube:/x/a"));
    loop.accept(ResourceEvent.delete(A, "mqtt:t/a"));

    assertEquals(Optional.of("kube.example.com"), storedHost(A));
    assertEquals(Optional.of("kube"), loop.call(() -> store.owner(A)));
    assertTrue(status(A).warnings().stream().noneMatch(w -> w.contains("Conflicted")));
  }

  @Test
  void aListingRemovesOnlyWhatThatSourceStoredWithinItsScope() {
    Resource mqttOwned = Fixtures.virtualService("m", "m.example.com");
    loop.accept(ResourceEvent.upsert(mqttOwned, "mqtt:t/m"));
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("k1", "k1.example.com"), "kube:/x/k1"));
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("k2", "k2.example.com"), "kube:/x/k2"));
    ResourceKey k1 = ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "k1");
    ResourceKey k2 = ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "k2");

    // Out of scope: nothing happens.
    loop.reconcile("kube", k -> k.kind() == Kind.GATEWAY, Set.of());
    assertTrue(storedHost(k1).isPresent());

    loop.reconcile("kube", k -> k.kind() == Kind.VIRTUAL_SERVICE, Set.of(k2));
    assertEquals(Optional.empty(), storedHost(k1));
    assertTrue(storedHost(k2).isPresent());
    assertEquals(Optional.of("m.example.com"), storedHost(mqttOwned.key()));
  }

  @Test
  void ownersSurviveARestartSoAListingAfterItDeletesWhatWentAwayMeanwhile() throws Exception {
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("m", "m.example.com"), "mqtt:t/m"));
    loop.accept(ResourceEvent.upsert(Fixtures.virtualService("k", "k.example.com"), "kube:/x/k"));
    loop.call(() -> null);

    ConfigStore reopened = ConfigStore.open(state);
    ResourceKey k = ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "k");
    ResourceKey m = ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "m");
    assertEquals(Optional.of("kube"), reopened.owner(k));
    assertEquals(Optional.of("mqtt"), reopened.owner(m));
    store = reopened;
    loop = loop(reopened);
    loop.reconcile("kube", key -> true, Set.of());
    assertEquals(Optional.empty(), storedHost(k));
    assertTrue(storedHost(m).isPresent());
    assertEquals(Optional.empty(), ConfigStore.open(state).owner(k));
  }
}
