package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** /healthz/live's verdict: the config loop must keep running its probe task, and no source may be stuck. */
class LivenessTest {
  private final AtomicLong now = new AtomicLong(5_000_000_000L);
  private final AtomicReference<Optional<String>> mqtt = new AtomicReference<>(Optional.empty());
  private final Liveness liveness = new Liveness(now::get, () -> ImmutableList.of(mqtt.get()));

  @Test
  void liveWhileTheLoopBeatsAndNoSourceIsStuck() {
    for (int i = 0; i < 100; i++) {
      now.addAndGet(Liveness.BEAT.toNanos());
      liveness.beat();
      assertTrue(liveness.check().live());
    }
    assertEquals(ImmutableList.of(), liveness.check().problems());
  }

  @Test
  void aLoopThatStopsRunningTasksIsNotLive() {
    liveness.beat();
    now.addAndGet(Liveness.LOOP_LIMIT.toNanos());
    assertTrue(liveness.check().live(), "a long translation up to the limit is fine");
    now.addAndGet(Duration.ofSeconds(1).toNanos());
    Liveness.Verdict verdict = liveness.check();
    assertFalse(verdict.live());
    assertEquals(ImmutableList.of("config loop: no probe task ran for 61 s (it runs one every 5 s)"), verdict.problems());

    liveness.beat();
    assertTrue(liveness.check().live(), "live again once the loop runs");
  }

  @Test
  void aStuckSourceIsNotLive() {
    mqtt.set(Optional.of("MQTT: not connected, and no connect attempt ended for 70 s"));
    Liveness.Verdict verdict = liveness.check();
    assertFalse(verdict.live());
    assertEquals(ImmutableList.of("MQTT: not connected, and no connect attempt ended for 70 s"), verdict.problems());
  }
}
