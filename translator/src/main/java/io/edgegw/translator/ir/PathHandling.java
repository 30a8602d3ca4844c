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

  /** As istiod's HTTP connection manager for {@code meshConfig.pathNormalization}; every front end uses it. */
  public static PathHandling of(io.edgegw.translator.model.PathNormalization normalization) {
    return switch (normalization) {
      case NONE -> RAW;
      case BASE -> new PathHandling(true, false, false);
      case MERGE_SLASHES -> new PathHandling(true, true, false);
      case DECODE_AND_MERGE_SLASHES -> new PathHandling(true, true, true);
    };
  }
}
