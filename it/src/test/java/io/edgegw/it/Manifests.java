package io.edgegw.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.HttpProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Manifests and readings shared by the resilience and route scope tests. */
final class Manifests {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Manifests() {}

  /** The bookinfo example (Gateway "*" on port 80, productpage Service and Endpoints, the bookinfo VS). */
  static String bookinfo(HttpBackend productpage) throws IOException {
    return EdgeGateway.exampleYaml("bookinfo", Map.of("productpage", productpage));
  }

  /**
   * A VirtualService for {@code host} on the bookinfo gateway that sends everything to productpage with
   * the path rewritten to {@code /v-<value>}: the backend's echo shows which version Envoy applies.
   */
  static String counterVs(String name, String host, int value) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: %s
          namespace: default
        spec:
          hosts: ["%s"]
          gateways: [bookinfo-gateway]
          http:
          - rewrite:
              uri: /v-%d
            route:
            - destination:
                host: productpage
                port:
                  number: 9080
        """.formatted(name, host, value);
  }

  /** A Gateway {@code name} in default: port 80, plain HTTP, every host. */
  static String httpGateway(String name) {
    return """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata:
          name: %s
          namespace: default
        spec:
          selector:
            istio: edgegateway
          servers:
          - port:
              number: 80
              name: http
              protocol: HTTP
            hosts: ["*"]
        """.formatted(name);
  }

  /** A VirtualService {@code name} in default: {@code host} on {@code gateway}, everything to {@code service}:9080. */
  static String simpleVs(String name, String host, String gateway, String service) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata:
          name: %s
          namespace: default
        spec:
          hosts: ["%s"]
          gateways: [%s]
          http:
          - route:
            - destination:
                host: %s
                port:
                  number: 9080
        """.formatted(name, host, gateway, service);
  }

  /** The path the backend saw for a request through a {@link #counterVs}: "/v-7". */
  static String echoedPath(HttpProbe.Response response) {
    if (response.backend() == null) {
      return "(Envoy answered " + response.status() + ")";
    }
    try {
      return JSON.readTree(response.body()).path("path").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The sidecar's /config_dump as JSON. */
  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + text, e);
    }
  }
}
