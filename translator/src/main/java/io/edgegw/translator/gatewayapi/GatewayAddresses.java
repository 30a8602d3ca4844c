package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;
import io.edgegw.translator.gatewayapi.status.Condition;
import io.edgegw.translator.gatewayapi.status.Reason;
import io.edgegw.translator.model.Diagnostic;
import io.edgegw.translator.model.GatewayIdentity;
import java.net.InetAddress;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * What a Gateway's {@code spec.addresses} and {@code spec.infrastructure.parametersRef} mean on one edge
 * node, which has its own addresses and generates no infrastructure. As Envoy Gateway (IPAddress only;
 * other types UnsupportedAddress, addresses it cannot satisfy AddressNotUsable), with the node in place
 * of the load balancer:
 *
 * <ul>
 *   <li>The node's addresses are the listener address ({@code --listener-address}) when it is one
 *       address, else (a wildcard) every interface address of the node.
 *   <li>Type {@code IPAddress} (the default) with one of those values is usable; without a value the
 *       node's addresses are assigned. Any other value is not usable: Programmed False
 *       AddressNotUsable (none known at all, as in offline translation: AddressNotAssigned).
 *   <li>Other types ({@code Hostname}, {@code NamedAddress}, domain-prefixed ones) are not supported:
 *       the node serves its IP addresses and manages no DNS names. Accepted False UnsupportedAddress.
 *   <li>A {@code parametersRef} cannot be resolved: edgegw reads no parameters kind. Accepted False
 *       InvalidParameters.
 * </ul>
 *
 * A Gateway refused so is not served at all (each problem is a WARNING on its field); one accepted
 * gets {@code status.addresses}: those asked for, else the node's (without loopback when it has
 * others).
 */
final class GatewayAddresses {
  private GatewayAddresses() {}

  /** Either a refusal (a Gateway condition, False) or the addresses the Gateway is served at. */
  record Verdict(Optional<Condition> refusal, ImmutableList<String> addresses) {}

  static Verdict check(ApiGateway gateway, GatewayIdentity identity, ImmutableList.Builder<Diagnostic> diagnostics) {
    ImmutableSet<String> node = nodeAddresses(identity);
    Optional<Condition> accepted = Optional.empty();
    Optional<Condition> programmed = Optional.empty();
    if (gateway.infrastructure().parametersRef().isPresent()) {
      String message = "parameters " + gateway.infrastructure().parametersRef().get()
          + " cannot be resolved: edgegw reads no parameters kind; this Gateway is not served (InvalidParameters)";
      diagnostics.add(Diagnostic.warning(gateway.key(), "spec.infrastructure.parametersRef", message));
      accepted = Optional.of(new Condition(Condition.ACCEPTED, false, Reason.INVALID_PARAMETERS,
          "spec.infrastructure.parametersRef: " + message));
    }
    Set<String> assigned = new LinkedHashSet<>();
    for (ApiGateway.Address address : gateway.infrastructure().addresses()) {
      String field;
      String message;
      Reason reason;
      if (!address.type().equals(ApiGateway.Address.IP_ADDRESS)) {
        field = address.field() + ".type";
        reason = Reason.UNSUPPORTED_ADDRESS;
        message = "address type " + address.type() + " is not supported: an edge node serves its own IP addresses "
            + "(type IPAddress) only; this Gateway is not served (UnsupportedAddress)";
      } else if (address.value().isEmpty()) {
        if (!node.isEmpty()) {
          assigned.addAll(served(node));
          continue;
        }
        field = address.field();
        reason = Reason.ADDRESS_NOT_ASSIGNED;
        message = "this node's addresses are not known (a wildcard --listener-address, and no interface "
            + "address read), so none can be assigned; this Gateway is not served (AddressNotAssigned)";
      } else if (InetAddresses.isInetAddress(address.value().get())
          && node.contains(canonical(address.value().get()))) {
        assigned.add(canonical(address.value().get()));
        continue;
      } else {
        field = address.field() + ".value";
        reason = Reason.ADDRESS_NOT_USABLE;
        String value = address.value().get();
        message = (InetAddresses.isInetAddress(value) ? "address " + value + " is not one of this node's "
            : value + " is not an IP address; this node's addresses are ")
            + node + "; this Gateway is not served (AddressNotUsable)";
      }
      diagnostics.add(Diagnostic.warning(gateway.key(), field, message));
      Condition condition = new Condition(
          reason == Reason.UNSUPPORTED_ADDRESS ? Condition.ACCEPTED : Condition.PROGRAMMED, false, reason,
          field + ": " + message);
      if (condition.type().equals(Condition.ACCEPTED)) {
        accepted = accepted.or(() -> Optional.of(condition));
      } else {
        programmed = programmed.or(() -> Optional.of(condition));
      }
    }
    Optional<Condition> refusal = accepted.isPresent() ? accepted : programmed;
    if (refusal.isPresent()) {
      return new Verdict(refusal, ImmutableList.of());
    }
    return new Verdict(Optional.empty(),
        ImmutableList.copyOf(gateway.infrastructure().addresses().isEmpty() ? served(node) : assigned));
  }

  /** The node's addresses: the listener address, or every interface address behind a wildcard one. */
  static ImmutableSet<String> nodeAddresses(GatewayIdentity identity) {
    String bind = identity.bindAddress();
    if (InetAddresses.isInetAddress(bind) && !InetAddresses.forString(bind).isAnyLocalAddress()) {
      return ImmutableSet.of(canonical(bind));
    }
    return identity.nodePolicy().nodeAddresses();
  }

  /** The addresses reported for the node: without loopback ones, unless there are no others. */
  private static ImmutableSet<String> served(ImmutableSet<String> node) {
    ImmutableSet<String> outside = node.stream()
        .filter(a -> !InetAddresses.isInetAddress(a) || !InetAddresses.forString(a).isLoopbackAddress())
        .collect(ImmutableSet.toImmutableSet());
    return outside.isEmpty() ? node : outside;
  }

  private static String canonical(String address) {
    InetAddress ip = InetAddresses.forString(address);
    return InetAddresses.toAddrString(ip);
  }
}
