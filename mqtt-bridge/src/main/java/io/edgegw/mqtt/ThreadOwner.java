package io.edgegw.mqtt;

import java.util.Objects;

/**
 * Asserts single-thread ownership of mutable state: the first thread that checks owns it, and any other
 * thread is a bug that fails loudly instead of racing silently. Used by the MQTT worker here and by the
 * config loop's classes in xds-server.
 */
public final class ThreadOwner {
  private final String what;
  private volatile Thread owner;

  public ThreadOwner(String what) {
    this.what = Objects.requireNonNull(what, "what");
  }

  public void check() {
    Thread current = Thread.currentThread();
    Thread bound = owner;
    if (bound == null) {
      owner = current;
    } else if (bound != current) {
      throw new IllegalStateException(what + " is owned by thread " + bound.getName() + ", not " + current.getName());
    }
  }
}
