package io.edgegw.translator.xds;

import com.google.protobuf.BoolValue;
import com.google.protobuf.util.Durations;
import io.edgegw.translator.ir.CorsPolicy;
import io.edgegw.translator.ir.Fault;
import io.edgegw.translator.ir.Percentage;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.v3.FractionalPercent;

/** Per-route configuration of the fault and CORS filters, as istiod writes it. */
final class RouteFeatureTranslator {

  HTTPFault fault(Fault fault) {
    HTTPFault.Builder out = HTTPFault.newBuilder();
    fault.delay().ifPresent(d -> {
      FaultDelay.Builder delay = FaultDelay.newBuilder().setFixedDelay(Durations.fromNanos(d.fixedDelay().toNanos()));
      // No percentage: Envoy's default of 0%, as istiod leaves it.
      d.percentage().ifPresent(p -> delay.setPercentage(fractionalPercent(p)));
      out.setDelay(delay);
    });
    fault.abort().ifPresent(a -> {
      FaultAbort.Builder abort = FaultAbort.newBuilder();
      a.httpStatus().ifPresent(abort::setHttpStatus);
      a.grpcStatus().ifPresent(abort::setGrpcStatus);
      a.percentage().ifPresent(p -> abort.setPercentage(fractionalPercent(p)));
      out.setAbort(abort);
    });
    return out.build();
  }

  io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy cors(CorsPolicy cors) {
    var out = io.envoyproxy.envoy.extensions.filters.http.cors.v3.CorsPolicy.newBuilder()
        .setFilterEnabled(runtimeFraction(Percentage.ALL))
        .setForwardNotMatchingPreflights(BoolValue.of(cors.forwardNotMatchingPreflights()));
    cors.allowOrigins().forEach(o -> out.addAllowOriginStringMatch(RouteTranslator.stringMatcher(o)));
    if (!cors.allowMethods().isEmpty()) {
      out.setAllowMethods(String.join(",", cors.allowMethods()));
    }
    if (!cors.allowHeaders().isEmpty()) {
      out.setAllowHeaders(String.join(",", cors.allowHeaders()));
    }
    if (!cors.exposeHeaders().isEmpty()) {
      out.setExposeHeaders(String.join(",", cors.exposeHeaders()));
    }
    cors.maxAgeSeconds().ifPresent(s -> out.setMaxAge(Long.toString(s)));
    cors.allowCredentials().ifPresent(c -> out.setAllowCredentials(BoolValue.of(c)));
    return out.build();
  }

  static RuntimeFractionalPercent runtimeFraction(Percentage percentage) {
    return RuntimeFractionalPercent.newBuilder().setDefaultValue(fractionalPercent(percentage)).build();
  }

  /** As istiod: parts per million, so fractions such as 0.1% survive. */
  static FractionalPercent fractionalPercent(Percentage percentage) {
    return FractionalPercent.newBuilder()
        .setNumerator((int) Math.round(percentage.value() * 10_000))
        .setDenominator(FractionalPercent.DenominatorType.MILLION)
        .build();
  }
}
