package io.edgegw.server.demo;

import com.google.common.collect.ImmutableMap;
import io.edgegw.bootstrap.BootstrapGenerator;
import io.edgegw.bootstrap.BootstrapOptions;
import io.edgegw.mqtt.MqttResourcePublisher;
import io.edgegw.mqtt.MqttSettings;
import io.edgegw.mqtt.TopicContract;
import io.edgegw.server.Components;
import io.edgegw.server.HostPort;
import io.edgegw.server.Sidecar;
import io.edgegw.server.SidecarConfig;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import io.edgegw.translator.model.ResourceReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * The demo: a real mosquitto, the sidecar, a real Envoy and sample backends on 127.0.0.1. Publishes
 * an example over MQTT as the cloud side would, shows where requests go, then makes live changes and
 * says how long each took from MQTT publish to Envoy serving it.
 */
public final class Demo {
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(30);

  private final PrintWriter out;
  private final Path envoyBinary;
  private final Path mosquittoBinary;
  private final Path exampleDir;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public Demo(PrintWriter out, Path envoyBinary, Path mosquittoBinary, Path exampleDir) {
    this.out = out;
    this.envoyBinary = envoyBinary;
    this.mosquittoBinary = mosquittoBinary;
    this.exampleDir = exampleDir;
  }

  public void run() throws Exception {
    Path work = Files.createTempDirectory("edgegw-demo");
    int brokerPort = freePort();
    int gatewayPort = freePort();
    int envoyAdminPort = freePort();
    say("working directory " + work + " (logs of mosquitto and Envoy are there)");

    Path brokerConf = Files.writeString(work.resolve("mosquitto.conf"),
        "listener " + brokerPort + " 127.0.0.1\nallow_anonymous true\npersistence false\n");
    try (LocalProcess broker =
            LocalProcess.start(
                    "mosquitto",
                    List.of(mosquittoBinary.toString(), "-c", brokerConf.toString()),
                    work.resolve("mosquitto.log"))
                .awaitPort(brokerPort, Duration.ofSeconds(10));
        DemoBackend productpage = DemoBackend.start("productpage");
        DemoBackend reviewsV1 = DemoBackend.start("reviews-v1");
        DemoBackend reviewsV2 = DemoBackend.start("reviews-v2");
        Sidecar sidecar =
            Sidecar.start(
                SidecarConfig.builder(work.resolve("state"))
                    .mqttUrl(Optional.of("tcp://127.0.0.1:" + brokerPort))
                    .gatewayId("demo")
                    .listenerBindAddress("127.0.0.1")
                    .portMap(ImmutableMap.of(80, gatewayPort))
                    .xdsAddress(new HostPort("127.0.0.1", 0))
                    .adminAddress(new HostPort("127.0.0.1", 0))
                    .debounce(Duration.ofMillis(5))
                    // The demo's backends run on loopback, which the node policy refuses by
                    // default.
                    .nodePolicy(
                        SidecarConfig.NodePolicySettings.DEFAULT
                            .allowingUpstreams("127.0.0.0/8")
                            .withEnvoyAdminPort(envoyAdminPort))
                    .build(),
                Components.production())) {
      say("mosquitto on 127.0.0.1:" + brokerPort + "; sidecar xDS on 127.0.0.1:" + sidecar.xdsPort()
          + ", admin on http://127.0.0.1:" + sidecar.adminPort());
      Path bootstrap = Files.writeString(work.resolve("envoy.yaml"), new BootstrapGenerator().yaml(
          BootstrapOptions.defaults().withXds("127.0.0.1", sidecar.xdsPort()).withAdmin("127.0.0.1", envoyAdminPort)
              .withStatusListeners("127.0.0.1", 0, 0)));
      try (LocalProcess envoy = LocalProcess.start("envoy", List.of(envoyBinary.toString(), "-c", bootstrap.toString(),
              "--concurrency", "1", "--disable-hot-restart", "-l", "warn"), work.resolve("envoy.log"))
              .awaitPort(envoyAdminPort, Duration.ofSeconds(20));
          MqttResourcePublisher cloud = new MqttResourcePublisher(
              MqttSettings.defaults("edgegw-demo-cloud").withServerUri("tcp://127.0.0.1:" + brokerPort),
              new TopicContract("edgegw", "demo"))) {
        cloud.connect();
        say("Envoy (pid " + envoy.pid() + ") started with a bootstrap that only names the sidecar");
        String gateway = "http://127.0.0.1:" + gatewayPort;

        heading("1. The cloud side publishes " + exampleDir + " over MQTT");
        List<Resource> example = example(productpage.port());
        example.forEach(r -> say("   publish " + r.key().path()));
        timed("bookinfo routes served", () -> example.forEach(cloud::publish),
            () -> status(gateway + "/productpage") == 200);
        for (String path : List.of("/productpage", "/login", "/logout", "/api/v1/products/7", "/reviews/1", "/")) {
          say(String.format("   GET %-22s -> %s", path, describe(gateway + path)));
        }

        heading("2. Live change: add a /reviews route (Service, Endpoints, VirtualService)");
        cloud.publish(service("reviews"));
        cloud.publish(endpoints("reviews", reviewsV1.port()));
        cloud.publish(service("reviews-v2"));
        cloud.publish(endpoints("reviews-v2", reviewsV2.port()));
        timed("new route served", () -> cloud.publish(virtualService(example, 100, 0)),
            () -> "reviews-v1".equals(backend(gateway + "/reviews/1")));
        say(String.format("   GET %-22s -> %s", "/reviews/1", describe(gateway + "/reviews/1")));

        heading("3. Live change: shift reviews traffic 50/50 to reviews-v2");
        timed("weight change served", () -> cloud.publish(virtualService(example, 50, 50)),
            () -> "reviews-v2".equals(backend(gateway + "/reviews/1")));
        Map<String, Integer> seen = new TreeMap<>();
        for (int i = 0; i < 200; i++) {
          seen.merge(backend(gateway + "/reviews/1"), 1, Integer::sum);
        }
        say("   200 requests to /reviews/1 went to " + seen);

        heading("4. Live change: delete the VirtualService");
        timed("deletion served", () -> cloud.delete(ResourceKey.of(Kind.VIRTUAL_SERVICE, "default", "bookinfo")),
            () -> status(gateway + "/productpage") == 404);
        say(String.format("   GET %-22s -> %s", "/productpage", describe(gateway + "/productpage")));

        heading("Envoy pid " + envoy.pid() + " served every change without a restart.");
        say("Inspect the sidecar: curl http://127.0.0.1:" + sidecar.adminPort() + "/config_dump");
      }
    }
  }

  /** Runs {@code change}, then polls until {@code served} holds, and prints how long that took. */
  private void timed(String what, ThrowingRunnable change, BooleanSupplier served) throws Exception {
    long start = System.nanoTime();
    change.run();
    long deadline = start + STEP_TIMEOUT.toNanos();
    while (!served.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(what + ": not served within " + STEP_TIMEOUT);
      }
      Thread.sleep(1);
    }
    double millis = (System.nanoTime() - start) / 1e6;
    say(String.format("   %s %.1f ms after the MQTT publish (publish -> broker -> sidecar -> Envoy)", what, millis));
  }

  @FunctionalInterface
  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** The example's resources, with the productpage Endpoints pointing at the local sample backend. */
  private List<Resource> example(int productpagePort) throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(exampleDir)) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    List<Resource> resources = new ArrayList<>();
    for (Path file : files) {
      for (ResourceReader.Read read : new ResourceReader().read(Files.readString(file))) {
        if (!(read instanceof ResourceReader.Ok ok)) {
          throw new IllegalArgumentException(file + ": " + read);
        }
        boolean placeholder = ok.resource().key().kind() == Kind.ENDPOINTS;
        resources.add(placeholder ? endpoints(ok.resource().key().name(), productpagePort) : ok.resource());
      }
    }
    return resources;
  }

  /** The example's VirtualService with a /reviews rule split between reviews and reviews-v2. */
  private static Resource virtualService(List<Resource> example, int v1, int v2) {
    Resource vs = example.stream().filter(r -> r.key().kind() == Kind.VIRTUAL_SERVICE).findFirst().orElseThrow();
    String reviews = """
        {"match": [{"uri": {"prefix": "/reviews"}}], "route": [
          {"destination": {"host": "reviews", "port": {"number": 9080}}, "weight": %d},
          {"destination": {"host": "reviews-v2", "port": {"number": 9080}}, "weight": %d}]}
        """.formatted(v1, v2);
    var manifest = vs.manifest().deepCopy();
    try {
      manifest
          .withObject("spec")
          .withArray("http")
          .add(new com.fasterxml.jackson.databind.ObjectMapper().readTree(reviews));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return new Resource(vs.key(), manifest);
  }

  private static Resource service(String name) {
    return read("""
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "%s", "namespace": "default"},
         "spec": {"ports": [{"name": "http", "port": 9080}]}}""".formatted(name));
  }

  private static Resource endpoints(String name, int port) {
    return read("""
        {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "%s", "namespace": "default"},
         "subsets": [{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"name": "http", "port": %d}]}]}"""
        .formatted(name, port));
  }

  private static Resource read(String json) {
    return ((ResourceReader.Ok) new ResourceReader().read(json).get(0)).resource();
  }

  private int status(String url) {
    return send(url).map(HttpResponse::statusCode).orElse(-1);
  }

  private String backend(String url) {
    return send(url).flatMap(r -> r.headers().firstValue("x-backend")).orElse("-");
  }

  private String describe(String url) {
    return send(url).map(r -> r.statusCode() + " " + r.headers().firstValue("x-backend").orElse("(from Envoy)"))
        .orElse("no answer");
  }

  private Optional<HttpResponse<String>> send(String url) {
    try {
      return Optional.of(http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void heading(String text) {
    out.println();
    out.println(text);
    out.flush();
  }

  private void say(String text) {
    out.println(text);
    out.flush();
  }
}
