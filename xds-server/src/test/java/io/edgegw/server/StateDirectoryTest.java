package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The state directory holds private keys: owner-only when written, and repaired when found otherwise. */
class StateDirectoryTest {
  @TempDir Path temp;

  @Test
  void aStoredSecretAndEveryDirectoryUpToTheStateDirectoryAreOwnerOnly() throws Exception {
    Path state = temp.resolve("state");
    ConfigStore store = ConfigStore.open(state);
    store.put(secret());
    Path file = state.resolve("resources/secret/default/cert.json");
    assertEquals("rw-------", permissions(file));
    for (Path dir = file.getParent(); !dir.equals(temp); dir = dir.getParent()) {
      assertEquals("rwx------", permissions(dir), dir.toString());
    }
    new ServedSnapshotFile(state, new ResourceEncoder()).save(new SnapshotPublisher.Published(
        SnapshotVersions.of(Fixtures.simple("r", "c")), Fixtures.simple("r", "c")), "d", java.util.Map.of());
    assertEquals("rw-------", permissions(state.resolve("served-snapshot.pb")));
    assertAllOwnerOnly(state);
  }

  @Test
  void aNewFileIsOwnerOnlyBeforeAByteIsWritten() throws Exception {
    Path file = temp.resolve("f.tmp");
    Files.writeString(file, "old, world-readable");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    try (FileChannel channel = StateDirectory.createOwnerOnly(file)) {
      assertEquals("rw-------", permissions(file));
      assertEquals(0, channel.size());
    }
  }

  @Test
  void aWorldReadableStateDirectoryOfAnOlderVersionIsRepairedAtOpen() throws Exception {
    Path state = temp.resolve("state");
    ConfigStore.open(state).put(secret());
    Path outside = Files.writeString(temp.resolve("outside.txt"), "not ours");
    Files.setPosixFilePermissions(outside, PosixFilePermissions.fromString("rw-r--r--"));
    Files.createSymbolicLink(state.resolve("link"), outside);
    Files.createDirectories(state.resolve("corrupt"));
    Files.writeString(state.resolve("corrupt/x.json.1"), "{");
    Files.writeString(state.resolve("served-snapshot.pb"), "x");
    try (Stream<Path> walk = Files.walk(state)) {
      for (Path p : walk.toList()) {
        if (!Files.isSymbolicLink(p)) {
          Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
        }
      }
    }

    ConfigStore reopened = ConfigStore.unloaded(state, ConfigStore.UNBOUNDED);
    assertAllOwnerOnly(state);
    // A link is not followed: what it points to is not ours to change.
    assertEquals("rw-r--r--", permissions(outside));
    reopened.load();
    assertEquals(1, reopened.inputSet().resources().size());
  }

  @Test
  void aStateDirectoryThatIsALinkIsRepairedWhereItLeads() throws Exception {
    Path real = temp.resolve("real");
    ConfigStore.open(real).put(secret());
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path secretFile = real.resolve("resources/secret/default/cert.json");
    Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-r--r--"));
    Path link = Files.createSymbolicLink(temp.resolve("state"), real);
    ConfigStore.open(link);
    assertAllOwnerOnly(real);
  }

  private static void assertAllOwnerOnly(Path state) throws Exception {
    try (Stream<Path> walk = Files.walk(state)) {
      List<Path> all = walk.filter(p -> !Files.isSymbolicLink(p)).toList();
      assertTrue(all.size() > 3);
      for (Path p : all) {
        assertEquals(Files.isDirectory(p) ? "rwx------" : "rw-------", permissions(p), p.toString());
      }
    }
  }

  private static String permissions(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  private static Resource secret() {
    String yaml = """
        apiVersion: v1
        kind: Secret
        metadata: {name: cert, namespace: default}
        type: kubernetes.io/tls
        data: {tls.crt: Y2VydA==, tls.key: a2V5}
        """;
    Resource resource = ((ResourceReader.Ok) new ResourceReader().read(yaml).get(0)).resource();
    assertEquals(ResourceKey.of(Kind.SECRET, "default", "cert"), resource.key());
    return resource;
  }
}
