package io.edgegw.translator.model;

/** ERROR rejects the resource (or the part named); WARNING is reported and the rest applies. */
public enum Severity {
  ERROR,
  WARNING
}
