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
      assertEquals(List.of("UPSERT VirtualService default/a", "UPSERT VirtualService default/b"), events);

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
    assertEquals(List.of("UPSERT VirtualService default/a"), events);

    events.clear();
    Files.writeString(routes, ""); // what a truncating writer leaves for a moment
    source.scan(false);
    assertEquals(List.of(), events);

    Files.writeString(routes, vs("b"));
    source.scan(true);
    assertEquals(List.of("UPSERT VirtualService default/b", "DELETE VirtualService default/a"), events);
  }
}
