package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EnvoyProcess;
import io.edgegw.it.harness.KubeApiServer;
import io.edgegw.it.harness.ProcessGateway;
import io.edgegw.it.harness.SidecarProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * A measurement, not a check (docs/benchmarks.md, "The Kubernetes source"): the resident memory of the
 * sidecar jar in its own JVM (the shipped JVM options) serving 1000 routes, once reading them from a
 * real kube-apiserver and once from its state directory alone, interleaved rounds. Opt-in:
 * {@code -Dedgegw.it.kubeFootprint=true} (and the API server of bin/lib/kube.sh).
 */
@EnabledIf(value = "enabled", disabledReason = "a measurement: -Dedgegw.it.kubeFootprint=true and bin/lib/kube.sh")
class KubeFootprintTest {
  private static final int ROUNDS = 3;

  static boolean enabled() {
    return Boolean.getBoolean("edgegw.it.kubeFootprint") && KubeApiServer.available();
  }

  @Test
  void residentMemoryWithAndWithoutTheKubernetesSource() throws Exception {
    Map<String, List<Long>> rss = new LinkedHashMap<>();
    try (KubeApiServer kube = KubeApiServer.start()) {
      kube.installIstioCrds();
      kube.apply(Files.readString(Path.of(System.getProperty("edgegw.repo", "..")).resolve("examples/kubernetes/rbac.yaml")));
      kube.apply("""
          apiVersion: rbac.authorization.k8s.io/v1
          kind: ClusterRoleBinding
          metadata: {name: edgegw-it}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edgegw-reader}
          subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: edgegw}]
          """);
      StringBuilder yaml = new StringBuilder("""
          apiVersion: networking.istio.io/v1
          kind: Gateway
          metadata: {name: gw, namespace: default}
          spec:
            selector: {istio: edgegateway}
            servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
          """);
      for (int vs = 0; vs < 100; vs++) {
        yaml.append("---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs-")
            .append(vs).append(", namespace: default}\nspec:\n  hosts: [host-").append(vs)
            .append(".example.com]\n  gateways: [gw]\n  http:\n");
        for (int r = 0; r < 10; r++) {
          yaml.append("  - match: [{uri: {prefix: /r").append(r).append("}}]\n")
              .append("    route: [{destination: {host: backend.default.svc.cluster.local, port: {number: 80}}}]\n");
        }
      }
      kube.apply(yaml.toString());
      var settings = kube.settings();
      Path token = settings.tokenFile().orElseThrow();
      Path ca = Files.createTempFile("kube-ca", ".pem");
      Files.writeString(ca, settings.caPem().orElseThrow());
      List<String> kubeArgs = List.of("--kube-api", kube.url().toString(), "--kube-token-file", token.toString(),
          "--kube-ca-file", ca.toString());
      Path state = Files.createTempDirectory("edgegw-footprint");
      String noBroker = "tcp://127.0.0.1:1"; // both variants run without a broker, alike
      measure(SidecarProcess.Options.of(noBroker, state).withExtraArgs(kubeArgs)); // fills the state dir
      for (int round = 0; round < ROUNDS; round++) {
        for (boolean withKube : new boolean[] {true, false}) {
          SidecarProcess.Options options = SidecarProcess.Options.of(noBroker, state);
          long kb = measure(withKube ? options.withExtraArgs(kubeArgs) : options);
          rss.computeIfAbsent(withKube ? "with --kube-api (1000 routes read from the API server)"
              : "state directory only (the same 1000 routes)", k -> new ArrayList<>()).add(kb);
        }
      }
    }
    StringBuilder table = new StringBuilder("| sidecar | RSS MB, median (all) |\n|---|---|\n");
    rss.forEach((variant, kbs) -> {
      List<Long> sorted = kbs.stream().sorted().toList();
      table.append("| ").append(variant).append(" | ").append(String.format("%.1f", sorted.get(sorted.size() / 2) / 1024.0))
          .append(" (").append(String.join(", ", kbs.stream().map(k -> String.format("%.1f", k / 1024.0)).toList()))
          .append(") |\n");
    });
    System.out.println("KubeFootprintTest\n" + table);
    assertThat(rss).hasSize(2);
  }

  /** Starts the sidecar and an Envoy, waits until Envoy was served, settles 3 s, returns VmRSS in kB. */
  private static long measure(SidecarProcess.Options options) throws Exception {
    try (SidecarProcess sidecar = SidecarProcess.start(options);
        EnvoyProcess envoy = ProcessGateway.startEnvoy(options.xdsPort())) {
      await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
          .until(() -> sidecar.ready() && sidecar.admin("/resources").contains("vs-99"));
      Thread.sleep(3000);
      for (String line : Files.readAllLines(Path.of("/proc/" + sidecar.pid() + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      throw new IllegalStateException("no VmRSS for " + sidecar.pid());
    }
  }
}
