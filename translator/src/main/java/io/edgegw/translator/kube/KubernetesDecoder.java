package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.decode.Checks;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.decode.Problems;
import io.edgegw.translator.kube.Endpoints.Address;
import io.edgegw.translator.kube.Endpoints.EndpointPort;
import io.edgegw.translator.kube.Endpoints.Subset;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.Resource;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Decodes the Kubernetes core kinds the gateway needs. Unlike Istio specs, unknown fields are
 * ignored (these objects are often dumped whole from a cluster), but wrong types are still errors.
 */
public final class KubernetesDecoder {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
  private static final String NAME_LABEL = "kubernetes.io/metadata.name";

  public Service service(Resource resource, Problems problems) {
    Field spec = Field.root(resource.spec(), "spec", problems);
    ImmutableList.Builder<Service.ServicePort> ports = ImmutableList.builder();
    if (spec.isObject()) {
      for (Field item : spec.get("ports").items()) {
        if (!item.isObject()) {
          continue;
        }
        OptionalInt port = item.get("port").integer();
        if (!item.get("port").present()) {
          item.get("port").error("required");
        } else if (Checks.outsidePortRange(item.get("port"), port)) {
          continue;
        }
        Field target = item.get("targetPort");
        OptionalInt targetNumber = OptionalInt.empty();
        Optional<String> targetName = Optional.empty();
        if (target.isTextual()) {
          targetName = target.string();
        } else {
          targetNumber = target.integer();
        }
        String name = item.get("name").string("");
        if (port.isPresent()) {
          ports.add(
              new Service.ServicePort(
                  name, port.getAsInt(), targetNumber, targetName, item.get("appProtocol").string()));
        }
      }
    }
    return new Service(resource.key(), ports.build());
  }

  public Endpoints endpoints(Resource resource, Problems problems) {
    Field root = Field.root(resource.manifest(), "", problems);
    ImmutableList.Builder<Subset> subsets = ImmutableList.builder();
    for (Field subset : root.get("subsets").items()) {
      if (!subset.isObject()) {
        continue;
      }
      ImmutableList.Builder<Address> addresses = ImmutableList.builder();
      // notReadyAddresses are left out on purpose: they must not get traffic.
      for (Field address : subset.get("addresses").items()) {
        if (address.isObject()) {
          Optional<ResourceKey> pod = podRef(address.get("targetRef"), resource.key().namespace());
          address.get("ip").string().ifPresent(ip -> addresses.add(new Address(ip, pod)));
        }
      }
      subsets.add(new Subset(addresses.build(), ports(subset.get("ports"))));
    }
    return new Endpoints(resource.key(), resource.key().name(), subsets.build());
  }

  public Endpoints endpointSlice(Resource resource, Problems problems) {
    Field root = Field.root(resource.manifest(), "", problems);
    String service = resource.labels().getOrDefault(SERVICE_NAME_LABEL, "");
    if (service.isEmpty()) {
      root.get("metadata")
          .get("labels")
          .warning(
              "no "
                  + SERVICE_NAME_LABEL
                  + " label: this EndpointSlice belongs to no Service and is ignored");
    }
    root.get("addressType").string().filter(t -> t.equals("FQDN"))
        .ifPresent(t -> root.get("addressType").warning("addressType FQDN is not supported yet; slice ignored"));
    boolean fqdn = root.get("addressType").string("").equals("FQDN");
    ImmutableList<EndpointPort> ports = ports(root.get("ports"));
    ImmutableList.Builder<Address> addresses = ImmutableList.builder();
    for (Field endpoint : root.get("endpoints").items()) {
      if (!endpoint.isObject()) {
        continue;
      }
      // Kubernetes: a missing ready condition means ready.
      if (!endpoint.get("conditions").get("ready").bool(true)) {
        continue;
      }
      Optional<ResourceKey> pod = podRef(endpoint.get("targetRef"), resource.key().namespace());
      endpoint.get("addresses").strings().forEach(ip -> addresses.add(new Address(ip, pod)));
    }
    ImmutableList<Subset> subsets =
        fqdn || service.isEmpty()
            ? ImmutableList.of()
            : ImmutableList.of(new Subset(addresses.build(), ports));
    return new Endpoints(resource.key(), service, subsets);
  }

  /**
   * A Pod for its labels: Kubernetes Pods in the mesh and on edge nodes alike carry the labels that
   * DestinationRule subsets select. Only labels and IPs matter here.
   */
  public Pod pod(Resource resource, Problems problems) {
    Field root = Field.root(resource.manifest(), "", problems);
    ImmutableList.Builder<String> ips = ImmutableList.builder();
    root.get("status").get("podIP").string().filter(ip -> !ip.isEmpty()).ifPresent(ips::add);
    for (Field ip : root.get("status").get("podIPs").items()) {
      if (ip.isObject()) {
        ip.get("ip").string().filter(s -> !s.isEmpty()).ifPresent(ips::add);
      }
    }
    return new Pod(resource.key(), root.get("metadata").get("labels").stringMap(),
        ips.build().stream().distinct().collect(ImmutableList.toImmutableList()));
  }

  /**
   * A Namespace: its labels, and the one Kubernetes sets itself ({@code kubernetes.io/metadata.name}),
   * which selectors often use, even when a published manifest lacks it.
   */
  public Namespace namespace(Resource resource, Problems problems) {
    Field root = Field.root(resource.manifest(), "", problems);
    ImmutableSortedMap<String, String> labels = root.get("metadata").get("labels").stringMap();
    if (!labels.containsKey(NAME_LABEL)) {
      labels =
          ImmutableSortedMap.<String, String>naturalOrder()
              .putAll(labels)
              .put(NAME_LABEL, resource.key().name())
              .build();
    }
    return new Namespace(resource.key(), labels);
  }

  /**
   * A ConfigMap: only its {@code ca.crt}, checked to be PEM certificates Envoy can load. A ConfigMap
   * without one is no error (it may serve something else); a reference to it says why it is no CA.
   */
  public ConfigMap configMap(Resource resource, Problems problems) {
    Field data = Field.root(resource.manifest(), "", problems).get("data");
    Optional<String> pem = data.isObject() ? data.get(ConfigMap.CA_KEY).string() : Optional.empty();
    if (pem.isEmpty() || pem.get().isBlank()) {
      return new ConfigMap(resource.key(), Optional.empty(), Optional.of("has no " + ConfigMap.CA_KEY));
    }
    Optional<String> problem = caProblem(pem.get());
    return new ConfigMap(resource.key(), problem.isEmpty() ? pem : Optional.empty(), problem);
  }

  private static Optional<String> caProblem(String pem) {
    ImmutableList<Pem.Block> certificates;
    try {
      certificates = Pem.blocks(pem).stream().filter(b -> b.label().equals("CERTIFICATE"))
          .collect(ImmutableList.toImmutableList());
    } catch (IllegalArgumentException e) {
      return Optional.of(ConfigMap.CA_KEY + " is not PEM: " + e.getMessage());
    }
    if (certificates.isEmpty()) {
      return Optional.of(ConfigMap.CA_KEY + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    try {
      java.security.cert.CertificateFactory factory = java.security.cert.CertificateFactory.getInstance("X.509");
      for (Pem.Block b : certificates) {
        factory.generateCertificate(new java.io.ByteArrayInputStream(b.der()));
      }
    } catch (java.security.cert.CertificateException e) {
      return Optional.of("a certificate in " + ConfigMap.CA_KEY + " cannot be parsed: " + e.getMessage());
    }
    return Optional.empty();
  }

  /** {@code targetRef} naming a Pod; the namespace defaults to the referring object's. */
  private static Optional<ResourceKey> podRef(Field ref, String namespace) {
    if (!ref.isObject() || !ref.get("kind").string("").equals("Pod")) {
      return Optional.empty();
    }
    return ref.get("name").string().filter(n -> !n.isEmpty())
        .map(name -> ResourceKey.of(Kind.POD, ref.get("namespace").string(namespace), name));
  }

  private static ImmutableList<EndpointPort> ports(Field field) {
    ImmutableList.Builder<EndpointPort> out = ImmutableList.builder();
    for (Field port : field.items()) {
      if (!port.isObject()) {
        continue;
      }
      OptionalInt number = port.get("port").integer();
      if (number.isPresent()) {
        out.add(new EndpointPort(port.get("name").string(""), number.getAsInt()));
      }
    }
    return out.build();
  }
}
