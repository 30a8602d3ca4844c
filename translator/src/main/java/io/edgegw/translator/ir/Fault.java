package io.edgegw.translator.ir;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/** Injected faults of a route: a delay, an abort, or both. An empty percentage affects no request. */
public record Fault(Optional<Delay> delay, Optional<Abort> abort) {

  public record Delay(Duration fixedDelay, Optional<Percentage> percentage) {}

  /** Exactly one of httpStatus and grpcStatus. */
  public record Abort(OptionalInt httpStatus, OptionalInt grpcStatus, Optional<Percentage> percentage) {}
}
