package io.edgegw.translator.model;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/** An IPv4 or IPv6 CIDR block such as {@code 127.0.0.0/8} or {@code fe80::/10}; a lone address is a /32 or /128. */
public record AddressRange(String text, byte[] network, int prefixLength) {
  public AddressRange {
    Objects.requireNonNull(text, "text");
    network = network.clone();
  }

  /** Parses {@code ADDRESS[/BITS]} without any DNS lookup; empty when it is not one. */
  public static Optional<AddressRange> parse(String text) {
    String trimmed = text.trim();
    int slash = trimmed.indexOf('/');
    String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
    if (!InetAddresses.isInetAddress(address)) {
      return Optional.empty();
    }
    byte[] bytes = InetAddresses.forString(address).getAddress();
    int bits = bytes.length * 8;
    if (slash >= 0) {
      try {
        bits = Integer.parseInt(trimmed.substring(slash + 1));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
      if (bits < 0 || bits > bytes.length * 8) {
        return Optional.empty();
      }
    }
    return Optional.of(new AddressRange(trimmed, bytes, bits));
  }

  public static AddressRange of(String text) {
    return parse(text).orElseThrow(() -> new IllegalArgumentException("not an address or CIDR block: " + text));
  }

  public boolean contains(InetAddress address) {
    byte[] candidate = address.getAddress();
    if (candidate.length != network.length) {
      return false;
    }
    for (int bit = 0; bit < prefixLength; bit++) {
      int mask = 0x80 >>> (bit % 8);
      if ((candidate[bit / 8] & mask) != (network[bit / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AddressRange r && r.prefixLength == prefixLength && java.util.Arrays.equals(r.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * java.util.Arrays.hashCode(network) + prefixLength;
  }

  @Override
  public byte[] network() {
    return network.clone();
  }

  @Override
  public String toString() {
    return text;
  }
}
