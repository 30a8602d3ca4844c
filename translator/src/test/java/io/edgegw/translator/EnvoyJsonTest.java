package io.edgegw.translator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.collect.ImmutableList;
import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import org.junit.jupiter.api.Test;

class EnvoyJsonTest {
  private static final String KEY = "-----BEGIN PRIVATE KEY-----\nMIIEv...\n-----END PRIVATE KEY-----\n";

  @Test
  void privateKeysAreRedacted() {
    Secret secret = Secret.newBuilder().setName("kubernetes://shop-cert").setTlsCertificate(TlsCertificate.newBuilder()
        .setCertificateChain(DataSource.newBuilder().setInlineString("-----BEGIN CERTIFICATE-----"))
        .setPrivateKey(DataSource.newBuilder().setInlineString(KEY))
        .setPassword(DataSource.newBuilder().setInlineString("hunter2"))).build();
    EnvoyResources resources = new EnvoyResources(ImmutableList.of(), ImmutableList.of(), ImmutableList.of(), ImmutableList.of(), ImmutableList.of(secret));
    ObjectNode json = EnvoyJson.toJson(resources);
    ObjectNode certificate = (ObjectNode) json.get("secrets").get(0).get("tls_certificate");
    assertEquals("[redacted]", certificate.get("private_key").asText());
    assertEquals("[redacted]", certificate.get("password").asText());
    assertEquals("-----BEGIN CERTIFICATE-----", certificate.get("certificate_chain").get("inline_string").asText());
    String yaml = EnvoyJson.toYaml(resources);
    assertFalse(yaml.contains("PRIVATE KEY") || yaml.contains("hunter2"), yaml);
  }

  @Test
  void typesForComingFeaturesAreInTheRegistry() {
    Listener listener = Listener.newBuilder().setName("tcp").addFilterChains(FilterChain.newBuilder().addFilters(
        Filter.newBuilder().setName("envoy.filters.network.tcp_proxy")
            .setTypedConfig(Any.pack(TcpProxy.newBuilder().setStatPrefix("tcp").setCluster("c").build())))).build();
    EnvoyResources resources = new EnvoyResources(ImmutableList.of(listener), ImmutableList.of(), ImmutableList.of(), ImmutableList.of(), ImmutableList.of());
    String yaml = EnvoyJson.toYaml(resources);
    assertTrue(yaml.contains("type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"), yaml);
  }

  @Test
  void emptyResourcesHaveEveryList() {
    assertEquals("{\"listeners\":[],\"routes\":[],\"clusters\":[],\"endpoints\":[],\"secrets\":[]}",
        EnvoyJson.toJson(EnvoyResources.EMPTY).toString());
  }
}
