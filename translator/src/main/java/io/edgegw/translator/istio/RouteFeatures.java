package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.ir.CorsPolicy;
import io.edgegw.translator.ir.Fault;
import io.edgegw.translator.ir.HeaderMutations;
import io.edgegw.translator.ir.HeaderMutations.HeaderValue;
import io.edgegw.translator.ir.Percentage;
import io.edgegw.translator.istio.VirtualService.HeaderOperations;
import io.edgegw.translator.istio.VirtualService.Headers;

/** Header operations, fault injection and CORS of an http rule, as istiod translates them. */
final class RouteFeatures {
  private RouteFeatures() {}

  /** istiod's translateHeadersOperations: set (overwrite) first, then add (append), each sorted by name. */
  static HeaderMutations headers(Headers headers) {
    return new HeaderMutations(
        toAdd(headers.request()),
        headers.request().remove(),
        toAdd(headers.response()),
        headers.response().remove());
  }

  private static ImmutableList<HeaderValue> toAdd(HeaderOperations operations) {
    ImmutableList.Builder<HeaderValue> out = ImmutableList.builder();
    operations.set().forEach((name, value) -> out.add(new HeaderValue(name, value, false)));
    operations.add().forEach((name, value) -> out.add(new HeaderValue(name, value, true)));
    return out.build();
  }

  static Fault fault(VirtualService.HttpFault fault) {
    return new Fault(
        fault
            .delay()
            .map(d -> new Fault.Delay(d.fixedDelay(), d.percent().map(RouteFeatures::percentage))),
        fault
            .abort()
            .map(
                a ->
                    new Fault.Abort(
                        a.httpStatus(),
                        a.grpcStatus(),
                        a.percent().map(RouteFeatures::percentage))));
  }

  static CorsPolicy cors(VirtualService.CorsPolicy cors) {
    return new CorsPolicy(
        cors.allowOrigins().stream().map(HttpRouteBuilder::matcher).collect(ImmutableList.toImmutableList()),
        cors.allowMethods(),
        cors.allowHeaders(),
        cors.exposeHeaders(),
        cors.maxAge().map(java.time.Duration::getSeconds),
        cors.allowCredentials(),
        // istiod (1.23+): preflights of origins the policy does not allow go upstream unless IGNORE.
        !cors.ignoreUnmatchedPreflights());
  }

  private static Percentage percentage(VirtualService.Percent percent) {
    return new Percentage(percent.value());
  }
}
