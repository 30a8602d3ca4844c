package io.edgegw.translator.kube;

import com.google.common.collect.ImmutableList;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** PEM text as its blocks. Messages never quote the text: it may hold a private key. */
final class Pem {
  private static final Pattern BLOCK = Pattern.compile(
      "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END ([A-Z0-9 ]+)-----");

  /** One {@code -----BEGIN label-----} block and its decoded body. */
  record Block(String label, byte[] der) {
    @Override
    public String toString() {
      return "Block[" + label + "]";
    }
  }

  private Pem() {}

  /** Every block, in order; fails on a block whose body is not base64 or whose END label differs. */
  static ImmutableList<Block> blocks(String text) {
    ImmutableList.Builder<Block> out = ImmutableList.builder();
    Matcher m = BLOCK.matcher(text);
    while (m.find()) {
      if (!m.group(1).equals(m.group(3))) {
        throw new IllegalArgumentException("PEM block BEGIN " + m.group(1) + " ends with END " + m.group(3));
      }
      try {
        out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("PEM block " + m.group(1) + " is not valid base64");
      }
    }
    return out.build();
  }
}
