package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import io.edgegw.fleet.FleetSync;
import io.edgegw.fleet.KubeApiSource;
import io.edgegw.fleet.Placement;
import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.KubeApiServer;
import io.edgegw.it.harness.Mosquitto;
import io.edgegw.mqtt.MqttSettings;
import io.edgegw.server.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 with the Kubernetes API as the fleet's source of truth: resources applied to a real
 * kube-apiserver (real etcd, Istio's CRDs, the sync reading as the RBAC-limited edgegw user) are placed
 * by {@code fleet sync} on a real broker, reach the labelled sidecar and are served by its real Envoy;
 * an edit and a delete in the API server follow on the node, and what another gateway's labels select
 * never reaches it. Skipped (with the reason) when bin/lib/kube.sh has not built the API server.
 */
@EnabledIf(value = "io.edgegw.it.harness.KubeApiServer#available",
    disabledReason = "no real kube-apiserver, etcd or CRDs on this machine: run `bash bin/lib/kube.sh` once"
        + " (builds kube-apiserver from the Go module proxy) or `bin/test`")
class KubeFleetTest {
  @TempDir Path temp;

  @Test
  void resourcesAppliedToTheApiServerArePlacedOnTheLabelledGatewayAndFollowEditsAndDeletes() throws Exception {
    try (KubeApiServer kube = KubeApiServer.start();
        Mosquitto broker = Mosquitto.start();
        HttpBackend productpage = HttpBackend.start("productpage");
        HttpBackend reviews = HttpBackend.start("reviews")) {
      kube.installIstioCrds();
      kube.apply(Files.readString(Path.of(System.getProperty("edgegw.repo", "..")).resolve(
          "examples/kubernetes/rbac.yaml")));
      kube.apply("""
          apiVersion: rbac.authorization.k8s.io/v1
          kind: ClusterRoleBinding
          metadata: {name: edgegw-it}
          roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edgegw-reader}
          subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: edgegw}]
          """);
      kube.apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: fleet}\n");
      kube.apply(serviceEntry("productpage", productpage));
      kube.apply(serviceEntry("reviews", reviews));
      kube.apply(gateway("shop-gw", "shop"));
      kube.apply(gateway("factory-gw", "factory"));
      kube.apply(vs("shop", "shop-gw", "productpage"));
      kube.apply(vs("factory", "factory-gw", "reviews"));

      try (EdgeGateway shop = EdgeGateway.start(broker, Files.createDirectories(temp.resolve("state")), "shop-1",
          ImmutableMap.of("role", "shop"))) {
        // The CLI, once, with the sidecar's own Kubernetes flags: what the API server holds reaches the node.
        Path token = Files.writeString(temp.resolve("token"), KubeApiServer.EDGEGW_TOKEN);
        Path ca = Files.writeString(temp.resolve("ca.pem"), kube.caPem());
        int exit = Main.commandLine().execute("fleet", "sync", "--once", "--kube-api", kube.url().toString(),
            "--kube-token-file", token.toString(), "--kube-ca-file", ca.toString(), "--kube-namespaces", "fleet",
            "--mqtt-url", broker.url(), "--client-id", "it-kube-fleet-once", "--admin-address", "off");
        assertThat(exit).isZero();
        shop.awaitBackend("shop.fleet.local", "/", "productpage");
        // Placement: the factory's Gateway and route select other labels.
        assertThat(shop.get("factory.fleet.local", "/").status()).isEqualTo(404);
        assertThat(shop.admin("/resources")).contains("shop-gw").doesNotContain("factory");

        // Running: the list and watch of the kube source follow edits and deletes.
        try (FleetSync sync = new FleetSync(
            new KubeApiSource(kube.settings().withNamespaces(ImmutableList.of("fleet")).withWriteStatus(false)),
            new Placement("cluster.local"), MqttSettings.defaults(broker.url(), "it-kube-fleet"), "edgegw",
            Duration.ofMillis(200))) {
          // Started while the API server is down: until its watches have listed everything, publishing
          // that empty view would delete from the node what --once placed there.
          kube.stopApiServer();
          sync.start();
          Thread.sleep(3000); // several poll intervals
          assertThat(sync.metrics().deleted).isZero();
          assertThat(sync.state().ready()).as("ready (the admin's /healthz/ready) before anything was listed").isFalse();
          assertThat(shop.get("shop.fleet.local", "/").backend()).isEqualTo("productpage");
          kube.startApiServer();
          // Once listed, the same view as --once placed: nothing to do.
          await().atMost(Duration.ofSeconds(60)).until(() -> sync.state().sourceResources() > 0);
          await().atMost(Duration.ofSeconds(10)).until(() -> sync.state().ready());
          assertThat(sync.metrics().deleted).isZero();
          assertThat(sync.metrics().published).isZero();
          assertThat(shop.get("shop.fleet.local", "/").backend()).isEqualTo("productpage");

          kube.apply(vs("shop", "shop-gw", "reviews"));
          shop.awaitBackend("shop.fleet.local", "/", "reviews");

          kube.delete("networking.istio.io/v1", "VirtualService", "fleet", "shop");
          shop.awaitStatus("shop.fleet.local", "/", 404);
          assertThat(shop.admin("/resources")).doesNotContain("virtualservices/shop");
          assertThat(sync.metrics().deleted).isPositive();
          assertThat(shop.envoy().nacks()).isZero();
        }
      }
    }
  }

  private static String gateway(String name, String role) {
    return """
        apiVersion: networking.istio.io/v1
        kind: Gateway
        metadata: {name: %s, namespace: fleet}
        spec:
          selector: {role: %s}
          servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
        """.formatted(name, role);
  }

  private static String vs(String host, String gateway, String backend) {
    return """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: %1$s, namespace: fleet}
        spec:
          hosts: [%1$s.fleet.local]
          gateways: [fleet/%2$s]
          http:
          - route: [{destination: {host: %3$s.fleet.svc.cluster.local, port: {number: 9080}}}]
        """.formatted(host, gateway, backend);
  }

  private static String serviceEntry(String name, HttpBackend backend) {
    return KubeApiServer.loopbackServiceEntry("fleet", name, backend.port());
  }

}
