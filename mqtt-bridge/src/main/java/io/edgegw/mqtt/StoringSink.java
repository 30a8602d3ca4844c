package io.edgegw.mqtt;

import io.edgegw.translator.model.ResourceEvent;
import io.edgegw.translator.model.ResourceSink;

/** A sink that says when an accepted event is durably stored, so the MQTT source acknowledges it only then. */
public interface StoringSink extends ResourceSink {
  /**
   * Like {@link #accept(ResourceEvent)}; {@code whenStored} runs (on any thread) once the event is
   * stored or refused for good, and never if the sink stops before that.
   */
  void accept(ResourceEvent event, Runnable whenStored);
}
