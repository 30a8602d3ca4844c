package io.edgegw.server;

import java.util.Objects;

/**
 * Asserts single-thread ownership of mutable state: the first thread that touches it owns it, and any
 * other thread is a bug that fails loudly instead of racing silently.
 */
final class LoopOwner {
  private final String what;
  private volatile Thread owner;

  LoopOwner(String what) {
    this.what = Objects.requireNonNull(what, "what");
  }

  void check() {
    Thread current = Thread.currentThread();
    Thread bound = owner;
    if (bound == null) {
      owner = current;
    } else if (bound != current) {
      throw new IllegalStateException(what + " is owned by thread " + bound.getName() + ", not " + current.getName());
    }
  }
}
