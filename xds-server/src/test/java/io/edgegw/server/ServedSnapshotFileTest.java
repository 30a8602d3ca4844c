package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.translator.EnvoyResources;
import io.edgegw.translator.model.InputSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServedSnapshotFileTest {
  @TempDir Path state;

  @Test
  void aSavedSnapshotLoadsWithTheSameResourcesVersionsAndInputsDigest() throws Exception {
    EnvoyResources resources = Fixtures.simple("r1", "c1");
    SnapshotPublisher.Published published = new SnapshotPublisher.Published(SnapshotVersions.of(resources), resources);
    ServedSnapshotFile file = new ServedSnapshotFile(state, new ResourceEncoder());
    assertEquals(Optional.empty(), file.load());
    file.save(published, "abc", java.util.Map.of());
    ServedSnapshotFile.Saved loaded = file.load().orElseThrow();
    assertEquals(resources, loaded.published().resources());
    assertEquals(published.versions(), loaded.published().versions());
    assertEquals("abc", loaded.inputsDigest());
    // It carries Secrets' keys, as the stored Secrets do: owner-only.
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("served-snapshot.pb"))));
  }

  @Test
  void routeScopesRoundTripWithTheirVersions() throws Exception {
    EnvoyResources resources = Fixtures.scoped(java.util.Map.of("http.80", java.util.List.of("a.example.com", "b.example.com")));
    SnapshotPublisher.Published published = new SnapshotPublisher.Published(SnapshotVersions.of(resources), resources);
    ServedSnapshotFile file = new ServedSnapshotFile(state, new ResourceEncoder());
    file.save(published, "abc", java.util.Map.of());
    ServedSnapshotFile.Saved loaded = file.load().orElseThrow();
    assertEquals(resources, loaded.published().resources());
    assertEquals(2, loaded.published().resources().scopes().size());
    assertEquals(published.versions(), loaded.published().versions());
    assertEquals(published.version(), loaded.published().version());
  }

  @Test
  void aSnapshotWithoutScopesIsWrittenInTheFormatOfBeforeScopesAndLoads() throws Exception {
    EnvoyResources resources = Fixtures.simple("r1", "c1");
    ServedSnapshotFile file = new ServedSnapshotFile(state, new ResourceEncoder());
    file.save(new SnapshotPublisher.Published(SnapshotVersions.of(resources), resources), "abc", java.util.Map.of());
    // The inputs header and the five types, nothing after: what a sidecar without scopes wrote and reads.
    java.util.List<String> records = new java.util.ArrayList<>();
    try (java.io.InputStream in = Files.newInputStream(state.resolve("served-snapshot.pb"))) {
      io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse r;
      while ((r = io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse.parseDelimitedFrom(in)) != null) {
        records.add(r.getTypeUrl());
      }
    }
    assertEquals(java.util.List.of("edgegw/inputs", SnapshotVersions.LISTENERS, SnapshotVersions.ROUTES,
        SnapshotVersions.CLUSTERS, SnapshotVersions.ENDPOINTS, SnapshotVersions.SECRETS), records);
    ServedSnapshotFile.Saved loaded = file.load().orElseThrow();
    assertEquals(resources, loaded.published().resources());
    assertEquals(SnapshotVersions.of(resources), loaded.published().versions());
  }

  @Test
  void aDamagedFileIsIgnored() throws Exception {
    ServedSnapshotFile file = new ServedSnapshotFile(state, new ResourceEncoder());
    Files.write(state.resolve("served-snapshot.pb"), new byte[] {9, 1, 2, 3});
    assertEquals(Optional.empty(), file.load());
    EnvoyResources resources = Fixtures.simple("r1", "c1");
    file.save(new SnapshotPublisher.Published(SnapshotVersions.of(resources), resources), "abc", java.util.Map.of());
    byte[] whole = Files.readAllBytes(state.resolve("served-snapshot.pb"));
    Files.write(state.resolve("served-snapshot.pb"), java.util.Arrays.copyOf(whole, whole.length / 2));
    assertEquals(Optional.empty(), file.load());
  }

  @Test
  void theSaverWritesTheNewestOfferedSnapshotWithItsInputsDigestOnClose() throws Exception {
    ServedSnapshotFile file = new ServedSnapshotFile(state, new ResourceEncoder());
    EnvoyResources first = Fixtures.simple("r1", "c1");
    EnvoyResources second = Fixtures.simple("r2", "c2");
    EnvoyResources raw = Fixtures.simple("r3", "c3");
    InputSet inputs = Fixtures.inputSet(Fixtures.virtualService("a", "a.example.com"));
    try (SnapshotSaver saver = new SnapshotSaver(file, Duration.ofHours(1))) {
      saver.offer(new SnapshotPublisher.Published(SnapshotVersions.of(first), first, Optional.of(InputSet.EMPTY)));
      saver.offer(new SnapshotPublisher.Published(SnapshotVersions.of(second), second, Optional.of(inputs)));
      // Not translated from known inputs: a start could not check it against the store, so never saved.
      saver.offer(new SnapshotPublisher.Published(SnapshotVersions.of(raw), raw));
      Thread.sleep(100);
      assertTrue(file.load().isEmpty(), "written before its interval");
    }
    ServedSnapshotFile.Saved saved = file.load().orElseThrow();
    assertEquals(second, saved.published().resources());
    assertEquals(ConfigStore.contentDigest(inputs), saved.inputsDigest());
    assertNotEquals(ConfigStore.contentDigest(InputSet.EMPTY), saved.inputsDigest());
  }
}
