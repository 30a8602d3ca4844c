package io.edgegw.server.cli;

import com.google.common.base.Splitter;
import com.google.common.collect.ImmutableMap;
import io.edgegw.server.HostPort;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;

/** picocli converters for the option formats the commands share. */
final class Converters {
  private Converters() {}

  /** {@code 127.0.0.1:18000}. */
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

  /** {@code istio=edgegateway,app=gw}. */
  static final class LabelsConverter implements ITypeConverter<ImmutableMap<String, String>> {
    @Override
    public ImmutableMap<String, String> convert(String value) {
      ImmutableMap.Builder<String, String> labels = ImmutableMap.builder();
      for (Map.Entry<String, String> e : pairs(value).entrySet()) {
        if (e.getKey().isEmpty()) {
          throw new CommandLine.TypeConversionException("empty label name in '" + value + "'");
        }
        labels.put(e.getKey(), e.getValue());
      }
      return labels.buildKeepingLast();
    }
  }

  /** {@code 80=8080,443=8443}: Gateway server port = port Envoy binds. */
  static final class PortMapConverter implements ITypeConverter<ImmutableMap<Integer, Integer>> {
    @Override
    public ImmutableMap<Integer, Integer> convert(String value) {
      ImmutableMap.Builder<Integer, Integer> ports = ImmutableMap.builder();
      for (Map.Entry<String, String> e : pairs(value).entrySet()) {
        ports.put(port(e.getKey(), value), port(e.getValue(), value));
      }
      return ports.buildKeepingLast();
    }

    private static int port(String text, String whole) {
      try {
        int port = Integer.parseInt(text.trim());
        if (port >= 1 && port <= 65535) {
          return port;
        }
      } catch (NumberFormatException e) {
        // reported below
      }
      throw new CommandLine.TypeConversionException("expected PORT=PORT pairs of 1..65535 in '" + whole + "'");
    }
  }

  private static Map<String, String> pairs(String value) {
    if (value.isBlank()) {
      return ImmutableMap.of();
    }
    try {
      return Splitter.on(',').trimResults().omitEmptyStrings().withKeyValueSeparator('=').split(value);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.TypeConversionException("expected KEY=VALUE pairs separated by ',' in '" + value + "'");
    }
  }
}
