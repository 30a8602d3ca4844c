package io.edgegw.translator.ir;

import com.google.common.collect.ImmutableList;

/** Headers added to or removed from requests and responses, in the order Envoy applies them. */
public record HeaderMutations(
    ImmutableList<HeaderValue> requestToAdd,
    ImmutableList<String> requestToRemove,
    ImmutableList<HeaderValue> responseToAdd,
    ImmutableList<String> responseToRemove) {
  public static final HeaderMutations NONE =
      new HeaderMutations(
          ImmutableList.of(), ImmutableList.of(), ImmutableList.of(), ImmutableList.of());

  /** {@code append} false overwrites an existing header; true adds one more value. */
  public record HeaderValue(String name, String value, boolean append) {}

  public boolean isEmpty() {
    return equals(NONE);
  }

  /** These, then {@code later}: where both set a header, {@code later}'s value is the one that stays. */
  public HeaderMutations followedBy(HeaderMutations later) {
    return new HeaderMutations(
        ImmutableList.<HeaderValue>builder()
            .addAll(requestToAdd)
            .addAll(later.requestToAdd)
            .build(),
        ImmutableList.<String>builder()
            .addAll(requestToRemove)
            .addAll(later.requestToRemove)
            .build()
            .stream()
            .distinct()
            .collect(ImmutableList.toImmutableList()),
        ImmutableList.<HeaderValue>builder()
            .addAll(responseToAdd)
            .addAll(later.responseToAdd)
            .build(),
        ImmutableList.<String>builder()
            .addAll(responseToRemove)
            .addAll(later.responseToRemove)
            .build()
            .stream()
            .distinct()
            .collect(ImmutableList.toImmutableList()));
  }
}
