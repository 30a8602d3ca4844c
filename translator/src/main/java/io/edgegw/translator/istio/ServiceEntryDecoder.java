package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import com.google.common.net.InetAddresses;
import io.edgegw.translator.decode.Checks;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.istio.ServiceEntry.Port;
import io.edgegw.translator.istio.ServiceEntry.Resolution;
import io.edgegw.translator.istio.ServiceEntry.WorkloadEndpoint;
import io.edgegw.translator.model.Resource;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** Decodes and validates a ServiceEntry spec. */
public final class ServiceEntryDecoder {
  private static final ImmutableSet<String> SPEC =
      ImmutableSet.of(
          "hosts",
          "addresses",
          "ports",
          "location",
          "resolution",
          "endpoints",
          "workloadSelector",
          "exportTo",
          "subjectAltNames");
  private static final ImmutableSet<String> PORT = ImmutableSet.of("number", "protocol", "name", "targetPort");
  private static final ImmutableSet<String> ENDPOINT = ImmutableSet.of(
      "address", "ports", "labels", "network", "locality", "weight", "serviceAccount");
  private static final ImmutableSet<String> LOCATIONS = ImmutableSet.of("MESH_EXTERNAL", "MESH_INTERNAL");

  public ServiceEntry decode(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    if (!spec.isObject()) {
      spec.error("required");
      return new ServiceEntry(
          resource.key(),
          resource.creationTimestamp(),
          ImmutableList.of(),
          ImmutableList.of(),
          Resolution.NONE,
          ImmutableList.of(),
          Optional.empty(),
          ExportTo.EVERYWHERE);
    }
    spec.allowOnly(SPEC);
    // addresses are VIPs for sidecar interception; a gateway routes by host, so they change nothing here.
    spec.notSupported("subjectAltNames");
    ExportTo exportTo = ExportTo.decode(spec.get("exportTo"));
    Optional<ImmutableSortedMap<String, String>> selector = workloadSelector(spec.get("workloadSelector"));
    if (selector.isPresent() && !spec.get("endpoints").isEmptyList()) {
      spec.get("workloadSelector").error("only one of workloadSelector and endpoints may be set");
    }
    Field location = spec.get("location");
    location.string().filter(l -> !LOCATIONS.contains(l))
        .ifPresent(l -> location.error("invalid location " + l + ", use MESH_EXTERNAL or MESH_INTERNAL"));
    Resolution resolution = resolution(spec.get("resolution"));
    ImmutableList<String> hosts = hosts(spec.get("hosts"));
    ImmutableList<Port> ports = ports(spec.get("ports"));
    Set<String> portNames = new HashSet<>();
    ports.forEach(p -> portNames.add(p.name()));
    ImmutableList<WorkloadEndpoint> endpoints = endpoints(spec.get("endpoints"), resolution, portNames);
    switch (resolution) {
      case STATIC -> {
        if (spec.get("endpoints").isEmptyList() && selector.isEmpty()) {
          spec.get("endpoints").error("endpoints (or a workloadSelector) are required with resolution STATIC");
        }
      }
      case DNS -> {
        if (endpoints.isEmpty()) {
          hosts.stream().filter(Hosts::isWildcard).findFirst().ifPresent(h ->
              spec.get("hosts").error("wildcard host " + h + " cannot be resolved by DNS; add endpoints"));
        }
      }
      case DNS_ROUND_ROBIN -> {
        if (endpoints.size() > 1) {
          spec.get("endpoints").error("resolution DNS_ROUND_ROBIN allows at most one endpoint");
        }
        if (endpoints.isEmpty()) {
          hosts.stream().filter(Hosts::isWildcard).findFirst().ifPresent(h ->
              spec.get("hosts").error("wildcard host " + h + " cannot be resolved by DNS; add an endpoint"));
        }
      }
      case NONE -> { }
    }
    return new ServiceEntry(resource.key(), resource.creationTimestamp(), hosts, ports, resolution, endpoints, selector,
        exportTo);
  }

  /** {@code workloadSelector.labels}: WorkloadEntries and Pods of this namespace become the endpoints. */
  private static Optional<ImmutableSortedMap<String, String>> workloadSelector(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(ImmutableSet.of("labels"));
    return Optional.of(field.get("labels").stringMap());
  }

  private static Resolution resolution(Field field) {
    Optional<String> text = field.string();
    if (text.isEmpty()) {
      return Resolution.NONE;
    }
    Optional<Resolution> found =
        Arrays.stream(Resolution.values()).filter(r -> r.name().equals(text.get())).findFirst();
    if (found.isEmpty()) {
      field.error("invalid resolution " + text.get() + ", use NONE, STATIC, DNS or DNS_ROUND_ROBIN");
      return Resolution.NONE;
    }
    return found.get();
  }

  private static ImmutableList<String> hosts(Field field) {
    ImmutableList<Field> items = field.items();
    if (field.isEmptyList()) {
      field.error("a ServiceEntry needs at least one host");
    }
    ImmutableList.Builder<String> out = ImmutableList.builder();
    for (Field item : items) {
      item.string().ifPresent(host -> {
        Optional<String> invalid = Hosts.invalidReason(host);
        if (host.equals("*")) {
          item.error("host '*' is not allowed in a ServiceEntry");
        } else if (invalid.isPresent()) {
          item.error(invalid.get());
        } else {
          out.add(host);
        }
      });
    }
    return out.build();
  }

  private static ImmutableList<Port> ports(Field field) {
    ImmutableList<Field> items = field.items();
    if (field.isEmptyList()) {
      field.error("a ServiceEntry needs at least one port");
    }
    ImmutableList.Builder<Port> out = ImmutableList.builder();
    Set<String> names = new HashSet<>();
    Set<Integer> numbers = new HashSet<>();
    for (Field item : items) {
      if (!item.isObject()) {
        continue;
      }
      item.allowOnly(PORT);
      OptionalInt number = validPort(item.get("number"), true);
      String name = item.get("name").string("");
      if (!Checks.isDnsLabel(name)) {
        item.get("name")
            .error(
                name.isEmpty()
                    ? "port name must be set"
                    : "invalid port name " + name + ": must be a DNS label");
      } else if (!names.add(name)) {
        item.get("name").error("duplicate port name " + name);
      }
      if (number.isPresent() && !numbers.add(number.getAsInt())) {
        item.get("number").error("duplicate port number " + number.getAsInt());
      }
      item.get("protocol").string().filter(p -> Protocol.parse(p).isEmpty())
          .ifPresent(p -> item.get("protocol").error("invalid protocol " + p));
      OptionalInt targetPort = validPort(item.get("targetPort"), false);
      if (number.isPresent()) {
        out.add(new Port(number.getAsInt(), name, targetPort));
      }
    }
    return out.build();
  }

  private static OptionalInt validPort(Field field, boolean required) {
    if (!field.present()) {
      if (required) {
        field.error("required");
      }
      return OptionalInt.empty();
    }
    OptionalInt port = field.integer();
    if (Checks.outsidePortRange(field, port)) {
      return OptionalInt.empty();
    }
    return port;
  }

  private static ImmutableList<WorkloadEndpoint> endpoints(Field field, Resolution resolution, Set<String> portNames) {
    ImmutableList.Builder<WorkloadEndpoint> out = ImmutableList.builder();
    for (Field item : field.items()) {
      if (!item.isObject()) {
        continue;
      }
      item.allowOnly(ENDPOINT);
      Field addressField = item.get("address");
      Optional<String> address = addressField.string();
      if (!addressField.present()) {
        addressField.error("required");
      } else if (address.isPresent()
          && resolution == Resolution.STATIC
          && !InetAddresses.isInetAddress(address.get())) {
        addressField.error("resolution STATIC needs an IP address, got " + address.get());
        address = Optional.empty();
      } else if (address.isPresent()
          && !InetAddresses.isInetAddress(address.get())
          && Hosts.invalidReason(address.get()).isPresent()) {
        addressField.error("invalid address " + address.get());
        address = Optional.empty();
      }
      ImmutableMap.Builder<String, Integer> ports = ImmutableMap.builder();
      item.get("ports").entries().forEach((name, value) -> {
        if (!portNames.contains(name)) {
          value.error("port name " + name + " is not a port of this ServiceEntry");
        }
        OptionalInt port = validPort(value, true);
        port.ifPresent(p -> ports.put(name, p));
      });
      ImmutableSortedMap<String, String> labels = item.get("labels").stringMap();
      address.ifPresent(a -> out.add(new WorkloadEndpoint(a, ports.buildOrThrow(), labels)));
    }
    return out.build();
  }
}
