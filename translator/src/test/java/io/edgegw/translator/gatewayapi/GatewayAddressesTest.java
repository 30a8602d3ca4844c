package io.edgegw.translator.gatewayapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.gatewayapi.status.Condition;
import io.edgegw.translator.gatewayapi.status.Reason;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.NodePolicy;
import io.edgegw.translator.model.PathNormalization;
import io.edgegw.translator.model.ResourceKey;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A Gateway's {@code spec.addresses} against the node's addresses behind a wildcard listener address,
 * and with none known (offline); the specific listener address case is the IR golden {@code
 * gwapi-addresses}.
 */
class GatewayAddressesTest {
  private static final GatewayIdentity WILDCARD = identity("0.0.0.0", "127.0.0.1", "10.0.0.5", "fd00::5");
  private static final GatewayIdentity OFFLINE = GatewayIdentity.of(ImmutableMap.of());

  @Test
  void withoutAddressesAWildcardNodeReportsItsInterfaceAddressesButNotLoopback() {
    GatewayAddresses.Verdict v = check(WILDCARD);
    assertEquals(Optional.empty(), v.refusal());
    assertEquals(List.of(), diagnostics.build());
    assertEquals(List.of("10.0.0.5", "fd00::5"), v.addresses());
  }

  @Test
  void anyInterfaceAddressOfAWildcardNodeIsUsableInAnySpelling() {
    GatewayAddresses.Verdict v = check(WILDCARD, address("IPAddress", "fd00:0::5"), address("IPAddress", "127.0.0.1"));
    assertEquals(Optional.empty(), v.refusal());
    assertEquals(List.of("fd00::5", "127.0.0.1"), v.addresses());
  }

  @Test
  void anEmptyValueIsAssignedTheNodesAddressesOnce() {
    GatewayAddresses.Verdict v = check(WILDCARD, address("IPAddress", null), address("IPAddress", "10.0.0.5"));
    assertEquals(List.of("10.0.0.5", "fd00::5"), v.addresses());
  }

  @Test
  void anUnsupportedTypeWinsOverAnUnusableAddress() {
    GatewayAddresses.Verdict v = check(WILDCARD, address("IPAddress", "10.9.9.9"), address("Hostname", "gw.example"));
    assertEquals(Optional.of(Reason.UNSUPPORTED_ADDRESS), v.refusal().map(Condition::reason));
    assertEquals(Optional.of(Condition.ACCEPTED), v.refusal().map(Condition::type));
    assertEquals(List.of(), v.addresses());
    // Each problem is told, on its own field.
    List<String> told = diagnostics.build().stream().map(d -> d.field() + ": " + d.message()).toList();
    assertEquals(2, told.size(), told.toString());
    assertTrue(told.get(0).startsWith("spec.addresses[0].value: ") && told.get(0).endsWith("(AddressNotUsable)"),
        told.get(0));
    assertTrue(told.get(1).startsWith("spec.addresses[1].type: ") && told.get(1).endsWith("(UnsupportedAddress)"),
        told.get(1));
  }

  @Test
  void anAddressNotOnTheNodeIsNotUsable() {
    GatewayAddresses.Verdict v = check(WILDCARD, address("IPAddress", "10.9.9.9"));
    assertEquals(Optional.of(Reason.ADDRESS_NOT_USABLE), v.refusal().map(Condition::reason));
    assertEquals(Optional.of(Condition.PROGRAMMED), v.refusal().map(Condition::type));
    String message = v.refusal().get().message();
    assertTrue(message.contains("10.9.9.9") && message.contains("[127.0.0.1, 10.0.0.5, fd00::5]"), message);
  }

  @Test
  void offlineNoAddressIsKnownSoAnEmptyValueCannotBeAssigned() {
    assertEquals(Optional.empty(), check(OFFLINE).refusal());
    assertEquals(List.of(), check(OFFLINE).addresses());
    assertEquals(Optional.of(Reason.ADDRESS_NOT_ASSIGNED),
        check(OFFLINE, address("IPAddress", null)).refusal().map(Condition::reason));
    assertEquals(Optional.of(Reason.ADDRESS_NOT_USABLE),
        check(OFFLINE, address("IPAddress", "10.0.0.5")).refusal().map(Condition::reason));
  }

  private int next;

  private ApiGateway.Address address(String type, String value) {
    return new ApiGateway.Address(next++, type, Optional.ofNullable(value));
  }

  private final ImmutableList.Builder<Diagnostic> diagnostics = ImmutableList.builder();

  private GatewayAddresses.Verdict check(GatewayIdentity identity, ApiGateway.Address... addresses) {
    ApiGateway gateway = new ApiGateway(ResourceKey.of(Kind.K8S_GATEWAY, "infra", "gw"), "", "edgegw",
        ImmutableList.of(), ApiGateway.AllowedListeners.NONE, ApiGateway.FrontendTls.NONE, Optional.empty(),
        new ApiGateway.Infrastructure(ImmutableList.copyOf(addresses), Optional.empty()));
    return GatewayAddresses.check(gateway, identity, diagnostics);
  }

  private static GatewayIdentity identity(String bind, String... nodeAddresses) {
    NodePolicy policy = new NodePolicy(ImmutableSet.of(), 1, 65535, ImmutableSortedMap.of(), ImmutableList.of(),
        ImmutableList.of(), ImmutableSet.copyOf(nodeAddresses));
    return new GatewayIdentity(ImmutableMap.of(), "cluster.local", bind, ImmutableMap.of(), policy,
        PathNormalization.BASE, GatewayIdentity.DEFAULT_NAMESPACE);
  }
}
