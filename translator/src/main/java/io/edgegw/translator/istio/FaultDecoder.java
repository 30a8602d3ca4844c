package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.decode.Checks;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.istio.VirtualService.FaultAbort;
import io.edgegw.translator.istio.VirtualService.FaultDelay;
import io.edgegw.translator.istio.VirtualService.HttpFault;
import io.edgegw.translator.istio.VirtualService.Percent;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/** {@code fault} of an http rule, checked as istiod's validateHTTPFaultInjection does. */
final class FaultDecoder {
  private static final ImmutableSet<String> FAULT = ImmutableSet.of("delay", "abort");
  private static final ImmutableSet<String> DELAY =
      ImmutableSet.of("fixedDelay", "exponentialDelay", "percentage", "percent");
  private static final ImmutableSet<String> ABORT =
      ImmutableSet.of("httpStatus", "grpcStatus", "http2Error", "percentage");
  private static final ImmutableSet<String> PERCENT = ImmutableSet.of("value");
  /** gRPC status names in code order (OK = 0 ... UNAUTHENTICATED = 16), as istiod accepts them. */
  private static final ImmutableList<String> GRPC_STATUS = ImmutableList.of(
      "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
      "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED",
      "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED");

  Optional<HttpFault> fault(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(FAULT);
    if (!field.get("delay").present() && !field.get("abort").present()) {
      field.error("one of delay or abort must be set");
    }
    return Optional.of(new HttpFault(delay(field.get("delay")), abort(field.get("abort"))));
  }

  private Optional<FaultDelay> delay(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(DELAY);
    Field fixed = field.get("fixedDelay");
    if (field.get("exponentialDelay").present()) {
      field.get("exponentialDelay").error("exponentialDelay is not supported by Istio; use fixedDelay");
    } else if (!fixed.present()) {
      fixed.error("required");
    }
    Optional<Duration> delay = Checks.duration(fixed);
    Optional<Percent> percent = percentage(field.get("percentage"));
    if (percent.isEmpty()) {
      // The deprecated integer percent, used only when percentage is not set (as istiod).
      OptionalInt legacy = field.get("percent").integer();
      if (legacy.isPresent() && inRange(field.get("percent"), legacy.getAsInt())) {
        percent = Optional.of(new Percent(legacy.getAsInt()));
      }
    }
    if (percent.isEmpty()) {
      field.warning("no percentage: no request will be delayed (as in istiod); set percentage.value");
    }
    Optional<Percent> share = percent;
    return delay.map(d -> new FaultDelay(d, share));
  }

  private Optional<FaultAbort> abort(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(ABORT);
    OptionalInt http = OptionalInt.empty();
    OptionalInt grpc = OptionalInt.empty();
    int kinds = 0;
    Field httpStatus = field.get("httpStatus");
    if (httpStatus.present()) {
      kinds++;
      OptionalInt status = httpStatus.integer();
      if (status.isPresent() && (status.getAsInt() < 200 || status.getAsInt() > 599)) {
        httpStatus.error("HTTP status must be in 200..599, got " + status.getAsInt());
      } else {
        http = status;
      }
    }
    Field grpcStatus = field.get("grpcStatus");
    if (grpcStatus.present()) {
      kinds++;
      Optional<String> name = grpcStatus.string();
      if (name.isPresent() && !GRPC_STATUS.contains(name.get())) {
        grpcStatus.error("invalid gRPC status " + name.get() + ": use one of " + String.join(", ", GRPC_STATUS));
      } else if (name.isPresent()) {
        grpc = OptionalInt.of(GRPC_STATUS.indexOf(name.get()));
      }
    }
    if (field.get("http2Error").present()) {
      field.get("http2Error").error("http2Error is not supported by Istio; use httpStatus or grpcStatus");
      kinds++;
    }
    if (kinds == 0) {
      field.error("one of httpStatus or grpcStatus must be set");
    } else if (kinds > 1) {
      field.error("only one of httpStatus, grpcStatus, http2Error may be set");
    }
    Optional<Percent> percent = percentage(field.get("percentage"));
    if (percent.isEmpty()) {
      field.warning("no percentage: no request will be aborted (as in istiod); set percentage.value");
    }
    if (http.isEmpty() && grpc.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new FaultAbort(http, grpc, percent));
  }

  /** {@code {value: 0..100}}, the Istio Percent message. */
  static Optional<Percent> percentage(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(PERCENT);
    OptionalDouble value = field.get("value").number();
    if (value.isEmpty() || !inRange(field.get("value"), value.getAsDouble())) {
      return Optional.empty();
    }
    return Optional.of(new Percent(value.getAsDouble()));
  }

  static boolean inRange(Field field, double percent) {
    if (percent < 0 || percent > 100) {
      field.error("percentage must be in 0..100, got " + percent);
      return false;
    }
    return true;
  }
}
