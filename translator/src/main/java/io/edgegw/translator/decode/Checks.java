package io.edgegw.translator.decode;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/** The value checks several decoders share, each in one place with one wording of its error. */
public final class Checks {
  /** RFC 1123 label, as Kubernetes checks namespace and subset names: lower case, at most 63 characters. */
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  /** An HTTP header name: an RFC 7230 token. */
  private static final Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9a-zA-Z]+");

  private Checks() {}

  public static boolean isPort(int number) {
    return number >= 1 && number <= 65535;
  }

  /** Reports a present port outside 1..65535 on {@code field}; true when it did. */
  public static boolean outsidePortRange(Field field, OptionalInt port) {
    if (port.isPresent() && !isPort(port.getAsInt())) {
      field.error("port " + port.getAsInt() + " is outside 1..65535");
      return true;
    }
    return false;
  }

  public static boolean isDnsLabel(String name) {
    return DNS_LABEL.matcher(name).matches();
  }

  public static boolean isHeaderName(String name) {
    return HEADER_NAME.matcher(name).matches();
  }

  /** An optional Go-syntax duration of at least 1ms, as istiod validates them. */
  public static Optional<Duration> duration(Field field) {
    Optional<Duration> parsed = durationAllowingZero(field);
    if (parsed.isPresent() && parsed.get().compareTo(Duration.ofMillis(1)) < 0) {
      field.error("duration must be at least 1ms, got " + field.string(""));
      return Optional.empty();
    }
    return parsed;
  }

  /** An optional Go-syntax duration, zero allowed. */
  public static Optional<Duration> durationAllowingZero(Field field) {
    Optional<String> text = field.string();
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> parsed = GoDuration.parse(text.get());
    if (parsed.isEmpty()) {
      field.error("invalid duration " + text.get() + ": use e.g. 500ms, 10s, 1m");
    }
    return parsed;
  }
}
