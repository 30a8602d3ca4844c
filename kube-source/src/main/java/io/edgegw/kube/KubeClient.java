package io.edgegw.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The calls the source needs, over the JDK's HttpClient: a GET that returns JSON, a watch that
 * yields one JSON event per line, and a PATCH (status write-back). The bearer token is read from its
 * file at every request.
 */
final class KubeClient {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** A non-2xx answer; {@code code} is the HTTP status (404: not served, 410: expired, 403: forbidden). */
  static final class StatusException extends IOException {
    final int code;

    StatusException(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  private final KubeSettings settings;
  private final HttpClient http;

  KubeClient(KubeSettings settings) throws IOException {
    this.settings = settings;
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1); // one watch per connection; HTTP/2 would share one stream window
    if (settings.caPem().isPresent()) {
      builder.sslContext(trusting(settings.caPem().get()));
    }
    this.http = builder.build();
  }

  JsonNode get(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<byte[]> response = http.send(request(pathAndQuery).timeout(REQUEST_TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() / 100 != 2) {
      throw new StatusException(response.statusCode(), "GET " + pathAndQuery + ": HTTP " + response.statusCode()
          + " " + reason(response.body()));
    }
    return JSON.readTree(response.body());
  }

  void patch(String path, String contentType, JsonNode body) throws IOException, InterruptedException {
    HttpResponse<byte[]> response = http.send(request(path).timeout(REQUEST_TIMEOUT)
        .header("Content-Type", contentType)
        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() / 100 != 2) {
      throw new StatusException(response.statusCode(), "PATCH " + path + ": HTTP " + response.statusCode()
          + " " + reason(response.body()));
    }
  }

  /** Opens a watch; the answer's status is known once {@link Watch#next} returned the first line. */
  Watch watch(String pathAndQuery) {
    Watch watch = new Watch(pathAndQuery);
    watch.future = http.sendAsync(request(pathAndQuery).build(), info -> {
      watch.status = info.statusCode();
      return HttpResponse.BodySubscribers.fromLineSubscriber(watch, s -> null, StandardCharsets.UTF_8, "\n");
    });
    watch.future.whenComplete((r, e) -> watch.queue.add(e == null ? Watch.END : Watch.END_WITH_ERROR));
    return watch;
  }

  private HttpRequest.Builder request(String pathAndQuery) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(settings.server().resolve(pathAndQuery))
        .header("Accept", "application/json");
    token().ifPresent(t -> builder.header("Authorization", "Bearer " + t));
    return builder;
  }

  private Optional<String> token() {
    if (settings.tokenFile().isEmpty()) {
      return settings.token();
    }
    try {
      return Optional.of(Files.readString(settings.tokenFile().get()).trim());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot read the token file " + settings.tokenFile().get(), e);
    }
  }

  private static String reason(byte[] body) {
    try {
      return JSON.readTree(body).path("message").asText("");
    } catch (IOException e) {
      return "";
    }
  }

  static SSLContext trusting(String pem) throws IOException {
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate cert : CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        store.setCertificateEntry("ca-" + i++, cert);
      }
      if (i == 0) {
        throw new IOException("the Kubernetes CA holds no certificate");
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot use the Kubernetes CA: " + e.getMessage(), e);
    }
  }

  /** One open watch: lines arrive on the HTTP client's threads and are taken by the source's thread. */
  static final class Watch implements Flow.Subscriber<String>, AutoCloseable {
    static final String END = "\u0000end";
    static final String END_WITH_ERROR = "\u0000error";
    final String path;
    final BlockingQueue<String> queue = new LinkedBlockingQueue<>();
    volatile int status;
    volatile CompletableFuture<?> future;
    private volatile Flow.Subscription subscription;

    private Watch(String path) {
      this.path = path;
    }

    /** The next line, {@link #END}/{@link #END_WITH_ERROR} when the stream ended, null after {@code silence}. */
    String next(Duration silence) throws InterruptedException {
      return queue.poll(silence.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(Long.MAX_VALUE); // the queue is bounded by what the server sends between two takes
    }

    @Override
    public void onNext(String line) {
      if (!line.isBlank()) {
        queue.add(line);
      }
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onComplete() {}

    @Override
    public void close() {
      Flow.Subscription s = subscription;
      if (s != null) {
        s.cancel();
      }
      CompletableFuture<?> f = future;
      if (f != null) {
        f.cancel(true);
      }
    }
  }
}
