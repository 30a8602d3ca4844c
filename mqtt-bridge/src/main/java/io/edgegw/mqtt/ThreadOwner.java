package io.edgegw.mqtt;

import java.util.Objects;

/**
 * Asserts single-thread ownership of mutable state: the first thread that checks owns it, and any other
 * thread is a bug that fails loudly instead of racing silently. (xds-server's {@code LoopOwner} does the
 * same for the config loop; this module cannot depend on it.)
 */
final class ThreadOwner {
  private final String what;
  private volatile Thread owner;

  ThreadOwner(String what) {
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
