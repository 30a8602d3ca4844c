package io.edgegw.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MergedSourceTest {
  @TempDir Path dir;

  private static String vs(String name) {
    return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: " + name
        + ", namespace: default}\nspec: {hosts: [" + name + ".example.com]}\n";
  }

  @Test
  void aResourceTwoSourcesDefineIsAProblemAndTheRestIsRead() throws Exception {
    Path one = Files.createDirectories(dir.resolve("one"));
    Path two = Files.createDirectories(dir.resolve("two"));
    Files.writeString(one.resolve("a.yaml"), vs("a") + "---\n" + vs("shared"));
    Files.writeString(two.resolve("b.yaml"), vs("b") + "---\n" + vs("shared"));
    MergedSource merged = new MergedSource(List.of(new SourceDirectory(one), new SourceDirectory(two)));

    SourceDirectory.Snapshot snapshot = merged.read();
    assertEquals(List.of("a", "shared", "b"), snapshot.resources().stream().map(r -> r.key().name()).toList());
    assertEquals(1, snapshot.problems().size(), snapshot.problems().toString());
    assertTrue(snapshot.problems().get(0).contains("VirtualService default/shared is also defined in " + one),
        snapshot.problems().toString());

    Files.writeString(two.resolve("b.yaml"), vs("b"));
    assertEquals(List.of(), merged.read().problems());
  }
}
