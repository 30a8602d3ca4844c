package io.edgegw.translator.gatewayapi.status;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The condition reasons of the Gateway API specification that edgegw reports. A diagnostic about
 * one of these ends with the reason in parentheses ({@code ... (BackendNotFound)}), so that {@link
 * #in(String)} finds it again.
 */
public enum Reason {
  ACCEPTED("Accepted"),
  PROGRAMMED("Programmed"),
  RESOLVED_REFS("ResolvedRefs"),
  NO_CONFLICTS("NoConflicts"),
  INVALID("Invalid"),
  PENDING("Pending"),
  LISTENERS_NOT_VALID("ListenersNotValid"),
  UNSUPPORTED_PROTOCOL("UnsupportedProtocol"),
  PORT_UNAVAILABLE("PortUnavailable"),
  HOSTNAME_CONFLICT("HostnameConflict"),
  PROTOCOL_CONFLICT("ProtocolConflict"),
  INVALID_CERTIFICATE_REF("InvalidCertificateRef"),
  INVALID_ROUTE_KINDS("InvalidRouteKinds"),
  NOT_ALLOWED_BY_LISTENERS("NotAllowedByListeners"),
  NO_MATCHING_LISTENER_HOSTNAME("NoMatchingListenerHostname"),
  NO_MATCHING_PARENT("NoMatchingParent"),
  UNSUPPORTED_VALUE("UnsupportedValue"),
  BACKEND_NOT_FOUND("BackendNotFound"),
  REF_NOT_PERMITTED("RefNotPermitted"),
  INVALID_KIND("InvalidKind"),
  // BackendTLSPolicy (policy conditions). A diagnostic's "(Conflicted)" is not read as this reason: on
  // listeners and routes it names no condition (theirs are HostnameConflict and ProtocolConflict).
  CONFLICTED("Conflicted", false),
  NO_VALID_CA_CERTIFICATE("NoValidCACertificate"),
  INVALID_CA_CERTIFICATE_REF("InvalidCACertificateRef"),
  INVALID_CA_CERTIFICATE_KIND("InvalidCACertificateKind"),
  CONFIGURATION_CHANGED("ConfigurationChanged"),
  // A Gateway's own ResolvedRefs (spec.tls.backend.clientCertificateRef; a summary of its listeners').
  INVALID_CLIENT_CERTIFICATE_REF("InvalidClientCertificateRef"),
  LISTENERS_NOT_RESOLVED("ListenersNotResolved"),

  // A Gateway's spec.addresses and spec.infrastructure (GatewayAddresses).
  UNSUPPORTED_ADDRESS("UnsupportedAddress"),
  ADDRESS_NOT_USABLE("AddressNotUsable"),
  ADDRESS_NOT_ASSIGNED("AddressNotAssigned"),
  INVALID_PARAMETERS("InvalidParameters"),

  NOT_ALLOWED("NotAllowed"),
  PARENT_NOT_ACCEPTED("ParentNotAccepted");

  private static final Pattern IN_PARENTHESES = Pattern.compile("\\(([A-Z][A-Za-z]+)\\)");

  private final String wire;
  private final boolean inDiagnostics;

  Reason(String wire) {
    this(wire, true);
  }

  Reason(String wire, boolean inDiagnostics) {
    this.wire = wire;
    this.inDiagnostics = inDiagnostics;
  }

  /** As the specification spells it: {@code NotAllowedByListeners}. */
  public String wire() {
    return wire;
  }

  /** The last reason named in parentheses in a diagnostic's message, if any. */
  public static Optional<Reason> in(String message) {
    Optional<Reason> found = Optional.empty();
    Matcher m = IN_PARENTHESES.matcher(message);
    while (m.find()) {
      for (Reason r : values()) {
        if (r.inDiagnostics && r.wire.equals(m.group(1))) {
          found = Optional.of(r);
        }
      }
    }
    return found;
  }
}
