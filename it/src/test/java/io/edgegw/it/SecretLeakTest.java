package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.server.ResourceStatus;
import io.edgegw.server.cli.Main;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Private keys never leave the sidecar except to Envoy over SDS: not in a log line (at any level), not
 * in any admin response, not in {@code edgegw status}. Published over MQTT: a real key (with a Gateway
 * that uses it), a fake key made of a marker, and a key that is not even base64.
 */
class SecretLeakTest {
  private static final String FAKE_MARKER = "EDGEGW-LEAK-MARKER-7f3a9c";
  private static final String RAW_MARKER = "EDGEGW-RAW-MARKER-b41d2e";

  @Test
  void noLogLineAndNoAdminResponseShowsAPrivateKey() throws Exception {
    String key = resource("secret-leak/tls.key");
    String cert = resource("secret-leak/tls.crt");
    String fakeKey = "-----BEGIN PRIVATE KEY-----\n" + FAKE_MARKER + "\n-----END PRIVATE KEY-----\n";
    List<String> secrets = new ArrayList<>(List.of(FAKE_MARKER, RAW_MARKER, base64(key), base64(fakeKey)));
    String[] body = key.split("\n");
    secrets.add(body[1].substring(48)); // the key's own bytes; the first 48 characters are the PKCS#8 EC header
    secrets.add(body[2]);

    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    Level level = root.getLevel();
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.setContext(context);
    logs.start();
    root.addAppender(logs);
    root.setLevel(Level.TRACE);
    try (HttpBackend productpage = HttpBackend.start("productpage");
        EdgeGateway gw = EdgeGateway.start()) {
      gw.publishExample("bookinfo", Map.of("productpage", productpage));
      gw.publish(tlsSecret("leak-cert", base64(cert), base64(key)) + "---\n"
          + tlsSecret("fake-key", base64(cert), base64(fakeKey)) + "---\n"
          + tlsSecret("not-base64", base64(cert), "!!" + RAW_MARKER + "!!") + "---\n" + HTTPS_GATEWAY);
      List<ResourceKey> published = List.of(ResourceKey.of(Kind.SECRET, "default", "leak-cert"),
          ResourceKey.of(Kind.SECRET, "default", "fake-key"), ResourceKey.of(Kind.SECRET, "default", "not-base64"),
          ResourceKey.of(Kind.GATEWAY, "default", "tls-gateway"));
      // Every one of them decided (applied or rejected, not merely stored), and Envoy up to date.
      await().atMost(Duration.ofSeconds(20)).until(() -> published.stream().allMatch(k -> gw.sidecar().statuses().of(k)
          .map(s -> s.state() != ResourceStatus.State.ACCEPTED).orElse(false)));
      gw.awaitStatus("h", "/productpage", 200);

      List<String> answers = new ArrayList<>();
      for (String path : List.of("/config_dump", "/config_dump?type=secrets", "/config_dump?name=default/leak-cert",
          "/resources", "/resources?kind=Secret", "/resources?status=rejected", "/clients", "/versions", "/metrics",
          "/healthz/ready")) {
        answers.add(path + " -> " + gw.admin(path));
      }
      for (String format : List.of("text", "json")) {
        StringWriter out = new StringWriter();
        Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
            .execute("status", "--admin-address", "127.0.0.1:" + gw.sidecar().adminPort(), "-o", format);
        answers.add("edgegw status -o " + format + " -> " + out);
      }
      assertThat(answers.get(3)).contains("leak-cert").contains("fake-key").contains("not-base64");
      for (String answer : answers) {
        for (String secret : secrets) {
          assertThat(answer).as("admin answer").doesNotContain(secret);
        }
      }
    } finally {
      root.detachAppender(logs);
      root.setLevel(level);
    }
    List<String> lines = logs.list.stream().map(SecretLeakTest::line).toList();
    assertThat(lines).as("log lines").anySatisfy(l -> assertThat(l).contains("Secret default/leak-cert"));
    for (String line : lines) {
      for (String secret : secrets) {
        assertThat(line).as("log line").doesNotContain(secret);
      }
    }
  }

  /** What an encoder can print of an event: message, arguments, MDC, exception with its causes. */
  private static String line(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(event.getLoggerName()).append(' ').append(event.getFormattedMessage());
    line.append(' ').append(event.getMDCPropertyMap());
    if (event.getThrowableProxy() != null) {
      line.append('\n').append(ThrowableProxyUtil.asString(event.getThrowableProxy()));
    }
    return line.toString();
  }

  private static String tlsSecret(String name, String crt, String key) {
    return """
        apiVersion: v1
        kind: Secret
        metadata: {name: %s, namespace: default}
        type: kubernetes.io/tls
        data:
          tls.crt: %s
          tls.key: "%s"
        """.formatted(name, crt, key);
  }

  private static final String HTTPS_GATEWAY = """
      apiVersion: networking.istio.io/v1
      kind: Gateway
      metadata: {name: tls-gateway, namespace: default}
      spec:
        selector: {istio: edgegateway}
        servers:
        - port: {number: 443, name: https, protocol: HTTPS}
          hosts: ["leak-test.example.com"]
          tls: {mode: SIMPLE, credentialName: leak-cert}
      """;

  private static String base64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = SecretLeakTest.class.getClassLoader().getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
