package io.edgegw.translator.ir;

/** Exact, prefix or RE2 regex match on a string. */
public record StringMatcher(Kind kind, String value) {
  public enum Kind {
    EXACT,
    PREFIX,
    REGEX
  }

  public static StringMatcher prefix(String value) {
    return new StringMatcher(Kind.PREFIX, value);
  }
}
