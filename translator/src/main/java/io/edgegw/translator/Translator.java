package io.edgegw.translator;

import com.google.common.collect.ImmutableList;
import io.edgegw.translator.frontend.IrMerger;
import io.edgegw.translator.frontend.IrPiece;
import io.edgegw.translator.gatewayapi.GatewayApiDecoder;
import io.edgegw.translator.gatewayapi.GatewayApiFrontEnd;
import io.edgegw.translator.gatewayapi.status.StatusCollector;
import io.edgegw.translator.ir.GatewayConfig;
import io.edgegw.translator.istio.DestinationRuleDecoder;
import io.edgegw.translator.istio.GatewayDecoder;
import io.edgegw.translator.istio.InputDecoder;
import io.edgegw.translator.istio.IstioFrontEnd;
import io.edgegw.translator.istio.ServiceEntryDecoder;
import io.edgegw.translator.istio.VirtualServiceDecoder;
import io.edgegw.translator.istio.WorkloadEntryDecoder;
import io.edgegw.translator.kube.KubernetesDecoder;
import io.edgegw.translator.kube.SecretDecoder;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.xds.ClusterTranslator;
import io.edgegw.translator.xds.ListenerTranslator;
import io.edgegw.translator.xds.RouteTranslator;
import io.edgegw.translator.xds.SecretTranslator;
import io.edgegw.translator.xds.XdsBackEnd;
import java.util.Comparator;
import java.util.LinkedHashSet;

/**
 * Istio and Kubernetes resources in, Envoy resources and diagnostics out. Pure: no I/O, clock or
 * logging, and equal inputs give equal outputs, so callers may cache and compare results freely.
 */
public final class Translator {
  private final InputDecoder decoder = new InputDecoder(
      new GatewayDecoder(), new VirtualServiceDecoder(), new ServiceEntryDecoder(), new DestinationRuleDecoder(),
      new WorkloadEntryDecoder(), new KubernetesDecoder(), new SecretDecoder(), new GatewayApiDecoder());
  private final IrMerger merger = new IrMerger();
  private final GatewayApiFrontEnd gatewayApi;
  private final String gatewayController;

  /** Serving the Gateway API's GatewayClasses of controller {@value GatewayApiFrontEnd#DEFAULT_CONTROLLER}. */
  public Translator() {
    this(GatewayApiFrontEnd.DEFAULT_CONTROLLER);
  }

  /** Serving the Gateways whose GatewayClass has {@code gatewayController} as its controllerName. */
  public Translator(String gatewayController) {
    this.gatewayApi = new GatewayApiFrontEnd(gatewayController);
    this.gatewayController = gatewayController;
  }
  private final XdsBackEnd backEnd = new XdsBackEnd(
      new ListenerTranslator(), new RouteTranslator(), new ClusterTranslator(), new SecretTranslator());

  /**
   * Checks one resource on its own: structure, types, Istio's field rules. Any ERROR means the
   * resource must not be accepted; WARNINGs say what will be ignored.
   */
  public ImmutableList<Diagnostic> validate(Resource resource) {
    return decoder.decode(resource).diagnostics();
  }

  /**
   * As {@link #validate(Resource)}, for a caller that translates with {@code memo} next: the unchanged
   * rules of a big VirtualService are not decoded again, and a translation that finds this very
   * instance among its inputs takes this decode instead of decoding it again.
   */
  public ImmutableList<Diagnostic> validate(Resource resource, TranslationMemo memo) {
    return memo.validate(resource, r -> decoder.decode(r, memo.httpRules)).diagnostics();
  }

  /**
   * Translates everything that validates; invalid resources are left out and their diagnostics
   * returned, as are problems between resources (which never stop the others from applying).
   */
  public Translation translate(InputSet inputs, GatewayIdentity identity) {
    return translate(inputs, identity, new TranslationMemo());
  }

  /**
   * As {@link #translate(InputSet, GatewayIdentity)}, with the same result, reusing what {@code memo}
   * remembers of the previous translation made with it: for a caller that translates again after each
   * change, a one-route change then costs little more than that route.
   */
  public Translation translate(InputSet inputs, GatewayIdentity identity, TranslationMemo memo) {
    IrTranslation ir = toIr(inputs, identity, memo);
    return new Translation(backEnd.translate(ir.config(), memo.xds, identity.routeScopesCluster()),
        ir.diagnostics(), ir.statuses());
  }

  /**
   * The front ends' half alone: inputs to the merged IR and every diagnostic, as {@link #translate}
   * reports them. Golden tests of a front end stop here ({@code IrYaml} prints the IR).
   */
  public IrTranslation toIr(InputSet inputs, GatewayIdentity identity) {
    return toIr(inputs, identity, new TranslationMemo());
  }

  private IrTranslation toIr(InputSet inputs, GatewayIdentity identity, TranslationMemo memo) {
    ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();
    InputDecoder.All decoded = decoder.decodeAll(inputs, diagnostics, memo.decoded,
        r -> memo.decode(r, d -> decoder.decode(d, memo.httpRules)));
    memo.httpRules.retainOnly(inputs.resources().keySet());
    // Istio first: the merger keeps the earlier piece's listener when two front ends claim one.
    ImmutableList.Builder<IrPiece> pieces = ImmutableList.builder();
    pieces.add(new IstioFrontEnd(memo.virtualServices).translate(decoded.istio(), identity, diagnostics));
    StatusCollector status = new StatusCollector(gatewayController);
    if (!decoded.gatewayApi().gateways().isEmpty()) {
      pieces.add(gatewayApi.translate(decoded.gatewayApi(), identity, diagnostics, status, memo.httpRoutes));
    } else {
      // No Gateway to serve, but our GatewayClasses are still Accepted.
      decoded.gatewayApi().classes().stream()
          .filter(c -> c.controllerName().equals(gatewayController))
          .forEach(c -> status.gatewayClass(c.key()));
    }
    GatewayConfig config = merger.merge(pieces.build(), diagnostics);
    status.noteDiagnostics(diagnostics.build());
    // Grouped by resource, in the order found within one resource; a problem seen twice (one
    // VirtualService on two servers) is reported once.
    ImmutableList<Diagnostic> ordered = ImmutableList.sortedCopyOf(
        Comparator.comparing(Diagnostic::resource), new LinkedHashSet<>(diagnostics.build()));
    return new IrTranslation(config, ordered, status.build(inputs));
  }
}
