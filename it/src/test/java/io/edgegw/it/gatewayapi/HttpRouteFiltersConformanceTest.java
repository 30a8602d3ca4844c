package io.edgegw.it.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.GatewayApiConformance;
import io.edgegw.it.harness.HttpProbe;
import io.edgegw.it.harness.TlsClient;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upstream conformance tests of HTTPRoute filters (header modifiers, redirects, rewrites;
 * sigs.k8s.io/gateway-api v1.6.3 {@code conformance/tests}) with their own manifests, through the real
 * sidecar and Envoy: the request the backend received, the response, the redirect's Location.
 */
class HttpRouteFiltersConformanceTest {
  private static final String V1 = "infra-backend-v1";
  private static final String V2 = "infra-backend-v2";
  /** Upstream's request headers for the "...-and-modify-headers" cases, and what the backend must see. */
  private static final Map<String, String> MODIFY_IN =
      Map.of("X-Header-Remove", "remove-val", "X-Header-Add-Append", "append-val-1", "X-Header-Set", "set-val");
  private static final Map<String, String> MODIFY_OUT = Map.of(
      "X-Header-Add", "header-val-1",
      "X-Header-Add-Append", "append-val-1,header-val-2",
      "X-Header-Set", "set-overwrites-values");

  private GatewayApiConformance suite;
  private EdgeGateway gw;

  @BeforeEach
  void start() throws Exception {
    // Namespace objects are not read yet (issue #13): the base manifests' Namespaces are left out.
    suite = GatewayApiConformance.start(b -> b, Set.of("Namespace"));
    gw = suite.gateway();
  }

  @AfterEach
  void stop() {
    suite.close();
  }

  @Test
  void HTTPRouteRequestHeaderModifier() {
    suite.apply("tests/httproute-request-header-modifier.yaml");
    requestHeaderModifierCases();
  }

  @Test
  void HTTPRouteBackendRequestHeaderModifier() {
    suite.apply("tests/httproute-request-header-modifier-backend.yaml");
    requestHeaderModifierCases();
  }

  private void requestHeaderModifierCases() {
    Exchange.awaitBackend(gw, "/set", V1);
    Exchange.get(gw, "/set", Map.of("Some-Other-Header", "val")).reached(V1, "/set")
        .hasEchoedHeaders(Map.of("Some-Other-Header", "val", "X-Header-Set", "set-overwrites-values"));
    Exchange.get(gw, "/set", Map.of("Some-Other-Header", "val", "X-Header-Set", "some-other-value"))
        .reached(V1, "/set")
        .hasEchoedHeaders(Map.of("Some-Other-Header", "val", "X-Header-Set", "set-overwrites-values"));
    Exchange.get(gw, "/add", Map.of("Some-Other-Header", "val")).reached(V1, "/add")
        .hasEchoedHeaders(Map.of("Some-Other-Header", "val", "X-Header-Add", "add-appends-values"));
    Exchange.get(gw, "/add", Map.of("Some-Other-Header", "val", "X-Header-Add", "some-other-value"))
        .reached(V1, "/add")
        .hasEchoedHeaders(Map.of("Some-Other-Header", "val", "X-Header-Add", "some-other-value,add-appends-values"));
    Exchange.get(gw, "/remove", Map.of("X-Header-Remove", "val")).reached(V1, "/remove")
        .lacksEchoedHeaders("X-Header-Remove");
    Exchange.get(gw, "/multiple", Map.of("X-Header-Set-2", "set-val-2", "X-Header-Add-2", "add-val-2",
            "X-Header-Remove-2", "remove-val-2", "Another-Header", "another-header-val"))
        .reached(V1, "/multiple")
        .hasEchoedHeaders(Map.of("X-Header-Set-1", "header-set-1", "X-Header-Set-2", "header-set-2",
            "X-Header-Add-1", "header-add-1", "X-Header-Add-2", "add-val-2,header-add-2",
            "X-Header-Add-3", "header-add-3", "Another-Header", "another-header-val"))
        .lacksEchoedHeaders("X-Header-Remove-1", "X-Header-Remove-2");
    Exchange.get(gw, "/case-insensitivity", Map.of("x-header-set", "original-val-set",
            "x-header-add", "original-val-add", "x-header-remove", "original-val-remove",
            "Another-Header", "another-header-val"))
        .reached(V1, "/case-insensitivity")
        .hasEchoedHeaders(Map.of("X-Header-Set", "header-set", "X-Header-Add", "original-val-add,header-add",
            "Another-Header", "another-header-val"))
        .lacksEchoedHeaders("X-Header-Remove");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteResponseHeaderModifier() {
    suite.apply("tests/httproute-response-header-modifier.yaml");
    Exchange.awaitBackend(gw, "/set", V1);
    backendSets("/set", "Some-Other-Header:val").reached(V1, "/set")
        .hasResponseHeaders(Map.of("Some-Other-Header", "val", "X-Header-Set", "set-overwrites-values"));
    backendSets("/set", "Some-Other-Header:val,X-Header-Set:some-other-value")
        .hasResponseHeaders(Map.of("Some-Other-Header", "val", "X-Header-Set", "set-overwrites-values"));
    backendSets("/add", "Some-Other-Header:val")
        .hasResponseHeaders(Map.of("Some-Other-Header", "val", "X-Header-Add", "add-appends-values"));
    backendSets("/add", "Some-Other-Header:val,X-Header-Add:some-other-value")
        .hasResponseHeaders(Map.of("Some-Other-Header", "val", "X-Header-Add", "some-other-value,add-appends-values"));
    backendSets("/remove", "X-Header-Remove:val").lacksResponseHeaders("X-Header-Remove");
    backendSets("/multiple", "X-Header-Set-2:set-val-2,X-Header-Add-2:add-val-2,X-Header-Remove-2:remove-val-2,"
            + "Another-Header:another-header-val,X-Header-Remove-1:val")
        .hasResponseHeaders(Map.of("X-Header-Set-1", "header-set-1", "X-Header-Set-2", "header-set-2",
            "X-Header-Add-1", "header-add-1", "X-Header-Add-2", "add-val-2,header-add-2",
            "X-Header-Add-3", "header-add-3", "Another-Header", "another-header-val"))
        .lacksResponseHeaders("X-Header-Remove-1", "X-Header-Remove-2");
    backendSets("/case-insensitivity", "x-header-set:original-val-set,x-header-add:original-val-add,"
            + "x-header-remove:original-val-remove,Another-Header:another-header-val")
        .hasResponseHeaders(Map.of("X-Header-Set", "header-set", "X-Header-Add", "original-val-add,header-add",
            "X-Lowercase-Add", "lowercase-add", "X-Mixedcase-Add-1", "mixedcase-add-1",
            "X-Mixedcase-Add-2", "mixedcase-add-2", "X-Uppercase-Add", "uppercase-add",
            "Another-Header", "another-header-val"))
        .lacksResponseHeaders("X-Header-Remove");
    Exchange both = Exchange.get(gw, "/response-and-request-header-modifiers", Map.of(
        "X-Header-Remove", "remove-val", "X-Header-Add-Append", "append-val-1", "X-Header-Echo", "echo",
        "X-Echo-Set-Header", "X-Header-Set-2:set-val-2,X-Header-Add-2:add-val-2,X-Header-Remove-2:remove-val-2,"
            + "Another-Header:another-header-val,X-Header-Remove-1:remove-val-1,X-Header-Echo:echo"));
    both.reached(V1, "/response-and-request-header-modifiers")
        .hasEchoedHeaders(Map.of("X-Header-Add", "header-val-1", "X-Header-Set", "set-overwrites-values",
            "X-Header-Add-Append", "append-val-1,header-val-2", "X-Header-Echo", "echo"))
        .lacksEchoedHeaders("X-Header-Remove")
        .hasResponseHeaders(Map.of("X-Header-Set-1", "header-set-1", "X-Header-Set-2", "header-set-2",
            "X-Header-Add-1", "header-add-1", "X-Header-Add-2", "add-val-2,header-add-2",
            "Another-Header", "another-header-val", "X-Header-Echo", "echo"))
        .lacksResponseHeaders("X-Header-Remove-1", "X-Header-Remove-2");
    assertThat(gw.envoy().nacks()).isZero();
  }

  /** A GET whose backend answers with the given response headers (upstream's BackendSetResponseHeaders). */
  private Exchange backendSets(String path, String headers) {
    return Exchange.get(gw, path, Map.of("X-Echo-Set-Header", headers));
  }

  @Test
  void HTTPRouteRedirectPath() {
    suite.apply("tests/httproute-redirect-path.yaml");
    awaitRedirect("/original-prefix/lemon");
    redirect("/original-prefix/lemon", 302, null, null, "/replacement-prefix/lemon");
    redirect("/full/path/original", 302, null, null, "/full-path-replacement");
    redirect("/path-and-host", 302, null, "example.org", "/replacement-prefix");
    redirect("/path-and-status", 301, null, null, "/replacement-prefix");
    redirect("/full-path-and-host", 302, null, "example.org", "/replacement-full");
    redirect("/full-path-and-status", 301, null, null, "/replacement-full");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteRedirectPort() {
    suite.apply("tests/httproute-redirect-port.yaml");
    awaitRedirect("/port");
    assertThat(redirect("/port", 302, "http", null, "/port").getPort()).isEqualTo(8083);
    assertThat(redirect("/port-and-host", 302, "http", "example.org", "/port-and-host").getPort()).isEqualTo(8083);
    assertThat(redirect("/port-and-status", 301, "http", null, "/port-and-status").getPort()).isEqualTo(8083);
    assertThat(redirect("/port-and-host-and-status", 302, "http", "example.org", "/port-and-host-and-status")
        .getPort()).isEqualTo(8083);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteRedirectScheme() {
    suite.apply("tests/httproute-redirect-scheme.yaml");
    awaitRedirect("/scheme");
    for (URI location : new URI[] {
        redirect("/scheme", 302, "https", null, "/scheme"),
        redirect("/scheme-and-host", 302, "https", "example.org", "/scheme-and-host"),
        redirect("/scheme-and-status", 301, "https", null, "/scheme-and-status"),
        redirect("/scheme-and-host-and-status", 302, "https", "example.org", "/scheme-and-host-and-status")}) {
      // Upstream: no port given, so the scheme's well-known one, which is left out of Location.
      assertThat(location.getPort()).as(location.toString()).isIn(-1, 443);
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteRedirectHostAndStatus() {
    suite.apply("tests/httproute-redirect-host-and-status.yaml");
    awaitRedirect("/hostname-redirect");
    redirect("/hostname-redirect", 302, null, "example.org", "/hostname-redirect");
    redirect("/host-and-status", 301, null, "example.org", "/host-and-status");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRoute303Redirect() {
    statusOnly("tests/httproute-303-redirect.yaml", "POST", "/see-other", 303);
  }

  @Test
  void HTTPRoute307Redirect() {
    statusOnly("tests/httproute-307-redirect.yaml", "GET", "/temporary", 307);
  }

  @Test
  void HTTPRoute308Redirect() {
    statusOnly("tests/httproute-308-redirect.yaml", "GET", "/permanent", 308);
  }

  /** Upstream's 30x tests: a request (303: a POST) redirected with that status, the path kept. */
  private void statusOnly(String manifest, String method, String path, int status) {
    suite.apply(manifest);
    Exchange e = Exchange.until(gw, method, "example.com", path, Map.of(), x -> x.status() == status);
    assertThat(e.location().getPath()).isEqualTo(path);
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteRewritePath() {
    suite.apply("tests/httproute-rewrite-path.yaml");
    Exchange.awaitBackend(gw, "/prefix/one/two", V1);
    Exchange.get(gw, "/prefix/one/two").reached(V1, "/one/two");
    Exchange.get(gw, "/strip-prefix/three").reached(V1, "/three");
    Exchange.get(gw, "/strip-prefix").reached(V1, "/");
    Exchange.get(gw, "/full/one/two").reached(V1, "/one");
    Exchange.get(gw, "/full/rewrite-path-and-modify-headers/test", MODIFY_IN).reached(V1, "/test")
        .hasEchoedHeaders(MODIFY_OUT).lacksEchoedHeaders("X-Header-Remove");
    Exchange.get(gw, "/prefix/rewrite-path-and-modify-headers/one", MODIFY_IN).reached(V1, "/prefix/one")
        .hasEchoedHeaders(MODIFY_OUT).lacksEchoedHeaders("X-Header-Remove");
    // The query stays.
    assertThat(Exchange.get(gw, "/full/one/two?a=b").echoedPath()).isEqualTo("/one?a=b");
    assertThat(Exchange.get(gw, "/prefix/one/two?a=b").echoedPath()).isEqualTo("/one/two?a=b");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteRewriteHost() {
    suite.apply("tests/httproute-rewrite-host.yaml");
    Exchange.until(gw, "GET", "rewrite.example", "/one", Map.of(), e -> V1.equals(e.backend()));
    Exchange one = Exchange.send(gw, "GET", "rewrite.example", "/one", Map.of()).reached(V1, "/one");
    assertThat(one.echoedHost()).isEqualTo("one.example.org");
    Exchange two = Exchange.send(gw, "GET", "rewrite.example", "/two", Map.of()).reached(V2, "/two");
    assertThat(two.echoedHost()).isEqualTo("example.org");
    Exchange both = Exchange.send(gw, "GET", "rewrite.example", "/rewrite-host-and-modify-headers",
            Map.of("X-Header-Remove", "remove-val", "X-Header-Add-Append", "append-val-1"))
        .reached(V2, "/rewrite-host-and-modify-headers")
        .hasEchoedHeaders(MODIFY_OUT).lacksEchoedHeaders("X-Header-Remove");
    assertThat(both.echoedHost()).isEqualTo("test.example.org");
    assertThat(gw.envoy().nacks()).isZero();
  }

  @Test
  void HTTPRouteRedirectPortAndScheme(@TempDir Path pkiDir) throws Exception {
    SSLContext client = suite.publishTlsSecrets(pkiDir, "example.org").clientContext(Optional.empty());
    suite.apply("tests/httproute-redirect-port-and-scheme.yaml");
    // Upstream's table per listener: {path, scheme, port}; port "" is the scheme's well-known one,
    // which Location may name or leave out.
    String[][] on80 = {
      {"/scheme-nil-and-port-nil", "http", ""}, {"/scheme-nil-and-port-80", "http", ""},
      {"/scheme-nil-and-port-8080", "http", "8080"}, {"/scheme-https-and-port-nil", "https", ""},
      {"/scheme-https-and-port-443", "https", ""}, {"/scheme-https-and-port-8443", "https", "8443"}};
    String[][] on8080 = {
      {"/scheme-nil-and-port-nil", "http", "8080"}, {"/scheme-nil-and-port-80", "http", ""},
      {"/scheme-https-and-port-nil", "https", ""}};
    String[][] on443 = {
      {"/scheme-nil-and-port-nil", "https", ""}, {"/scheme-nil-and-port-443", "https", ""},
      {"/scheme-nil-and-port-8443", "https", "8443"}, {"/scheme-http-and-port-nil", "http", ""},
      {"/scheme-http-and-port-80", "http", ""}, {"/scheme-http-and-port-8080", "http", "8080"}};
    int port8080 = gw.listenerPort(8080);
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
        HttpProbe.get(gw.httpPort(), "example.com", on80[0][0]).status() == 302
            && HttpProbe.get(port8080, "example.com", on8080[0][0]).status() == 302
            && https(client, on443[0][0]).status() == 302);
    for (String[] c : on80) {
      assertRedirect("80" + c[0], HttpProbe.get(gw.httpPort(), "example.com", c[0]), c);
    }
    for (String[] c : on8080) {
      assertRedirect("8080" + c[0], HttpProbe.get(port8080, "example.com", c[0]), c);
    }
    for (String[] c : on443) {
      assertRedirect("443" + c[0], https(client, c[0]), c);
    }
    assertThat(gw.envoy().nacks()).isZero();
  }

  private HttpProbe.Response https(SSLContext client, String path) throws IOException {
    try (SSLSocket socket = TlsClient.connect(gw.httpsPort(), "example.org", client)) {
      return HttpProbe.get(socket, "example.org", path, true);
    }
  }

  /** A 302 to example.org with the case's {scheme, port}; port "" is the scheme's, named or not. */
  private static void assertRedirect(String what, HttpProbe.Response response, String[] expected) {
    assertThat(response.status()).as(what).isEqualTo(302);
    URI location = URI.create(response.header("location"));
    assertThat(location.getScheme()).as(what + " " + location).isEqualTo(expected[1]);
    assertThat(location.getHost()).as(what + " " + location).isEqualTo("example.org");
    assertThat(location.getPath()).as(what + " " + location).isEqualTo(expected[0]);
    if (expected[2].isEmpty()) {
      assertThat(location.getPort()).as(what + " " + location).isIn(-1, expected[1].equals("http") ? 80 : 443);
    } else {
      assertThat(location.getPort()).as(what + " " + location).isEqualTo(Integer.parseInt(expected[2]));
    }
  }

  private void awaitRedirect(String path) {
    Exchange.until(gw, "GET", "example.com", path, Map.of(), e -> e.status() >= 300 && e.status() < 400);
  }

  /**
   * A GET to {@code path} on example.com answered with redirect {@code status} to the expected scheme,
   * host and path ({@code null}: as the request's, as upstream's defaults).
   */
  private URI redirect(String path, int status, String scheme, String host, String redirectPath) {
    Exchange e = Exchange.get(gw, path);
    assertThat(e.status()).as(e.toString()).isEqualTo(status);
    URI location = e.location();
    assertThat(location.getScheme()).as(e + " " + location).isEqualTo(scheme == null ? "http" : scheme);
    assertThat(location.getHost()).as(e + " " + location).isEqualTo(host == null ? "example.com" : host);
    assertThat(location.getPath()).as(e + " " + location).isEqualTo(redirectPath);
    if (scheme == null && !location.toString().contains(":8083")) {
      assertThat(location.getPort()).as(e + " " + location).isIn(-1, 80);
    }
    return location;
  }
}
