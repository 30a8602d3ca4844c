package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;
import java.util.Optional;

/** What a request must look like: path, headers (pseudo-headers included) and query parameters. */
public record RouteMatch(
    StringMatcher path,
    boolean caseSensitive,
    ImmutableList<HeaderMatch> headers,
    ImmutableList<QueryParameterMatch> queryParameters) {

  /** A header condition; an empty {@code value} means the header must be present. */
  public record HeaderMatch(String name, Optional<StringMatcher> value, boolean invert) {}

  /** A query parameter condition; an empty {@code value} means the parameter must be present. */
  public record QueryParameterMatch(String name, Optional<StringMatcher> value) {}

  /** Prefix {@code /} (or regex {@code .*}) with no other condition: matches every request. */
  public boolean isCatchAll() {
    boolean anyPath = (path.kind() == StringMatcher.Kind.PREFIX && path.value().equals("/"))
        || (path.kind() == StringMatcher.Kind.REGEX && (path.value().equals(".*") || path.value().equals("*")));
    return anyPath && headers.isEmpty() && queryParameters.isEmpty();
  }
}
