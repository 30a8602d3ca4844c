package io.edgegw.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgegw.it.harness.EdgeGateway;
import io.edgegw.it.harness.HttpBackend;
import io.edgegw.it.harness.KubeApiServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * A sidecar reading an API server where Istio's CRDs are not installed yet: the core kinds are read
 * at once, and the Istio kinds are picked up once their CRDs appear (looked for every 30 s), with no
 * restart. Real kube-apiserver and etcd, as {@link KubeSourceTest}.
 */
@EnabledIf(value = "io.edgegw.it.harness.KubeApiServer#available",
    disabledReason = "no real kube-apiserver, etcd or Istio CRDs on this machine: run `bash bin/lib/kube.sh` once")
class KubeMissingCrdTest {
  private KubeApiServer kube;
  private HttpBackend productpage;
  private EdgeGateway gw;

  @AfterEach
  void stop() {
    EdgeGateway.closeAll(gw, productpage, kube);
  }

  @Test
  void istioKindsArePickedUpWhenTheirCrdsAppear() throws Exception {
    kube = KubeApiServer.start();
    // Admin rights here: the point is the missing CRD, not RBAC.
    kube.apply("""
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRoleBinding
        metadata: {name: edgegw-it}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin}
        subjects: [{kind: User, apiGroup: rbac.authorization.k8s.io, name: edgegw}]
        """);
    productpage = HttpBackend.start("productpage");
    gw = EdgeGateway.start(b -> b.kube(Optional.of(settings())));

    kube.apply(EdgeGateway.service("late"));
    await().atMost(Duration.ofSeconds(20)).until(() -> gw.admin("/resources").contains("services/late"));

    kube.installIstioCrds();
    Path examples = Path.of(System.getProperty("edgegw.repo", "..")).resolve("examples/bookinfo");
    kube.apply(Files.readString(examples.resolve("gateway.yaml")));
    kube.apply(Files.readString(examples.resolve("virtualservice.yaml")));
    kube.apply("""
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: productpage, namespace: default}
        spec:
          hosts: [productpage.default.svc.cluster.local]
          resolution: STATIC
          ports: [{number: 9080, name: http, protocol: HTTP, targetPort: %d}]
          endpoints: [{address: 127.0.0.1}]
        """.formatted(productpage.port()));
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> "productpage".equals(gw.get("bookinfo.local", "/productpage").backend()));
    assertThat(gw.envoy().nacks()).isZero();
  }

  private io.edgegw.kube.KubeSettings settings() {
    try {
      return kube.settings();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
