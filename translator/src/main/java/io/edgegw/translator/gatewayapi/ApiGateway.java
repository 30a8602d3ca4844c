package io.edgegw.translator.gatewayapi;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import io.edgegw.translator.kube.LabelSelector;
import io.edgegw.translator.model.Kind;
import io.edgegw.translator.model.ResourceKey;
import java.util.Optional;

/**
 * A Gateway API Gateway ({@code gateway.networking.k8s.io}), named so to keep it apart from Istio's
 * {@code istio.Gateway}. Its listeners of a known protocol are kept (also those not served yet, so a
 * route naming one is told why it cannot attach); others are reported when decoded.
 *
 * <p>The front end also gives each attached ListenerSet the shape of a Gateway of its parent's class:
 * {@code key} is then the ListenerSet's, {@code listeners} those of its listeners that are merged
 * (see {@link ListenerSets}), so everything keyed by a listener's owner (allowedRoutes Same, a
 * certificate's ReferenceGrant, a route's parentRef, status) follows the ListenerSet.
 *
 * @param allowedListeners {@code spec.allowedListeners}: which ListenerSets may attach
 * @param backendClientCertificate {@code spec.tls.backend.clientCertificateRef}: the certificate Envoy
 *     presents to the backends it speaks TLS to for this Gateway's routes (namespace defaulted)
 * @param infrastructure {@code spec.addresses} and {@code spec.infrastructure.parametersRef}
 */
public record ApiGateway(
    ResourceKey key,
    String created,
    String className,
    ImmutableList<Listener> listeners,
    AllowedListeners allowedListeners,
    FrontendTls frontendTls,
    Optional<CertificateRef> backendClientCertificate,
    Infrastructure infrastructure) {

  /** The field {@link #backendClientCertificate} is read from. */
  public static final String BACKEND_CLIENT_CERTIFICATE = "spec.tls.backend.clientCertificateRef";

  public ApiGateway(
      ResourceKey key,
      String created,
      String className,
      ImmutableList<Listener> listeners,
      AllowedListeners allowedListeners,
      FrontendTls frontendTls,
      Optional<CertificateRef> backendClientCertificate) {
    this(key, created, className, listeners, allowedListeners, frontendTls, backendClientCertificate,
        Infrastructure.NONE);
  }

  public ApiGateway(ResourceKey key, String created, String className, ImmutableList<Listener> listeners) {
    this(key, created, className, listeners, AllowedListeners.NONE, FrontendTls.NONE, Optional.empty());
  }

  public ApiGateway(
      ResourceKey key,
      String created,
      String className,
      ImmutableList<Listener> listeners,
      AllowedListeners allowedListeners) {
    this(key, created, className, listeners, allowedListeners, FrontendTls.NONE, Optional.empty());
  }

  /**
   * {@code spec.tls.frontend}: how HTTPS listeners verify client certificates, by default and per
   * port ({@code perPort} wins for its port).
   */
  public record FrontendTls(Optional<ClientValidation> byDefault, ImmutableMap<Integer, ClientValidation> perPort) {
    public static final FrontendTls NONE = new FrontendTls(Optional.empty(), ImmutableMap.of());

    /** The validation of the listeners on {@code port}, if any. */
    public Optional<ClientValidation> forPort(int port) {
      return perPort.containsKey(port) ? Optional.of(perPort.get(port)) : byDefault;
    }
  }

  /**
   * A {@code validation}: {@code field} its path, {@code caRefs} its {@code caCertificateRefs} (as
   * certificate references, namespace defaulted), {@code insecureFallback} for mode
   * AllowInsecureFallback (clients without a valid certificate are let through).
   */
  public record ClientValidation(String field, ImmutableList<CertificateRef> caRefs, boolean insecureFallback) {}

  /**
   * {@code spec.allowedListeners.namespaces}: {@code from} None (the default: no ListenerSet), Same,
   * All or Selector (then {@code selector} on the Namespace's labels).
   */
  public record AllowedListeners(ListenersFrom from, Optional<LabelSelector> selector) {
    public static final AllowedListeners NONE = new AllowedListeners(ListenersFrom.NONE, Optional.empty());
  }

  /** {@code allowedListeners.namespaces.from}. */
  public enum ListenersFrom {
    NONE,
    SAME,
    ALL,
    SELECTOR
  }

  /** A listener's protocol: HTTP and HTTPS carry HTTPRoutes and GRPCRoutes, TCP and TLS whole connections. */
  public enum Protocol {
    HTTP,
    HTTPS,
    TLS,
    TCP,
    UDP;

    /** The route kinds ({@code group/Kind}) a listener of this protocol can take. */
    public ImmutableSet<String> routeKinds() {
      return switch (this) {
        case HTTP, HTTPS -> ImmutableSet.of(HTTP_ROUTE, Kind.GatewayApi.GROUP + "/GRPCRoute");
        case TLS -> ImmutableSet.of(Kind.GatewayApi.GROUP + "/TLSRoute");
        case TCP -> ImmutableSet.of(Kind.GatewayApi.GROUP + "/TCPRoute");
        case UDP -> ImmutableSet.of(Kind.GatewayApi.GROUP + "/UDPRoute");
      };
    }

    /** Served by the front end (the others are reported and left out); TLS in mode Passthrough only. */
    public boolean served() {
      return this != UDP;
    }

    /** Proxied as whole connections (TCPRoute, TLSRoute passthrough) rather than as HTTP. */
    public boolean connections() {
      return this == TCP || this == TLS;
    }
  }

  public static final String HTTP_ROUTE = Kind.GatewayApi.GROUP + "/HTTPRoute";

  /** Where attached routes may come from ({@code allowedRoutes.namespaces.from}). */
  public enum From {
    SAME,
    ALL,
    SELECTOR
  }

  /**
   * A listener. {@code index} is its position in {@code spec.listeners} (for field paths); {@code
   * selector} is present for {@link From#SELECTOR}; {@code kinds} the route kinds ({@code
   * group/Kind}) it takes: those of {@code allowedRoutes.kinds} its protocol supports, or all its
   * protocol supports when none are listed; {@code certificateRefs} those of an HTTPS listener.
   */
  public record Listener(
      int index,
      String name,
      int port,
      Optional<String> hostname,
      Protocol protocol,
      From from,
      Optional<LabelSelector> selector,
      ImmutableSet<String> kinds,
      ImmutableList<CertificateRef> certificateRefs) {

    public String field() {
      return "spec.listeners[" + index + "]";
    }
  }

  /**
   * What a Gateway asks of the node it runs on: {@code spec.addresses} (checked against the node's by
   * {@link GatewayAddresses}) and {@code spec.infrastructure.parametersRef}, if any ({@code
   * group/Kind name}, for messages). {@code infrastructure.labels} and {@code annotations} are not
   * kept: they label generated Kubernetes objects, and an edge node generates none.
   */
  public record Infrastructure(ImmutableList<Address> addresses, Optional<String> parametersRef) {
    public static final Infrastructure NONE = new Infrastructure(ImmutableList.of(), Optional.empty());
  }

  /** {@code spec.addresses[index]}: {@code type} (IPAddress by default) and {@code value}, if given. */
  public record Address(int index, String type, Optional<String> value) {
    public static final String IP_ADDRESS = "IPAddress";

    public String field() {
      return "spec.addresses[" + index + "]";
    }
  }

  /** {@code tls.certificateRefs[index]}; {@code namespace} defaults to the Gateway's. */
  public record CertificateRef(int index, String group, String kind, String namespace, String name) {}
}
