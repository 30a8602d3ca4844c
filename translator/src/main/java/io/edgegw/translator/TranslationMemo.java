package io.edgegw.translator;

import io.edgegw.translator.gatewayapi.HttpRouteMemo;
import io.edgegw.translator.istio.DecodeMemo;
import io.edgegw.translator.istio.HttpRuleMemo;
import io.edgegw.translator.istio.VirtualServiceMemo;
import io.edgegw.translator.istio.InputDecoder;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.xds.XdsMemo;

/**
 * What one translation remembers for the next, so that a change costs work in proportion to what it
 * touches: each input decoded once per instance, each VirtualService's routes and each HTTPRoute's
 * share of the Gateway API translation built once while what they depend on is unchanged, each Envoy
 * virtual host, cluster and listener built once per IR value. Every entry is keyed by everything its
 * value was made from, so translating with a memo gives the same result as translating afresh
 * ({@code IncrementalTranslationTest}, {@code HttpRouteMemoTest}); only the time differs.
 *
 * <p>Not thread-safe: one memo per caller that translates repeatedly (the config loop).
 */
public final class TranslationMemo {
  final DecodeMemo decoded = new DecodeMemo();
  final HttpRuleMemo httpRules = HttpRuleMemo.remembering();
  /**
   * The last resource validated and what decoding it gave: the config loop validates a change, stores
   * that same instance and translates, so the translation takes the validation's decode.
   */
  private Resource validated;
  private InputDecoder.Decoded validatedAs;

  InputDecoder.Decoded validate(Resource resource, java.util.function.Function<Resource, InputDecoder.Decoded> decode) {
    InputDecoder.Decoded out = decode.apply(resource);
    validated = resource;
    validatedAs = out;
    return out;
  }

  /** The validation's result when {@code resource} is the instance last validated. */
  InputDecoder.Decoded decode(Resource resource, java.util.function.Function<Resource, InputDecoder.Decoded> decode) {
    if (resource == validated) {
      InputDecoder.Decoded out = validatedAs;
      validated = null;
      validatedAs = null;
      return out;
    }
    return decode.apply(resource);
  }
  final VirtualServiceMemo virtualServices = new VirtualServiceMemo();
  final HttpRouteMemo httpRoutes = new HttpRouteMemo();
  final XdsMemo xds = new XdsMemo();
}
