package io.edgegw.translator.ir;

import java.time.Duration;
import java.util.Optional;

/** What a consistent-hash route hashes on; {@code name} is the header, cookie or query parameter. */
public record HashPolicy(Kind kind, String name, Optional<String> cookiePath, Optional<Duration> cookieTtl) {
  public enum Kind {
    HEADER,
    COOKIE,
    SOURCE_IP,
    QUERY_PARAMETER
  }
}
