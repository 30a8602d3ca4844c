package io.edgegw.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.model.NodePolicy;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How the sidecar's options become the node policy the translator applies. */
class SidecarConfigNodePolicyTest {
  private static final ImmutableSet<String> NODE = ImmutableSet.of("127.0.0.1", "10.0.0.5", "::1");

  @Test
  void aWildcardListenerAddressAllowsItselfAndTheNodesAddresses() {
    NodePolicy policy = SidecarConfig.builder(Path.of("s")).build().nodePolicy(NODE);
    assertEquals(ImmutableSet.of("0.0.0.0", "127.0.0.1", "10.0.0.5", "::1"), policy.listenAddresses());
    assertEquals(1024, policy.minListenPort());
    assertEquals(ImmutableSortedMap.of(1883, "the MQTT broker's port", 9901, "Envoy's admin port (--envoy-admin-port)",
        18000, "the sidecar's xDS port", 18001, "the sidecar's admin port"), policy.reservedPorts());
    assertEquals(NodePolicy.DEFAULT_DENIED_UPSTREAMS, policy.deniedUpstreams());
  }

  @Test
  void aSpecificListenerAddressIsTheOnlyOneAllowed() {
    NodePolicy policy = SidecarConfig.builder(Path.of("s")).listenerBindAddress("127.0.0.1").build().nodePolicy(NODE);
    assertEquals(ImmutableSet.of("127.0.0.1"), policy.listenAddresses());
    assertEquals(Optional.empty(), policy.listenAddressProblem("127.0.0.1"));
    assertEquals(true, policy.listenAddressProblem("0.0.0.0").isPresent(), "bind 0.0.0.0 no longer wins over 127.0.0.1");
  }

  @Test
  void aRemoteBrokerAndPortsChosenAtBindTimeAreNotReserved() {
    NodePolicy policy = SidecarConfig.builder(Path.of("s"))
        .mqttUrl(Optional.of("ssl://broker.example.com:8883"))
        .xdsAddress(new HostPort("127.0.0.1", 0))
        .build().nodePolicy(NODE);
    assertEquals(ImmutableSet.of(9901, 18001), policy.reservedPorts().keySet());
    NodePolicy local = SidecarConfig.builder(Path.of("s")).mqttUrl(Optional.of("ssl://10.0.0.5")).build().nodePolicy(NODE);
    assertEquals("the MQTT broker's port", local.reservedPorts().get(8883));
  }
}
