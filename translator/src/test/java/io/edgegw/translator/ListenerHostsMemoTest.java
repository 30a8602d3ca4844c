package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.InputSet;
import io.edgegw.translator.model.ResourceKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The Istio front end builds again only the virtual hosts a changed VirtualService touches: whichever
 * VirtualServices come and go, one memo gives what a fresh translation gives, on a port that redirects to
 * https (whose hosts stay when their last VirtualService goes) and on a port of two servers.
 */
class ListenerHostsMemoTest {
  private final Translator translator = new Translator();
  private final GatewayIdentity identity = GoldenTest.identity("");

  private static final String GATEWAYS = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: redirect, namespace: default}
      spec:
        selector: {istio: edgegateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["a.example.com", "b.example.com", "*.wild.example.com"]
          tls: {httpsRedirect: true}
      ---
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: two, namespace: default}
      spec:
        selector: {istio: edgegateway}
        servers:
        - port: {number: 8080, name: http-one, protocol: HTTP}
          hosts: ["a.example.com", "c.example.com"]
        - port: {number: 8080, name: http-two, protocol: HTTP}
          hosts: ["*"]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: default}
      spec:
        ports: [{port: 80, name: http}]
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: api, namespace: default}
      spec:
        ports: [{port: 80, name: http}]
      """;

  @Test
  void everySubsetOfVirtualServicesAfterEveryOther() {
    List<String> virtualServices = new ArrayList<>();
    String[][] hosts = {
        {"a.example.com"}, {"a.example.com", "b.example.com"}, {"b.example.com"}, {"x.wild.example.com"},
        {"c.example.com"}, {"d.example.com"}, {"a.example.com", "d.example.com"}, {"e.example.com"}};
    for (int i = 0; i < hosts.length; i++) {
      String gateways = i % 3 == 0 ? "[redirect, two]" : i % 3 == 1 ? "[redirect]" : "[two]";
      virtualServices.add(virtualService("vs-" + i, gateways, hosts[i], i));
    }
    TranslationMemo memo = new TranslationMemo();
    Random random = new Random(7);
    for (int step = 0; step < 80; step++) {
      StringBuilder config = new StringBuilder(GATEWAYS);
      for (String vs : virtualServices) {
        if (random.nextInt(3) > 0) {
          config.append(vs);
        }
      }
      InputSet inputs = GoldenTest.inputs(config.toString());
      Translation fresh = translator.translate(inputs, identity);
      Translation remembered = translator.translate(inputs, identity, memo);
      assertEquals(fresh.diagnostics(), remembered.diagnostics(), "step " + step);
      assertEquals(EnvoyJson.toYaml(fresh.resources()), EnvoyJson.toYaml(remembered.resources()), "step " + step);
      assertEquals(fresh, remembered);
      // And each VirtualService alone removed from there and put back, one change at a time.
      if (step % 10 == 0) {
        for (ResourceKey key : inputs.resources().keySet()) {
          assertEquals(translator.translate(GoldenTest.without(inputs, key), identity),
              translator.translate(GoldenTest.without(inputs, key), identity, memo), "without " + key);
          assertEquals(fresh, translator.translate(inputs, identity, memo), "with " + key + " again");
        }
      }
    }
  }

  /**
   * A catch-all route and a prefix route, so that catch-alls of merged VirtualServices go last; a few
   * send the prefix to a service of their own, whose cluster goes with them.
   */
  private static String virtualService(String name, String gateways, String[] hosts, int i) {
    return """
        ---
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %s, namespace: default, creationTimestamp: "2026-01-01T00:00:%02dZ"}
        spec:
          hosts: [%s]
          gateways: %s
          http:
          - match: [{uri: {prefix: /%s}}]
            route: [{destination: {host: %s, port: {number: 80}}}]
          - route: [{destination: {host: web, port: {number: 80}}}]
        """.formatted(name, 59 - i, String.join(", ", hosts), gateways, name, i % 4 == 1 ? "api" : "web");
  }
}
