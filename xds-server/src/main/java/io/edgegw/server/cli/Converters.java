package io.edgegw.server.cli;

import com.google.common.collect.ImmutableMap;
import io.edgegw.server.HostPort;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;

/** picocli conversions for the option formats the commands share. */
final class Converters {
  private Converters() {}

  /** {@code 127.0.0.1:18000}, {@code [::1]:0}. */
  static final class HostPortConverter implements ITypeConverter<HostPort> {
    @Override
    public HostPort convert(String value) {
      try {
        return HostPort.parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }

  /** A {@code --port-map} as parsed by picocli, checked to hold real ports. */
  static ImmutableMap<Integer, Integer> ports(Map<Integer, Integer> portMap) {
    for (Map.Entry<Integer, Integer> e : portMap.entrySet()) {
      if (e.getKey() < 1 || e.getKey() > 65535 || e.getValue() < 1 || e.getValue() > 65535) {
        throw new IllegalArgumentException(
            "--port-map: ports must be 1..65535, got " + e.getKey() + "=" + e.getValue());
      }
    }
    return ImmutableMap.copyOf(portMap);
  }
}
