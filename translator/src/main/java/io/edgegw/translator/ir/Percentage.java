package io.edgegw.translator.ir;

/** A share of requests, 0..100. */
public record Percentage(double value) {
  public static final Percentage ALL = new Percentage(100);
}
