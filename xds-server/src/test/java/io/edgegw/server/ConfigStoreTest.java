package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigStoreTest {
  @TempDir Path state;

  @Test
  void reloadGivesTheSameInputSet() throws Exception {
    ConfigStore store = ConfigStore.open(state);
    assertTrue(store.put(Fixtures.virtualService("a", "a.example.com")));
    assertTrue(store.put(Fixtures.virtualService("b", "b.example.com")));
    assertTrue(store.remove(Fixtures.virtualService("b", "b.example.com").key()));
    assertTrue(store.put(Fixtures.virtualService("c", "c.example.com")));

    ConfigStore reopened = ConfigStore.open(state);
    assertEquals(store.inputSet(), reopened.inputSet());
    assertEquals(2, reopened.inputSet().resources().size());
    assertTrue(Files.isRegularFile(state.resolve("resources/virtualservice/default/a.json")));
    assertTrue(reopened.loadProblems().isEmpty());
  }

  @Test
  void aFileIsItsManifestIndentedAsSerializingTheTreeWouldWriteIt() throws Exception {
    // Copied token by token from the kept JSON, not serialized from a tree: the bytes (and so every
    // digest of files written before) must not change.
    Resource r = Fixtures.resource("""
        {"apiVersion": "networking.istio.io/v1", "kind": "VirtualService",
         "metadata": {"name": "n", "namespace": "default", "labels": {"a": "b"}},
         "spec": {"hosts": ["x.example.com"], "http": [{"route": [{"destination": {"host": "s"}, "weight": 100}],
                  "mirrorPercentage": {"value": 12.5}, "timeout": "1.5s", "retries": {"attempts": 3}}],
                  "empty": {}, "none": null, "list": [], "big": 12345678901234, "neg": -0.0, "t": true}}""");
    byte[] expected = new com.fasterxml.jackson.databind.ObjectMapper()
        .enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT)
        .writeValueAsBytes(r.manifest());
    assertEquals(new String(expected, java.nio.charset.StandardCharsets.UTF_8),
        new String(ConfigStore.fileBytes(r), java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  void theDigestOnDiskIsTheDigestOfTheStoredInputsAndOnlyOfThem() throws Exception {
    ConfigStore store = ConfigStore.open(state);
    store.put(Fixtures.virtualService("a", "a.example.com"));
    store.put(Fixtures.virtualService("b", "b.example.com"));
    String both = ConfigStore.contentDigest(store.inputSet());
    assertEquals(both, store.digestOnDisk());
    // Read back from disk, the inputs give the same digest: a restart can check a saved snapshot.
    assertEquals(both, ConfigStore.contentDigest(ConfigStore.open(state).inputSet()));
    assertEquals(both, ConfigStore.unloaded(state, ConfigStore.UNBOUNDED).digestOnDisk());

    InputSet before = store.inputSet();
    store.put(Fixtures.virtualService("a", "changed.example.com"));
    assertNotEquals(ConfigStore.contentDigest(before), store.digestOnDisk());
    store.remove(Fixtures.virtualService("b", "b.example.com").key());
    assertEquals(ConfigStore.contentDigest(store.inputSet()), store.digestOnDisk());
  }

  @Test
  void digestsRememberedAcrossSavesEqualFreshOnesAndTheDiskAfterEveryChange() throws Exception {
    ConfigStore store = ConfigStore.open(state);
    io.edgegw.translator.memo.Memo<Resource, com.google.common.hash.HashCode> remembered =
        io.edgegw.translator.memo.Memo.byIdentity();
    for (int change = 0; change < 12; change++) {
      String name = "vs-" + (change % 5);
      if (change % 4 == 3) {
        store.remove(Fixtures.virtualService(name, "x").key());
      } else {
        store.put(Fixtures.virtualService(name, "h" + change + ".example.com"));
      }
      ConfigStore.Digests digests = ConfigStore.digests(store.inputSet(), remembered);
      assertEquals(ConfigStore.contentDigest(store.inputSet()), digests.overall());
      assertEquals(store.digestOnDisk(), digests.overall());
      assertEquals(store.inputSet().resources().size(), digests.byPath().size());
    }
  }

  @Test
  void theTwoGatewayKindsAreStoredApartAndIstiosPathIsUnchanged() throws Exception {
    ConfigStore store = ConfigStore.open(state);
    Resource istio = Fixtures.resource("""
        {"apiVersion": "networking.istio.io/v1", "kind": "Gateway", "metadata": {"name": "gw", "namespace": "web"},
         "spec": {"servers": []}}""");
    Resource gatewayApi = Fixtures.resource("""
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway", "metadata": {"name": "gw", "namespace": "web"},
         "spec": {"gatewayClassName": "edgegw", "listeners": []}}""");
    assertTrue(store.put(istio));
    assertTrue(store.put(gatewayApi));
    assertTrue(Files.isRegularFile(state.resolve("resources/gateway/web/gw.json")));
    assertTrue(Files.isRegularFile(state.resolve("resources/gateways.gateway.networking.k8s.io/web/gw.json")));
    assertEquals(store.inputSet(), ConfigStore.open(state).inputSet());
    assertEquals(2, ConfigStore.open(state).inputSet().resources().size());
  }

  @Test
  void identicalPutIsNotAChange() throws Exception {
    ConfigStore store = ConfigStore.open(state);
    assertTrue(store.put(Fixtures.virtualService("a", "a.example.com")));
    assertFalse(store.put(Fixtures.virtualService("a", "a.example.com")));
    assertTrue(store.put(Fixtures.virtualService("a", "other.example.com")));
    assertFalse(store.remove(ResourceKey.of(Kind.GATEWAY, "default", "nope")));
  }

  @Test
  void corruptFileIsSetAsideNotFatal() throws Exception {
    ConfigStore store = ConfigStore.open(state);
    store.put(Fixtures.virtualService("good", "a.example.com"));
    Path broken = state.resolve("resources/virtualservice/default/broken.json");
    Files.writeString(broken, "{\"apiVersion\": \"networking.istio.io/v1\", \"kind\": ");
    Path misplaced = state.resolve("resources/gateway/default/x.json");
    Files.createDirectories(misplaced.getParent());
    Files.copy(state.resolve("resources/virtualservice/default/good.json"), misplaced);
    Files.writeString(state.resolve("resources/virtualservice/default/half.json.tmp"), "{");

    ConfigStore reopened = ConfigStore.open(state);
    assertEquals(1, reopened.inputSet().resources().size());
    assertEquals(2, reopened.loadProblems().size());
    assertTrue(reopened.loadProblems().get(0).contains(misplaced.toString())
        || reopened.loadProblems().get(1).contains(misplaced.toString()));
    assertFalse(Files.exists(broken));
    assertFalse(Files.exists(state.resolve("resources/virtualservice/default/half.json.tmp")));
    try (Stream<Path> aside = Files.list(state.resolve("corrupt"))) {
      assertEquals(2, aside.count());
    }
  }

  @Test
  void refusesNamesThatEscapeTheStateDirectory() throws Exception {
    ConfigStore store = ConfigStore.open(state);
    Resource good = Fixtures.virtualService("a", "a.example.com");
    Resource evil = new Resource(ResourceKey.of(Kind.VIRTUAL_SERVICE, "..", "passwd"), good.manifest());
    assertThrows(IllegalArgumentException.class, () -> store.put(evil));
  }

  /** The bound is on the stored total: growth over it is refused, a same-size replacement and a shrink are not. */
  @Test
  void growthOverTheBoundIsRefusedAndNothingStoredIsLost() throws Exception {
    io.edgegw.translator.model.Resource a = Fixtures.virtualService("a", "a.example.com");
    long bound = 3L * a.size() + 10;
    ConfigStore store = ConfigStore.unloaded(state, bound);
    store.load();
    store.put(a);
    store.put(Fixtures.virtualService("b", "b.example.com"));
    store.put(Fixtures.virtualService("c", "c.example.com"));
    IllegalArgumentException refused = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> store.put(Fixtures.virtualService("d", "d.example.com")));
    assertTrue(refused.getMessage().contains("over the bound of " + bound + " bytes"), refused.getMessage());
    assertTrue(store.get(Fixtures.virtualService("d", "x").key()).isEmpty());
    assertTrue(store.put(Fixtures.virtualService("a", "z.example.com")), "a replacement of the same size");
    store.remove(a.key());
    assertTrue(store.put(Fixtures.virtualService("d", "d.example.com")), "room again after a delete");
    assertEquals(3L * a.size(), store.totalBytes());

    // Reopened with a smaller bound: everything stays, only growth is refused.
    ConfigStore smaller = ConfigStore.unloaded(state, a.size());
    smaller.load();
    assertEquals(3, smaller.inputSet().resources().size());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> smaller.put(Fixtures.virtualService("e", "e.example.com")));
  }
}
