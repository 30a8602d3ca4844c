package io.edgegw.it.harness;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A real HTTP/1.1 server on 127.0.0.1 standing for one workload, e.g. "productpage-v1". Every answer
 * names the backend (header {@code x-backend} and the JSON body) and echoes what it received, so a test
 * sees both where a request went and what Envoy made of it on the way.
 */
public final class HttpBackend implements AutoCloseable {

  /**
   * What the backend received. Header names are lower case; repeated headers are joined with ",".
   * {@code sni}: the server name the client sent in its TLS ClientHello ("" without TLS or SNI);
   * {@code clientCertificates}: the chain the client presented on TLS, leaf first (empty without).
   */
  public record RecordedRequest(
      String method, String path, String host, Map<String, String> headers, String sni,
      List<X509Certificate> clientCertificates) {
    public RecordedRequest {
      Objects.requireNonNull(method);
      Objects.requireNonNull(path);
      Objects.requireNonNull(sni);
      headers = Map.copyOf(headers);
      clientCertificates = List.copyOf(clientCertificates);
    }

    public RecordedRequest(String method, String path, String host, Map<String, String> headers) {
      this(method, path, host, headers, "", List.of());
    }

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  /** How the next request is answered; replaced atomically so concurrent requests see one consistent state. */
  private record Behaviour(int status, int failuresLeft, int failureStatus, Duration delay) {
    static final Behaviour NORMAL = new Behaviour(200, 0, 0, Duration.ZERO);

    Behaviour afterOneRequest() {
      return failuresLeft > 0 ? new Behaviour(status, failuresLeft - 1, failureStatus, delay) : this;
    }

    int statusNow() {
      return failuresLeft > 0 ? failureStatus : status;
    }
  }

  private static final int THREADS = 8;

  private final String name;
  private final HttpServer server;
  private final ExecutorService executor;
  private final ConcurrentLinkedQueue<RecordedRequest> requests = new ConcurrentLinkedQueue<>();
  private final AtomicInteger count = new AtomicInteger();
  private final AtomicReference<Behaviour> behaviour = new AtomicReference<>(Behaviour.NORMAL);

  private HttpBackend(String name, HttpServer server, ExecutorService executor) {
    this.name = name;
    this.server = server;
    this.executor = executor;
  }

  /** A backend on a free port. */
  public static HttpBackend start(String name) {
    return start(name, 0);
  }

  /** A backend on the given port (0 = a free one), e.g. to bring a stopped backend back. */
  public static HttpBackend start(String name, int port) {
    return start(name, FreePorts.LOOPBACK, port);
  }

  /**
   * A backend on another loopback address (127.0.0.2, 127.0.0.3 ...; Linux routes all of 127/8 to lo),
   * so several endpoints of one service can share one port number, as pods of a Service do.
   */
  public static HttpBackend start(String name, String address, int port) {
    Objects.requireNonNull(name, "name");
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), port), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("backend " + name + " cannot listen on " + address + ":" + port, e);
    }
    return serve(name, server);
  }

  /**
   * An HTTPS backend on a free loopback port presenting the certificate of {@code tls}; with
   * {@code requireClientCertificate} it refuses clients that present none its CA signed.
   */
  public static HttpBackend startTls(String name, SSLContext tls, boolean requireClientCertificate) {
    HttpsServer server;
    try {
      server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName(FreePorts.LOOPBACK), 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException("backend " + name + " cannot listen", e);
    }
    server.setHttpsConfigurator(new HttpsConfigurator(tls) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters parameters = tls.getDefaultSSLParameters();
        parameters.setNeedClientAuth(requireClientCertificate);
        params.setSSLParameters(parameters);
      }
    });
    return serve(name, server);
  }

  private static HttpBackend serve(String name, HttpServer server) {
    AtomicInteger threads = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, task -> {
      Thread thread = new Thread(task, "backend-" + name + "-" + threads.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    });
    HttpBackend backend = new HttpBackend(name, server, executor);
    server.createContext("/", backend::handle);
    server.setExecutor(executor);
    server.start();
    return backend;
  }

  public String name() {
    return name;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The IP address the backend listens on, e.g. 127.0.0.2. */
  public String address() {
    return server.getAddress().getAddress().getHostAddress();
  }

  public int requestCount() {
    return count.get();
  }

  /** The requests so far, oldest first. */
  public List<RecordedRequest> requests() {
    return List.copyOf(requests);
  }

  /** Every following request is answered with {@code status} (still with the JSON body). */
  public HttpBackend respondWith(int status) {
    behaviour.updateAndGet(b -> new Behaviour(status, b.failuresLeft(), b.failureStatus(), b.delay()));
    return this;
  }

  /** The next {@code n} requests are answered with {@code status}; then the usual status again. */
  public HttpBackend failNext(int n, int status) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, was " + n);
    }
    behaviour.updateAndGet(b -> new Behaviour(b.status(), n, status, b.delay()));
    return this;
  }

  /** Every following request is answered only after {@code delay} (timeouts, outlier detection). */
  public HttpBackend delay(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    behaviour.updateAndGet(b -> new Behaviour(b.status(), b.failuresLeft(), b.failureStatus(), delay));
    return this;
  }

  /** Back to 200 without delay, and forget the recorded requests. */
  public HttpBackend reset() {
    behaviour.set(Behaviour.NORMAL);
    requests.clear();
    count.set(0);
    return this;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "HttpBackend[" + name + " on " + address() + ":" + port() + "]";
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try (InputStream body = exchange.getRequestBody()) {
        body.transferTo(OutputStream.nullOutputStream());
      }
      Map<String, String> headers = new TreeMap<>();
      exchange.getRequestHeaders().forEach((header, values) ->
          headers.put(header.toLowerCase(Locale.ROOT), String.join(",", values)));
      URI uri = exchange.getRequestURI();
      String path = uri.getRawQuery() == null ? uri.getRawPath() : uri.getRawPath() + "?" + uri.getRawQuery();
      String host = headers.getOrDefault("host", "");
      String method = exchange.getRequestMethod();
      // Recorded before answering: once a client has its response, the request is visible here.
      requests.add(new RecordedRequest(method, path, host, headers, sni(exchange), clientCertificates(exchange)));
      count.incrementAndGet();

      Behaviour now = behaviour.getAndUpdate(Behaviour::afterOneRequest);
      if (!now.delay().isZero()) {
        try {
          Thread.sleep(now.delay().toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      byte[] response = json(method, path, host, headers).getBytes(StandardCharsets.UTF_8);
      int status = now.statusNow();
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.getResponseHeaders().set("x-backend", name);
      // As the upstream Gateway API echo server: "X-Echo-Set-Header: Name:value,Other:value" asks for
      // those response headers (to show what a gateway does to response headers).
      for (String pair : headers.getOrDefault("x-echo-set-header", "").split(",")) {
        int colon = pair.indexOf(':');
        if (colon > 0) {
          exchange.getResponseHeaders().add(pair.substring(0, colon).trim(), pair.substring(colon + 1).trim());
        }
      }
      boolean bodyless = method.equals("HEAD") || status == 204 || status == 304 || status < 200;
      exchange.sendResponseHeaders(status, bodyless ? -1 : response.length);
      if (!bodyless) {
        exchange.getResponseBody().write(response);
      }
    }
  }

  /** The certificates the client presented on an HTTPS exchange, leaf first; none without. */
  private static List<X509Certificate> clientCertificates(HttpExchange exchange) {
    if (exchange instanceof com.sun.net.httpserver.HttpsExchange https) {
      try {
        return java.util.Arrays.stream(https.getSSLSession().getPeerCertificates())
            .filter(X509Certificate.class::isInstance).map(X509Certificate.class::cast).toList();
      } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
        return List.of();
      }
    }
    return List.of();
  }

  /** The SNI of an HTTPS exchange's TLS session, "" when there is none. */
  private static String sni(HttpExchange exchange) {
    if (exchange instanceof com.sun.net.httpserver.HttpsExchange https
        && https.getSSLSession() instanceof javax.net.ssl.ExtendedSSLSession session) {
      for (javax.net.ssl.SNIServerName name : session.getRequestedServerNames()) {
        if (name instanceof javax.net.ssl.SNIHostName host) {
          return host.getAsciiName();
        }
      }
    }
    return "";
  }

  private String json(String method, String path, String host, Map<String, String> headers) {
    StringBuilder json = new StringBuilder(256)
        .append("{\"backend\":").append(quote(name))
        .append(",\"method\":").append(quote(method))
        .append(",\"path\":").append(quote(path))
        .append(",\"host\":").append(quote(host))
        .append(",\"headers\":{");
    String separator = "";
    for (Map.Entry<String, String> header : headers.entrySet()) {
      json.append(separator).append(quote(header.getKey())).append(':').append(quote(header.getValue()));
      separator = ",";
    }
    return json.append("}}").toString();
  }

  private static String quote(String value) {
    StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\r' -> quoted.append("\\r");
        case '\t' -> quoted.append("\\t");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
