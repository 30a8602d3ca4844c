package io.edgegw.translator.istio;

import io.edgegw.translator.model.Resource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * What each input decoded to in the previous translation, for an input that is the same instance (the
 * store keeps it until it changes). A translation meets its inputs in key order, as the previous one did,
 * and walks along the previous one's: an unchanged input costs a reference compare, where looking it up
 * cost two hash lookups and a put (10,000 VirtualServices, every change).
 *
 * <p>Not thread-safe: one translation at a time.
 */
public final class DecodeMemo {
  private Resource[] resources = {};
  private InputDecoder.Decoded[] decoded = {};
  /** How far the walk along the previous translation's inputs is. */
  private int at;
  private final List<Resource> nextResources = new ArrayList<>();
  private final List<InputDecoder.Decoded> nextDecoded = new ArrayList<>();

  /** Starts a translation (and drops what a failed one left half done). */
  void begin() {
    at = 0;
    nextResources.clear();
    nextDecoded.clear();
  }

  /**
   * The previous decode of {@code resource} when it is the same instance, else {@code decode}'s. Asked in
   * key order, as an InputSet iterates; out of order, inputs are merely decoded again.
   */
  InputDecoder.Decoded get(Resource resource, Function<Resource, InputDecoder.Decoded> decode) {
    InputDecoder.Decoded value = null;
    while (at < resources.length) {
      Resource was = resources[at];
      if (was == resource) {
        value = decoded[at++];
        break;
      }
      int order = was.key().compareTo(resource.key());
      if (order > 0) {
        break; // resource is new
      }
      at++; // was is gone, or (same key) replaced by resource
      if (order == 0) {
        break;
      }
    }
    if (value == null) {
      value = decode.apply(resource);
    }
    nextResources.add(resource);
    nextDecoded.add(value);
    return value;
  }

  /** Ends a translation: what it did not meet is dropped. */
  void endTranslation() {
    resources = nextResources.toArray(new Resource[0]);
    decoded = nextDecoded.toArray(new InputDecoder.Decoded[0]);
    begin();
  }
}
