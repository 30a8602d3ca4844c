package io.edgegw.server;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import io.edgegw.translator.model.ResourceSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSourceTest {
  @TempDir Path dir;
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final ResourceSink sink = new ResourceSink() {
    @Override
    public void accept(ResourceEvent event) {
      events.add(event.type() + " " + event.key());
    }

    @Override
    public void reject(String origin, Optional<ResourceKey> key, String reason) {
      events.add("REJECT " + origin.substring(origin.lastIndexOf('/') + 1));
    }

    @Override
    public void reconcile(String source, java.util.function.Predicate<ResourceKey> scope,
        java.util.Set<ResourceKey> present) {
      events.add("RECONCILE " + source + " " + present.size());
    }
  };

  static String vs(String name) {
    return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: " + name
        + "\nspec:\n  hosts: [" + name + ".example.com]\n";
  }

  @Test
  void readsAtStartAndFollowsChanges() throws Exception {
    Files.writeString(dir.resolve("routes.yaml"), vs("a") + "---\n" + vs("b"));
    Files.writeString(dir.resolve("notes.txt"), "ignored");
    try (FileSource source = new FileSource(dir, new ResourceReader(), sink, Duration.ofMillis(200))) {
      source.start();
      assertEquals(List.of("UPSERT VirtualService default/a", "UPSERT VirtualService default/b",
          "RECONCILE file 2"), events);

      events.clear();
      Files.writeString(dir.resolve("routes.yaml"), vs("a"));
      await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("DELETE VirtualService default/b"));
      assertTrue(events.contains("UPSERT VirtualService default/a"));

      events.clear();
      Files.writeString(dir.resolve("routes.yaml"), "kind: [unclosed");
      await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("REJECT routes.yaml#0"));
      Thread.sleep(300);
      assertTrue(events.stream().noneMatch(e -> e.startsWith("DELETE")), "a broken file keeps what it had: " + events);

      events.clear();
      Files.delete(dir.resolve("routes.yaml"));
      await().atMost(Duration.ofSeconds(10)).until(() -> events.contains("DELETE VirtualService default/a"));
    }
  }

  @Test
  void aFileSeenEmptyMidWriteKeepsWhatItHad() throws Exception {
    Path routes = dir.resolve("routes.yaml");
    Files.writeString(routes, vs("a"));
    FileSource source = new FileSource(dir, new ResourceReader(), sink, Duration.ofHours(1));
    source.scan(true);
    assertEquals(List.of("UPSERT VirtualService default/a", "RECONCILE file 1"), events);

    events.clear();
    Files.writeString(routes, ""); // what a truncating writer leaves for a moment
    source.scan(false);
    assertEquals(List.of(), events);

    Files.writeString(routes, vs("b"));
    source.scan(true);
    assertEquals(List.of("UPSERT VirtualService default/b", "DELETE VirtualService default/a"), events);
  }

  @Test
  void theFirstCleanScanReconcilesWhatTheStoreHoldsFromFiles() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), vs("a"));
    FileSource source = new FileSource(dir, new ResourceReader(), sink, Duration.ofHours(1));
    source.scan(true);
    assertEquals(List.of("UPSERT VirtualService default/a", "RECONCILE file 1"), events);

    events.clear();
    source.scan(true); // once per run: later deletions are seen as files going away
    assertEquals(List.of(), events);
  }

  @Test
  void noReconcileWhileAFileCannotBeReadCompletely() throws Exception {
    Path broken = dir.resolve("broken.yaml");
    Files.writeString(dir.resolve("a.yaml"), vs("a"));
    Files.writeString(broken, "kind: [unclosed");
    FileSource source = new FileSource(dir, new ResourceReader(), sink, Duration.ofHours(1));
    source.scan(true);
    // The broken file may define what the store holds: nothing may be reconciled away yet.
    assertEquals(List.of("UPSERT VirtualService default/a", "REJECT broken.yaml#0"), events);

    events.clear();
    Files.writeString(broken, vs("b"));
    source.scan(false);
    assertEquals(List.of("UPSERT VirtualService default/b", "RECONCILE file 2"), events);
  }

  @Test
  void aFileEmptyAtStartCountsAsEmptyOnceItStaysSo() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), vs("a"));
    Files.writeString(dir.resolve("empty.yaml"), ""); // maybe a writer that just truncated it
    FileSource source = new FileSource(dir, new ResourceReader(), sink, Duration.ofHours(1));
    source.scan(true);
    assertEquals(List.of("UPSERT VirtualService default/a"), events);

    events.clear();
    source.scan(false);
    assertEquals(List.of("RECONCILE file 1"), events);
  }
}
