package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ByNameTest {
  private static Cluster c(String name) {
    return Cluster.newBuilder().setName(name).build();
  }

  /** The walk as "+name", "-name", "=name" (same content) or "~name" (new content), in the order visited. */
  private static List<String> walk(List<Cluster> before, List<Cluster> after) {
    List<String> seen = new ArrayList<>();
    ByName.walk(before, after, new ByName.Visitor() {
      @Override
      public void added(String name, Message now) {
        seen.add("+" + name);
      }

      @Override
      public void removed(String name, Message old) {
        seen.add("-" + name);
      }

      @Override
      public void both(String name, int index, Message old, Message now) {
        assertEquals(name, SnapshotVersions.nameOf(before.get(index)));
        seen.add((old == now ? "=" : "~") + name);
      }
    });
    return seen;
  }

  @Test
  void pairsSharedMessagesAndFindsWhatWasAddedRemovedOrChanged() {
    Cluster a = c("a");
    Cluster b = c("b");
    Cluster d = c("d");
    Cluster f = c("f");
    assertEquals(List.of("=a", "-b", "+c", "~d", "=f", "+g"),
        walk(List.of(a, b, d, f), List.of(a, c("c"), c("d"), f, c("g"))));
  }

  @Test
  void aNewListOutOfOrderAroundSharedMessagesIsSortedFirst() {
    Cluster m = c("m");
    Cluster x = c("x");
    // "b" after the shared "m": only comparing it with its neighbour shows the list is not in order.
    assertEquals(List.of("+b", "=m", "=x"), walk(List.of(m, x), List.of(m, c("b"), x)));
    // A shared message after an added one that should follow it.
    Cluster a = c("a");
    assertEquals(List.of("=a", "=m", "+z"), walk(List.of(a, m), List.of(c("z"), a, m)));
    // Shared messages swapped.
    Cluster p = c("p");
    Cluster q = c("q");
    assertEquals(List.of("=p", "=q"), walk(List.of(p, q), List.of(q, p)));
  }

  @Test
  void versionsOfARepeatedNameAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SnapshotVersions.of(new io.edgegw.translator.EnvoyResources(
        ImmutableList.of(), ImmutableList.of(),
        ImmutableList.of(c("same"), c("same").toBuilder().setAltStatName("x").build()),
        ImmutableList.of(), ImmutableList.of())));
    assertTrue(e.getMessage().contains("same"), e.getMessage());
  }
}
