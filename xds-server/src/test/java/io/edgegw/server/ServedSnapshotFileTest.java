package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.translator.EnvoyResources;
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
  void aSavedSnapshotLoadsWithTheSameResourcesAndVersions() throws Exception {
    EnvoyResources resources = Fixtures.simple("r1", "c1");
    SnapshotPublisher.Published published = new SnapshotPublisher.Published(SnapshotVersions.of(resources), resources);
    ServedSnapshotFile file = new ServedSnapshotFile(state);
    assertEquals(Optional.empty(), file.load());
    file.save(published);
    SnapshotPublisher.Published loaded = file.load().orElseThrow();
    assertEquals(resources, loaded.resources());
    assertEquals(published.versions(), loaded.versions());
    // It carries Secrets' keys, as the stored Secrets do: owner-only.
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(state.resolve("served-snapshot.pb"))));
  }

  @Test
  void aDamagedFileIsIgnored() throws Exception {
    ServedSnapshotFile file = new ServedSnapshotFile(state);
    Files.write(state.resolve("served-snapshot.pb"), new byte[] {9, 1, 2, 3});
    assertEquals(Optional.empty(), file.load());
    EnvoyResources resources = Fixtures.simple("r1", "c1");
    file.save(new SnapshotPublisher.Published(SnapshotVersions.of(resources), resources));
    byte[] whole = Files.readAllBytes(state.resolve("served-snapshot.pb"));
    Files.write(state.resolve("served-snapshot.pb"), java.util.Arrays.copyOf(whole, whole.length / 2));
    assertEquals(Optional.empty(), file.load());
  }

  @Test
  void theSaverWritesTheNewestOfteredSnapshotAtMostOncePerIntervalAndOnClose() throws Exception {
    ServedSnapshotFile file = new ServedSnapshotFile(state);
    EnvoyResources first = Fixtures.simple("r1", "c1");
    EnvoyResources second = Fixtures.simple("r2", "c2");
    try (SnapshotSaver saver = new SnapshotSaver(file, Duration.ofHours(1))) {
      saver.offer(new SnapshotPublisher.Published(SnapshotVersions.of(first), first));
      saver.offer(new SnapshotPublisher.Published(SnapshotVersions.of(second), second));
      Thread.sleep(100);
      assertTrue(file.load().isEmpty(), "written before its interval");
    }
    assertEquals(second, file.load().orElseThrow().resources());
  }
}
