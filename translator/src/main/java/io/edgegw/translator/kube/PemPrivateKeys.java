package io.edgegw.translator.kube;

import java.security.PrivateKey;
import java.util.Optional;

/**
 * Reads the first private key of PEM text: PKCS#8 ({@code PRIVATE KEY}), PKCS#1 RSA or SEC1 EC. The
 * one PEM key reader of the project, used for Secrets and for the MQTT client certificate; messages
 * never quote the text.
 */
public final class PemPrivateKeys {
  private static final String CONVERT = "convert it with openssl pkcs8 -topk8 -nocrypt";

  private PemPrivateKeys() {}

  /** @throws IllegalArgumentException saying what is wrong with the key, never quoting it */
  public static PrivateKey read(String pem) {
    Optional<Pem.Block> block = Pem.blocks(pem).stream().filter(b -> b.label().endsWith("PRIVATE KEY")).findFirst();
    if (block.isEmpty()) {
      throw new IllegalArgumentException("no PEM private key block (-----BEGIN ... PRIVATE KEY-----) found");
    }
    if (block.get().label().equals("ENCRYPTED PRIVATE KEY")) {
      throw new IllegalArgumentException("the key is encrypted; " + CONVERT.replace("convert it", "decrypt it"));
    }
    return PrivateKeys.parse(block.get()).orElseThrow(() -> new IllegalArgumentException(
        "PEM block " + block.get().label() + " is not a readable RSA or EC key; " + CONVERT));
  }
}
