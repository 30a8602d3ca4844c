package io.edgegw.mqtt;

/** The broker could not be reached, or refused a connect or publish; the message says which and why. */
public final class BrokerException extends RuntimeException {
  public BrokerException(String message, Throwable cause) {
    super(message, cause);
  }

  public BrokerException(String message) {
    super(message);
  }
}
