package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.server.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The operator's commands against a real broker, a real sidecar and a real Envoy. */
class CliTest {
  private static final Path REPO = Path.of(System.getProperty("edgegw.repo", "..")).toAbsolutePath().normalize();

  @TempDir Path dir;

  @Test
  void publishAndDeleteDriveTheGateway() throws Exception {
    try (HttpBackend productpage = HttpBackend.start("productpage");
        EdgeGateway gw = EdgeGateway.start()) {
      Path bookinfo = dir.resolve("bookinfo.yaml");
      Files.writeString(bookinfo, EdgeGateway.exampleYaml("bookinfo", Map.of("productpage", productpage)));
      String[] target = {"--mqtt-url", gw.broker().url(), "--gateway-id", EdgeGateway.GATEWAY_ID};

      StringWriter out = new StringWriter();
      assertThat(run(out, "publish", "-f", bookinfo.toString(), target[0], target[1], target[2], target[3])).isZero();
      assertThat(out.toString()).contains("published VirtualService default/bookinfo");
      gw.awaitStatus("h", "/productpage", 200);
      assertThat(gw.get("h", "/productpage").backend()).isEqualTo("productpage");

      // Deleting only the VirtualService leaves the Gateway's listener answering 404.
      Path vs = REPO.resolve("examples/bookinfo/virtualservice.yaml");
      assertThat(run(new StringWriter(), "publish", "--delete", "-f", vs.toString(), target[0], target[1], target[2], target[3])).isZero();
      gw.awaitStatus("h", "/productpage", 404);
    }
  }

  private static int run(StringWriter out, String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    return cli.execute(args);
  }
}
