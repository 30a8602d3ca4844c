package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.net.InetAddresses;
import io.edgegw.translator.decode.Checks;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.model.Resource;
import java.util.OptionalInt;

/** Decodes and validates a WorkloadEntry spec. */
public final class WorkloadEntryDecoder {
  private static final ImmutableSet<String> SPEC = ImmutableSet.of(
      "address", "ports", "labels", "network", "locality", "weight", "serviceAccount");

  /** The entry, or null when it has no usable address (errors reported). */
  public WorkloadEntry decode(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return null;
    }
    spec.allowOnly(SPEC);
    // network, locality and serviceAccount describe mesh topology and identity; weight needs locality LB.
    spec.notSupported("weight");
    Field addressField = spec.get("address");
    String address = addressField.string("");
    if (!addressField.present() || address.isEmpty()) {
      // istiod allows an empty address only for workloads reached through a network gateway.
      addressField.error("required: a gateway reaches a workload only by its address");
    } else if (!InetAddresses.isInetAddress(address) && Hosts.invalidReason(address).isPresent()) {
      addressField.error("invalid address " + address + ": use an IP address or a DNS name");
    }
    ImmutableMap.Builder<String, Integer> ports = ImmutableMap.builder();
    spec.get("ports").entries().forEach((name, value) -> {
      OptionalInt port = value.integer();
      if (!Checks.outsidePortRange(value, port)) {
        port.ifPresent(p -> ports.put(name, p));
      }
    });
    if (problems.hasErrors()) {
      return null;
    }
    return new WorkloadEntry(resource.key(),
        new ServiceEntry.WorkloadEndpoint(address, ports.buildOrThrow(), spec.get("labels").stringMap()));
  }
}
