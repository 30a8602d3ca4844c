package io.edgegw.it.harness;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import io.edgegw.kube.KubeSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A real kube-apiserver on a real etcd, both on 127.0.0.1 with free ports and their own temp dir, for
 * the Kubernetes source's end-to-end tests. The binaries come from bin/lib/kube.sh (built from the Go
 * module proxy and cached in .tools/kube); without them {@link #missing()} says why and the tests skip.
 * Two tokens: {@link #ADMIN_TOKEN} (system:masters, applies manifests) and {@link #EDGEGW_TOKEN}
 * (user {@code edgegw}, only what examples/kubernetes/rbac.yaml grants it).
 */
public final class KubeApiServer implements AutoCloseable {
  public static final String ADMIN_TOKEN = "it-admin-token";
  public static final String EDGEGW_TOKEN = "it-edgegw-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KUBE_VERSION = "1.37.2";
  private static final String ISTIO_API_VERSION = "1.32.0";
  private static final String GATEWAY_API_VERSION = "1.6.3";

  private final Path dir;
  private final ManagedProcess etcd; // null for a peer: the first server owns etcd
  private final int port;
  private final List<String> apiserverCommand;
  private final HttpClient http;
  private ManagedProcess apiserver;

  private KubeApiServer(Path dir, ManagedProcess etcd, int port, List<String> apiserverCommand) throws IOException {
    this.dir = dir;
    this.etcd = etcd;
    this.port = port;
    this.apiserverCommand = apiserverCommand;
    this.apiserver = ManagedProcess.start("kube-apiserver", apiserverCommand, dir.resolve("apiserver-" + port + ".log"));
    awaitReady();
    // Its self-signed serving certificate exists once it serves; trust exactly that.
    this.http = HttpClient.newBuilder().sslContext(sslTrusting(caPem())).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private static Path repo() {
    return Path.of(System.getProperty("edgegw.repo", "."));
  }

  private static Path apiserverBin() {
    return Path.of(Optional.ofNullable(System.getenv("KUBE_APISERVER_BIN"))
        .orElse(repo().resolve(".tools/kube/v" + KUBE_VERSION + "/kube-apiserver").toString()));
  }

  private static Path etcdBin() {
    return Path.of(Optional.ofNullable(System.getenv("ETCD_BIN")).orElse("/usr/bin/etcd"));
  }

  /**
   * A ServiceEntry {@code name.namespace.svc.cluster.local:9080} whose one endpoint is a loopback
   * backend: the way to reach a test backend through the API server, which refuses Endpoints and
   * EndpointSlices with loopback addresses (a ServiceEntry has no such check).
   */
  public static String loopbackServiceEntry(String namespace, String name, int port) {
    return """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: %1$s, namespace: %3$s}
        spec:
          hosts: [%1$s.%3$s.svc.cluster.local]
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP, targetPort: %2$d}]
          endpoints: [{address: 127.0.0.1}]
        """.formatted(name, port, namespace);
  }

  public static Path istioCrds() {
    return Path.of(Optional.ofNullable(System.getenv("ISTIO_CRDS"))
        .orElse(repo().resolve(".tools/kube/istio-api-v" + ISTIO_API_VERSION + "-crds.yaml").toString()));
  }

  public static Path gatewayApiCrds() {
    return Path.of(Optional.ofNullable(System.getenv("GATEWAY_API_CRDS")).orElse(
        repo().resolve(".tools/kube/gateway-api-v" + GATEWAY_API_VERSION + "-standard-crds.yaml").toString()));
  }

  /** For {@code @EnabledIf}: the binaries are here; else says on stderr which one is missing. */
  public static boolean available() {
    missing().ifPresent(why -> System.err.println("KubeApiServer: " + why));
    return missing().isEmpty();
  }

  /** Why the tests cannot run here, or empty when they can. */
  public static Optional<String> missing() {
    for (Path p : List.of(apiserverBin(), etcdBin(), istioCrds(), gatewayApiCrds())) {
      if (!Files.isRegularFile(p)) {
        return Optional.of(p + " is missing: run `bash bin/lib/kube.sh` (builds kube-apiserver from the Go module"
            + " proxy, ~11 min on 2 cores, once) or `bin/test`");
      }
    }
    return Optional.empty();
  }

  public static KubeApiServer start() throws Exception {
    return start(List.of());
  }

  /**
   * With extra kube-apiserver flags, e.g. {@code --watch-cache=false}: watches are then served by etcd
   * itself, so a watch from a compacted resourceVersion ends in 410 Gone ({@link #compactEtcd()}).
   */
  public static KubeApiServer start(List<String> extraFlags) throws Exception {
    Path dir = Files.createTempDirectory("edgegw-kube");
    List<Integer> ports = FreePorts.next(3);
    String client = "http://127.0.0.1:" + ports.get(0);
    String peer = "http://127.0.0.1:" + ports.get(1);
    ManagedProcess etcd = ManagedProcess.start("etcd", List.of(etcdBin().toString(),
        "--name", "it", "--data-dir", dir.resolve("etcd").toString(),
        "--listen-client-urls", client, "--advertise-client-urls", client,
        "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", "it=" + peer,
        // Without progress notifications a watch from "now" (no resourceVersion) stalls on etcd 3.4.
        "--experimental-watch-progress-notify-interval=500ms"), dir.resolve("etcd.log"));
    try {
      KeyPair serviceAccount = KeyPairGenerator.getInstance("RSA").genKeyPair();
      Path key = dir.resolve("sa.key");
      Path pub = dir.resolve("sa.pub");
      Files.writeString(key, pem("PRIVATE KEY", serviceAccount.getPrivate().getEncoded()));
      Files.writeString(pub, pem("PUBLIC KEY", serviceAccount.getPublic().getEncoded()));
      Path tokens = dir.resolve("tokens.csv");
      Files.writeString(tokens, ADMIN_TOKEN + ",it-admin,it-admin,system:masters\n" + EDGEGW_TOKEN + ",edgegw,edgegw\n");
      return new KubeApiServer(dir, etcd, ports.get(2), command(dir, client, ports.get(2), "certs", extraFlags));
    } catch (Exception | Error e) {
      etcd.close();
      throw e;
    }
  }

  /**
   * A second API server on the same etcd (its own port and certificate): changes made through it
   * while this one is stopped are what a gateway connected to this one missed. Closing it stops only it.
   */
  public KubeApiServer peer() throws IOException {
    int peerPort = FreePorts.next();
    String client = apiserverCommand.stream().filter(a -> a.startsWith("--etcd-servers=")).findFirst().orElseThrow()
        .substring("--etcd-servers=".length());
    List<String> extra = apiserverCommand.subList(BASE_FLAGS, apiserverCommand.size());
    return new KubeApiServer(dir, null, peerPort, command(dir, client, peerPort, "certs-" + peerPort, extra));
  }

  private static final int BASE_FLAGS = 15;

  private static List<String> command(Path dir, String etcdUrl, int port, String certDir, List<String> extra) {
    Path key = dir.resolve("sa.key");
    Path pub = dir.resolve("sa.pub");
    Path tokens = dir.resolve("tokens.csv");
    List<String> base = List.of(apiserverBin().toString(),
          "--etcd-servers=" + etcdUrl,
          "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port=" + port,
          "--cert-dir=" + dir.resolve(certDir),
          "--service-account-key-file=" + pub, "--service-account-signing-key-file=" + key,
          "--service-account-issuer=https://kubernetes.default.svc",
          "--token-auth-file=" + tokens, "--authorization-mode=RBAC",
          "--endpoint-reconciler-type=none", "--service-cluster-ip-range=10.96.0.0/16",
          // Without these it waits a minute for open watches before it stops.
          "--shutdown-watch-termination-grace-period=1s", "--shutdown-delay-duration=0s");
    if (base.size() != BASE_FLAGS) {
      throw new IllegalStateException("BASE_FLAGS is " + BASE_FLAGS + ", the command has " + base.size());
    }
    List<String> all = new ArrayList<>(base);
    all.addAll(extra);
    return List.copyOf(all);
  }

  /** Compacts etcd's history up to now: a watch from an older resourceVersion can no longer resume. */
  public void compactEtcd() throws IOException, InterruptedException {
    String etcdUrl = apiserverCommand.stream().filter(a -> a.startsWith("--etcd-servers=")).findFirst()
        .orElseThrow().substring("--etcd-servers=".length());
    HttpClient plain = HttpClient.newHttpClient();
    // The JSON gateway of etcd's v3 API: a range read tells the current revision.
    String key = Base64.getEncoder().encodeToString("/".getBytes(StandardCharsets.US_ASCII));
    HttpResponse<String> range = plain.send(HttpRequest.newBuilder(URI.create(etcdUrl + "/v3/kv/range"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"key\":\"" + key + "\",\"count_only\":true}")).build(),
        HttpResponse.BodyHandlers.ofString());
    String revision = JSON.readTree(range.body()).path("header").path("revision").asText();
    HttpResponse<String> compacted = plain.send(HttpRequest.newBuilder(URI.create(etcdUrl + "/v3/kv/compaction"))
        .POST(HttpRequest.BodyPublishers.ofString("{\"revision\":\"" + revision + "\",\"physical\":true}")).build(),
        HttpResponse.BodyHandlers.ofString());
    if (compacted.statusCode() != 200) {
      throw new IllegalStateException("etcd compaction to " + revision + ": HTTP " + compacted.statusCode() + " "
          + compacted.body());
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(der) + "\n-----END " + type + "-----\n";
  }

  public URI url() {
    return URI.create("https://127.0.0.1:" + port);
  }

  public String caPem() throws IOException {
    String certDir = apiserverCommand.stream().filter(a -> a.startsWith("--cert-dir=")).findFirst().orElseThrow()
        .substring("--cert-dir=".length());
    return Files.readString(Path.of(certDir, "apiserver.crt"));
  }

  /** What the sidecar is given: this server, its CA, the edgegw token (RBAC-limited). */
  public KubeSettings settings() throws IOException {
    Path token = dir.resolve("edgegw.token");
    Files.writeString(token, EDGEGW_TOKEN);
    return KubeSettings.of(url()).withCaPem(caPem()).withTokenFile(token);
  }

  /** Stops the API server (etcd keeps the data), as an outage of the control plane would. */
  public void stopApiServer() {
    apiserver.close();
  }

  public void startApiServer() {
    apiserver = ManagedProcess.start("kube-apiserver", apiserverCommand, dir.resolve("apiserver-" + port + ".log"));
    awaitReady();
  }

  private void awaitReady() {
    // It answers 403/429 for about a second after it starts; /readyz as admin says when it is done.
    HttpClient insecure = insecureClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    int last = -1;
    while (System.nanoTime() < deadline) {
      if (!apiserver.isAlive()) {
        throw new IllegalStateException(apiserver.state() + "; see " + apiserver.output());
      }
      try {
        last = insecure.send(HttpRequest.newBuilder(url().resolve("/readyz")).header("Authorization", "Bearer " + ADMIN_TOKEN)
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        if (last == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(100);
    }
    throw new IllegalStateException("kube-apiserver not ready after 60 s (last /readyz: " + last + "); see " + apiserver.output());
  }

  /** Server-side apply of every document in {@code yaml} (create or update), as {@code kubectl apply --server-side}. */
  public void apply(String yaml) {
    for (JsonNode doc : documents(yaml)) {
      String body = doc.toString();
      HttpResponse<String> r = send("PATCH", objectPath(doc) + "?fieldManager=edgegw-it&force=true",
          "application/apply-patch+yaml", body);
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException("apply " + objectPath(doc) + ": HTTP " + r.statusCode() + " " + r.body());
      }
    }
  }

  /** The object as the API server has it now. */
  public JsonNode get(String apiVersion, String kind, String namespace, String name) throws IOException {
    ObjectNode doc = JSON.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
    doc.putObject("metadata").put("name", name).put("namespace", namespace);
    HttpResponse<String> r = send("GET", objectPath(doc), "application/json", "");
    if (r.statusCode() != 200) {
      throw new IllegalStateException("get " + objectPath(doc) + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return JSON.readTree(r.body());
  }

  public void delete(String apiVersion, String kind, String namespace, String name) {
    ObjectNode doc = JSON.createObjectNode().put("apiVersion", apiVersion).put("kind", kind);
    doc.putObject("metadata").put("name", name).put("namespace", namespace);
    HttpResponse<String> r = send("DELETE", objectPath(doc), "application/json", "");
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException("delete " + objectPath(doc) + ": HTTP " + r.statusCode() + " " + r.body());
    }
  }

  /** Installs the Gateway API's CRDs (standard channel) and waits until they are served. */
  public void installGatewayApiCrds() throws IOException {
    apply(Files.readString(gatewayApiCrds()));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (send("GET", "/apis/gateway.networking.k8s.io/v1/httproutes", "application/json", "").statusCode() != 200
        || send("GET", "/apis/gateway.networking.k8s.io/v1/gatewayclasses", "application/json", "").statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Gateway API CRDs not served after 30 s");
      }
      sleep(100);
    }
  }

  /** Installs Istio's CRDs (istio.io/api) and waits until networking.istio.io/v1 serves them. */
  public void installIstioCrds() throws IOException {
    apply(Files.readString(istioCrds()));
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (send("GET", "/apis/networking.istio.io/v1/virtualservices", "application/json", "").statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Istio CRDs not served after 30 s");
      }
      sleep(100);
    }
  }

  public HttpResponse<String> send(String method, String path, String contentType, String body) {
    try {
      return http.send(HttpRequest.newBuilder(url().resolve(path)).header("Authorization", "Bearer " + ADMIN_TOKEN)
          .header("Content-Type", contentType).method(method, body.isEmpty() && !method.equals("PATCH")
              ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
          .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<JsonNode> documents(String yaml) {
    List<JsonNode> out = new ArrayList<>();
    ObjectMapper mapper = new ObjectMapper(new YAMLFactory());
    try (YAMLParser parser = new YAMLFactory().createParser(yaml)) {
      for (JsonNode node : (Iterable<JsonNode>) () -> {
        try {
          return mapper.readValues(parser, JsonNode.class);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }) {
        if (node != null && node.isObject()) {
          out.add(node);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static final java.util.Set<String> CLUSTER_SCOPED =
      java.util.Set.of("CustomResourceDefinition", "Namespace", "ClusterRole", "ClusterRoleBinding", "GatewayClass");

  private static String objectPath(JsonNode doc) {
    String apiVersion = doc.path("apiVersion").asText();
    String kind = doc.path("kind").asText();
    String base = apiVersion.contains("/") ? "/apis/" + apiVersion : "/api/" + apiVersion;
    String lower = kind.toLowerCase(Locale.ROOT);
    String plural = lower.endsWith("ss") ? lower + "es" : lower.endsWith("s") ? lower : lower.matches(".*[^aeiou]y") ? lower.substring(0, lower.length() - 1) + "ies" : lower + "s";
    JsonNode metadata = doc.path("metadata");
    String ns = CLUSTER_SCOPED.contains(kind) ? "" : "/namespaces/" + metadata.path("namespace").asText("default");
    return base + ns + "/" + plural + "/" + metadata.path("name").asText();
  }

  private static HttpClient insecureClient() {
    try {
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
          return new java.security.cert.X509Certificate[0];
        }
      }}, null);
      // Only for /readyz before the certificate is known; everything else verifies it.
      return HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(2)).build();
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static javax.net.ssl.SSLContext sslTrusting(String pem) throws IOException {
    try {
      java.security.KeyStore store = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (java.security.cert.Certificate cert : java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificates(new java.io.ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
        store.setCertificateEntry("c" + i++, cert);
      }
      javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
          javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException(e);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      apiserver.close();
    } finally {
      if (etcd != null) {
        etcd.close();
      }
    }
  }
}
