package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;

/** Headers added to or removed from requests and responses, in the order Envoy applies them. */
public record HeaderMutations(
    ImmutableList<HeaderValue> requestToAdd,
    ImmutableList<String> requestToRemove,
    ImmutableList<HeaderValue> responseToAdd,
    ImmutableList<String> responseToRemove) {
  public static final HeaderMutations NONE = new HeaderMutations(ImmutableList.of(), ImmutableList.of(), ImmutableList.of(), ImmutableList.of());

  /** {@code append} false overwrites an existing header; true adds one more value. */
  public record HeaderValue(String name, String value, boolean append) {}

  public boolean isEmpty() {
    return equals(NONE);
  }
}
