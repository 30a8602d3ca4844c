package io.edgegw.translator.ir;

/**
 * What an HTTP connection manager does to a request path before routing and forwarding it.
 *
 * @param normalize      resolve {@code .}/{@code ..} segments and decode unreserved %-escapes (RFC 3986)
 * @param mergeSlashes   merge runs of slashes into one
 * @param unescapeSlashes decode {@code %2F} and {@code %5C} before the rest; otherwise they are kept as they are
 */
public record PathHandling(boolean normalize, boolean mergeSlashes, boolean unescapeSlashes) {
  public static final PathHandling RAW = new PathHandling(false, false, false);
}
