package io.edgegw.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import org.junit.jupiter.api.Test;

class ThreadOwnerTest {
  @Test
  void theFirstThreadOwnsTheStateAndAnyOtherFailsLoudly() throws Exception {
    ThreadOwner owner = new ThreadOwner("the test's state");
    owner.check();
    owner.check();
    ExecutorService other = Executors.newSingleThreadExecutor(r -> new Thread(r, "intruder"));
    try {
      ExecutionException e = assertThrows(ExecutionException.class,
          () -> CompletableFuture.runAsync(owner::check, other).get());
      assertEquals("the test's state is owned by thread " + Thread.currentThread().getName() + ", not intruder",
          e.getCause().getMessage());
    } finally {
      other.shutdownNow();
    }
  }
}
