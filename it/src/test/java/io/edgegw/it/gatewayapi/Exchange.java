package io.edgegw.it.gatewayapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpProbe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

/**
 * One request through the gateway as upstream's {@code http.ExpectedResponse} describes it, and what
 * came back: the status, the response headers, and what the echoing backend received (its JSON body).
 */
record Exchange(String method, String host, String path, Map<String, String> headers, HttpProbe.Response response) {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Exchange send(EdgeGateway gw, String method, String host, String path, Map<String, String> headers) {
    return new Exchange(method, host, path, headers,
        HttpProbe.request(gw.httpPort(), method, host, path, headers, null));
  }

  static Exchange get(EdgeGateway gw, String path) {
    return send(gw, "GET", "example.com", path, Map.of());
  }

  static Exchange get(EdgeGateway gw, String path, Map<String, String> headers) {
    return send(gw, "GET", "example.com", path, headers);
  }

  /** Sends until {@code wanted} holds (the configuration has arrived), at most 20 s; the last exchange. */
  static Exchange until(EdgeGateway gw, String method, String host, String path, Map<String, String> headers,
      Predicate<Exchange> wanted) {
    AtomicReference<Exchange> last = new AtomicReference<>();
    try {
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> {
        last.set(send(gw, method, host, path, headers));
        return wanted.test(last.get());
      });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError(method + " " + host + path + " never gave what was wanted; last: "
          + (last.get() == null ? "none" : last.get().response().status() + " " + last.get().response().body()), e);
    }
    return last.get();
  }

  static Exchange awaitBackend(EdgeGateway gw, String path, String backend) {
    return until(gw, "GET", "example.com", path, Map.of(), e -> backend.equals(e.backend()));
  }

  int status() {
    return response.status();
  }

  String backend() {
    return response.backend();
  }

  /** A response header (lower-cased name; repeated ones joined with ","). */
  String responseHeader(String name) {
    return response.header(name);
  }

  private JsonNode echoed() {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not an echo from a backend: " + response.status() + " " + response.body(), e);
    }
  }

  /** The path (and query) the backend received. */
  String echoedPath() {
    return echoed().path("path").asText();
  }

  String echoedHost() {
    return echoed().path("host").asText();
  }

  String echoedMethod() {
    return echoed().path("method").asText();
  }

  /** A request header as the backend received it, or null. */
  String echoedHeader(String name) {
    JsonNode value = echoed().path("headers").get(name.toLowerCase(Locale.ROOT));
    return value == null ? null : value.asText();
  }

  /** Asserts the request reached {@code backend} with path {@code path} (the query left out). */
  Exchange reached(String backend, String path) {
    assertThat(backend()).as(this + " backend").isEqualTo(backend);
    String echoed = echoedPath();
    assertThat(echoed.contains("?") ? echoed.substring(0, echoed.indexOf('?')) : echoed).as(this + " path")
        .isEqualTo(path);
    return this;
  }

  Exchange hasEchoedHeaders(Map<String, String> expected) {
    expected.forEach((name, value) -> assertThat(echoedHeader(name)).as(this + " request header " + name)
        .isEqualTo(value));
    return this;
  }

  Exchange lacksEchoedHeaders(String... names) {
    for (String name : names) {
      assertThat(echoedHeader(name)).as(this + " request header " + name).isNull();
    }
    return this;
  }

  Exchange hasResponseHeaders(Map<String, String> expected) {
    expected.forEach((name, value) -> assertThat(responseHeader(name)).as(this + " response header " + name)
        .isEqualTo(value));
    return this;
  }

  Exchange lacksResponseHeaders(String... names) {
    for (String name : names) {
      assertThat(responseHeader(name)).as(this + " response header " + name).isNull();
    }
    return this;
  }

  /** The redirect's Location, parsed. */
  URI location() {
    String location = responseHeader("location");
    assertThat(location).as(this + " Location").isNotNull();
    return URI.create(location);
  }

  @Override
  public String toString() {
    return method + " " + host + path + (headers.isEmpty() ? "" : " " + headers) + " -> " + response.status();
  }
}
