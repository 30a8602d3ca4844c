package io.edgegw.translator.istio;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import com.google.common.collect.ImmutableSortedMap;
import io.edgegw.translator.decode.Checks;
import io.edgegw.translator.decode.Field;
import io.edgegw.translator.istio.VirtualService.HeaderOperations;
import io.edgegw.translator.istio.VirtualService.Headers;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code headers.request|response.set|add|remove} of an http rule or a destination. Checks what
 * Envoy would refuse: pseudo-headers and {@code host} on requests, invalid names, stray {@code %}.
 */
final class HeadersDecoder {
  private static final ImmutableSet<String> HEADERS = ImmutableSet.of("request", "response");
  private static final ImmutableSet<String> OPERATIONS = ImmutableSet.of("set", "add", "remove");
  /** RFC 7230 token characters: what a header name may contain. */
  /** Envoy reads {@code %...%} in header values as a command; {@code %%} is a literal percent sign. */
  private static final Pattern COMMAND = Pattern.compile("%%|%([A-Z_0-9]+)(\\([^()%]*\\))?%");
  /** Envoy header value commands that are safe on a gateway route; an unknown one would make Envoy NACK. */
  private static final ImmutableSet<String> COMMANDS = ImmutableSet.of(
      "DOWNSTREAM_REMOTE_ADDRESS", "DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_REMOTE_PORT",
      "DOWNSTREAM_DIRECT_REMOTE_ADDRESS", "DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT",
      "DOWNSTREAM_LOCAL_ADDRESS", "DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT", "DOWNSTREAM_LOCAL_PORT",
      "UPSTREAM_REMOTE_ADDRESS", "HOSTNAME", "PROTOCOL", "REQUESTED_SERVER_NAME", "START_TIME", "REQ", "ENVIRONMENT");
  /** Commands that need an argument, e.g. {@code %REQ(x-user)%}; of the rest only START_TIME takes one. */
  private static final ImmutableSet<String> WITH_ARGUMENT = ImmutableSet.of("REQ", "ENVIRONMENT");

  /** Envoy's HeaderValue: key and value are at most 16384 bytes each (base.proto validation). */
  static final int MAX_HEADER_BYTES = 16384;

  Optional<Headers> headers(Field field) {
    if (!field.isObject()) {
      return Optional.empty();
    }
    field.allowOnly(HEADERS);
    return Optional.of(new Headers(operations(field.get("request"), true), operations(field.get("response"), false)));
  }

  private HeaderOperations operations(Field field, boolean request) {
    if (!field.isObject()) {
      return HeaderOperations.NONE;
    }
    field.allowOnly(OPERATIONS);
    ImmutableList.Builder<String> remove = ImmutableList.builder();
    for (Field item : field.get("remove").items()) {
      item.string().filter(name -> validName(item, name, request)).ifPresent(remove::add);
    }
    return new HeaderOperations(values(field.get("set"), request), values(field.get("add"), request), remove.build());
  }

  private ImmutableSortedMap<String, String> values(Field field, boolean request) {
    ImmutableSortedMap.Builder<String, String> out = ImmutableSortedMap.naturalOrder();
    field.entries().forEach((name, value) -> {
      Optional<String> text = value.string();
      if (validName(value, name, request) && text.isPresent() && validValue(value, text.get())) {
        out.put(name, text.get());
      }
    });
    return out.build();
  }

  private static boolean validName(Field field, String name, boolean request) {
    if (name.startsWith(":") || (request && name.equalsIgnoreCase("host"))) {
      field.error("header " + name + " cannot be changed by header operations"
          + (request ? "; use rewrite.authority to change the host" : ""));
      return false;
    }
    if (!Checks.isHeaderName(name)) {
      field.error("invalid header name " + name);
      return false;
    }
    if (name.length() > MAX_HEADER_BYTES) {
      field.error("header name is " + name.length() + " bytes, over Envoy's limit of " + MAX_HEADER_BYTES);
      return false;
    }
    return true;
  }

  private static boolean validValue(Field field, String value) {
    int bytes = value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    if (bytes > MAX_HEADER_BYTES) {
      field.error("header value is " + bytes + " bytes, over Envoy's limit of " + MAX_HEADER_BYTES);
      return false;
    }
    if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
      field.error("a header value cannot contain CR, LF or NUL");
      return false;
    }
    Matcher commands = COMMAND.matcher(value);
    StringBuilder rest = new StringBuilder();
    while (commands.find()) {
      String command = commands.group(1);
      if (command != null && !COMMANDS.contains(command)) {
        field.error("unsupported Envoy command %" + command + "%; write a literal % as %%");
        return false;
      }
      boolean argument = commands.group(2) != null && commands.group(2).length() > 2;
      if (command != null
          && (WITH_ARGUMENT.contains(command)
              ? !argument
              : argument && !command.equals("START_TIME"))) {
        field.error(
            "Envoy command %"
                + command
                + "% "
                + (argument
                    ? "takes no argument"
                    : "needs an argument, e.g. %" + command + "(name)%"));
        return false;
      }
      commands.appendReplacement(rest, "");
    }
    commands.appendTail(rest);
    if (rest.indexOf("%") >= 0) {
      field.error("a lone % in a header value: write a literal % as %%");
      return false;
    }
    return true;
  }
}
