package io.edgegw.translator.model;

/**
 * How request paths are normalised before routing, as Istio's {@code meshConfig.pathNormalization.normalization}
 * (istiod's default is BASE). Routes match the normalised path and the backend receives it, so a path
 * such as {@code /app/../secret} is routed as {@code /secret}, never to the {@code /app} backend.
 */
public enum PathNormalization {
  /** Paths are routed and forwarded as the client sent them. Only for backends that need raw paths. */
  NONE,
  /** RFC 3986 normalisation: {@code .} and {@code ..} segments resolved, unreserved %-escapes decoded. */
  BASE,
  /** BASE, and runs of slashes merged into one. */
  MERGE_SLASHES,
  /** MERGE_SLASHES, and escaped slashes ({@code %2F}, {@code %5C}) decoded first. */
  DECODE_AND_MERGE_SLASHES
}
