package io.edgegw.it;

import static io.edgegw.it.ResilienceTest.awaitEcho;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.ProcessGateway;
import io.edgegw.it.harness.TestPki;
import io.edgegw.server.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * What another user or a web page on the edge node can get from the sidecar (issue #11), against the
 * real sidecar process fed by the real broker: the stored private keys are owner-only, and the admin
 * API refuses a foreign Host (DNS rebinding). In order, on one gateway.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NodeLocalSecurityTest {
  @TempDir static Path pkiDir;
  private static HttpBackend productpage;
  private static ProcessGateway gw;

  @BeforeAll
  static void start() throws Exception {
    productpage = HttpBackend.start("productpage");
    gw = ProcessGateway.start();
    gw.publish(Manifests.bookinfo(productpage));
    awaitEcho(gw, "bookinfo.local", "/productpage");
  }

  @AfterAll
  static void stop() {
    io.edgegw.it.harness.EdgeGateway.closeAll(gw, productpage);
  }

  @Test
  @Order(1)
  void theAdminApiRefusesAForeignHostAndStillAnswersItsOwnClients() throws Exception {
    int port = gw.sidecar().adminPort();
    await().atMost(Duration.ofSeconds(20)).until(() -> gw.sidecar().ready());
    String refused = raw(port, "GET /config_dump HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
    assertThat(refused).startsWith("HTTP/1.1 421 ").contains("Host 'evil.example' is not served here")
        .doesNotContain("listeners");
    assertThat(raw(port, "GET /config_dump HTTP/1.1\r\nHost: evil.example:" + port + "\r\nConnection: close\r\n\r\n"))
        .startsWith("HTTP/1.1 421 ");
    for (String host : List.of("127.0.0.1:" + port, "localhost:" + port, "127.0.0.1", "[::1]:" + port)) {
      String ok = raw(port, "GET /healthz/ready HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
      assertThat(ok).as(host).startsWith("HTTP/1.1 200 ").contains("\"ready\" : true");
    }
    // HTTP/1.0 without Host: no browser sends that, a plain script may.
    assertThat(raw(port, "GET /healthz/ready HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200 ");

    // The project's own client, by address and by name.
    for (String address : List.of("127.0.0.1:" + port, "localhost:" + port)) {
      StringWriter out = new StringWriter();
      int exit = Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(out, true))
          .execute("status", "--admin-address", address);
      assertThat(exit).as(address + ": " + out).isZero();
      assertThat(out.toString()).contains(": ready").contains("serving");
    }
  }

  @Test
  @Order(2)
  void aSecretFromMqttIsStoredOwnerOnlyAndAStartRepairsAWorldReadableStateDirectory() throws Exception {
    TestPki pki = TestPki.create(pkiDir, "edgegw it CA");
    gw.publish(TestPki.secretYaml("shop-cert", "default", pki.server("shop", "shop.local"), Optional.empty()));
    Path state = gw.stateDir();
    Path secret = state.resolve("resources/secret/default/shop-cert.json");
    await().atMost(Duration.ofSeconds(20)).until(() -> Files.isRegularFile(secret)
        && Files.isRegularFile(state.resolve("served-snapshot.pb")));
    assertThat(Files.readString(secret)).contains("tls.key");
    assertThat(permissions(secret)).isEqualTo("rw-------");
    for (Path dir = secret.getParent(); dir.startsWith(state); dir = dir.getParent()) {
      assertThat(permissions(dir)).as(dir.toString()).isEqualTo("rwx------");
    }
    assertOwnerOnly(state);

    // As an older version left it: everything readable by others.
    gw.sidecar().stop();
    try (Stream<Path> walk = Files.walk(state)) {
      for (Path p : walk.toList()) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
      }
    }
    assertThat(permissions(secret)).isEqualTo("rw-r--r--");
    String repaired = "owner-only (0700 directories, 0600 files): they were readable by others";
    long before = gw.sidecar().countLogLines(repaired);
    gw.sidecar().restart();
    assertOwnerOnly(state);
    assertThat(gw.sidecar().countLogLines(repaired)).isEqualTo(before + 1);
    awaitEcho(gw, "bookinfo.local", "/productpage");
  }

  private static void assertOwnerOnly(Path state) throws IOException {
    try (Stream<Path> walk = Files.walk(state)) {
      List<Path> all = walk.toList();
      assertThat(all).hasSizeGreaterThan(5);
      for (Path p : all) {
        assertThat(permissions(p)).as(p.toString()).isEqualTo(Files.isDirectory(p) ? "rwx------" : "rw-------");
      }
    }
  }

  private static String permissions(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
  }

  /** One request as written, on a socket of its own; the whole answer. */
  private static String raw(int port, String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
