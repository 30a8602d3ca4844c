package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpBackend.RecordedRequest;
import io.edgegw.it.harness.HttpProbe.Response;
import io.edgegw.translator.model.PathNormalization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Request paths are normalised before routing, as istiod's gateway does (meshConfig.pathNormalization,
 * default BASE): a route-based rule cannot be walked around with dot segments or %-escapes, and the
 * backend receives the path the route matched. A second gateway runs with DECODE_AND_MERGE_SLASHES.
 */
class PathNormalizationTest {
  private static final String HOST = "paths.local";
  private static HttpBackend app;
  private static HttpBackend secret;
  private static HttpBackend exact;
  private static EdgeGateway gw;
  private static EdgeGateway decoding;

  @BeforeAll
  static void start() throws Exception {
    app = HttpBackend.start("app");
    secret = HttpBackend.start("secret");
    exact = HttpBackend.start("exact");
    gw = EdgeGateway.start();
    decoding = EdgeGateway.start(b -> b.pathNormalization(PathNormalization.DECODE_AND_MERGE_SLASHES));
    for (EdgeGateway g : new EdgeGateway[] {gw, decoding}) {
      g.publish(GATEWAY + "---\n" + EdgeGateway.service("app", app) + "---\n" + EdgeGateway.service("secret", secret)
          + "---\n" + EdgeGateway.service("exact", exact) + "---\n" + VIRTUAL_SERVICE);
      g.awaitBackend(HOST, "/app/ready", "app");
    }
  }

  @AfterAll
  static void stop() {
    try {
      assertThat(gw.envoy().nacks()).isZero();
      assertThat(decoding.envoy().nacks()).isZero();
    } finally {
      EdgeGateway.closeAll(gw, decoding, app, secret, exact);
    }
  }

  @Test
  void dotSegmentsAreResolvedBeforeRouting() {
    assertRouted(gw, "/app/../secret", secret, "/secret");
    assertRouted(gw, "/app/%2e%2e/secret", secret, "/secret");
    assertRouted(gw, "/secret/../app/x", app, "/app/x");
    assertRouted(gw, "/exact/./x", exact, "/exact/x");
  }

  @Test
  void escapedUnreservedCharactersAreDecodedBeforeRouting() {
    assertRouted(gw, "/exact/%78", exact, "/exact/x");
    assertRouted(gw, "/%61pp/x", app, "/app/x");
  }

  @Test
  void aFragmentIsStrippedAsOnIstiosGatewayInsteadOfRejected() {
    // Envoy's default answers 400; pilot-agent's bootstrap sets http_reject_path_with_fragment: false.
    assertRouted(gw, "/app/x#frag", app, "/app/x");
  }

  @Test
  void baseKeepsEscapedSlashesAndRepeatedSlashes() {
    assertRouted(gw, "/app/a%2Fb", app, "/app/a%2Fb");
    assertRouted(gw, "/app//x", app, "/app//x");
  }

  @Test
  void decodeAndMergeSlashesAlsoDecodesEscapedSlashesAndMergesRuns() {
    assertRouted(decoding, "/app/..%2Fsecret", secret, "/secret");
    assertRouted(decoding, "/app//x", app, "/app/x");
    assertRouted(decoding, "/app/../secret", secret, "/secret");
  }

  private static void assertRouted(EdgeGateway g, String sent, HttpBackend backend, String seen) {
    Response response = g.get(HOST, sent);
    assertThat(response.backend()).as("GET " + sent).isEqualTo(backend.name());
    RecordedRequest last = backend.requests().get(backend.requests().size() - 1);
    assertThat(last.path()).as("path " + backend.name() + " got for " + sent).isEqualTo(seen);
  }

  private static final String GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: paths, namespace: default}
      spec:
        selector: {istio: edgegateway}
        servers:
        - port: {number: 80, name: http, protocol: HTTP}
          hosts: ["paths.local"]
      """;

  private static final String VIRTUAL_SERVICE = """
      apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: paths, namespace: default}
      spec:
        hosts: ["paths.local"]
        gateways: [paths]
        http:
        - match: [{uri: {exact: /exact/x}}]
          route:
          - destination: {host: exact}
        - match: [{uri: {prefix: /secret}}]
          route:
          - destination: {host: secret}
        - match: [{uri: {prefix: /app}}]
          route:
          - destination: {host: app}
      """;
}
