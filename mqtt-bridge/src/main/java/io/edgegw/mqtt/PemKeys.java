package io.edgegw.mqtt;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads an unencrypted PEM private key: PKCS#8 ({@code BEGIN PRIVATE KEY}), PKCS#1 RSA
 * ({@code BEGIN RSA PRIVATE KEY}) or SEC1 EC ({@code BEGIN EC PRIVATE KEY}). The latter two are
 * wrapped into PKCS#8, the only encoding the JDK reads. Error messages never include key bytes.
 */
final class PemKeys {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ((?:[A-Z0-9]+ )*PRIVATE KEY)-----([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
  private static final byte[] RSA_ENCRYPTION_OID = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
      (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01};
  private static final byte[] EC_PUBLIC_KEY_OID = {0x06, 0x07, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
  private static final byte[] DER_NULL = {0x05, 0x00};
  private static final byte[] VERSION_0 = {0x02, 0x01, 0x00};

  private PemKeys() {}

  /** @throws IllegalArgumentException saying what is wrong with the key, never quoting it */
  static PrivateKey read(String pem) {
    Matcher block = BLOCK.matcher(pem);
    if (!block.find()) {
      throw new IllegalArgumentException("no PEM private key block (-----BEGIN ... PRIVATE KEY-----) found");
    }
    String type = block.group(1);
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(block.group(2).getBytes(StandardCharsets.US_ASCII));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PEM block " + type + " is not valid base64");
    }
    try {
      return switch (type) {
        case "PRIVATE KEY" -> pkcs8(der, List.of("RSA", "EC", "Ed25519", "Ed448"));
        case "RSA PRIVATE KEY" -> pkcs8(wrap(sequence(RSA_ENCRYPTION_OID, DER_NULL), der), List.of("RSA"));
        case "EC PRIVATE KEY" -> pkcs8(wrap(sequence(EC_PUBLIC_KEY_OID, curveOf(der)), der), List.of("EC"));
        case "ENCRYPTED PRIVATE KEY" -> throw new IllegalArgumentException(
            "the key is encrypted; decrypt it with openssl pkcs8 -topk8 -nocrypt");
        default -> throw new IllegalArgumentException("unsupported PEM block " + type
            + " (use BEGIN PRIVATE KEY; convert with openssl pkcs8 -topk8 -nocrypt)");
      };
    } finally {
      Arrays.fill(der, (byte) 0);
    }
  }

  private static PrivateKey pkcs8(byte[] der, List<String> algorithms) {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : algorithms) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException | RuntimeException notThisOne) {
        // try the next algorithm
      }
    }
    throw new IllegalArgumentException("not a readable " + String.join("/", algorithms) + " private key");
  }

  /** PKCS#8 PrivateKeyInfo: SEQUENCE { version 0, AlgorithmIdentifier, OCTET STRING key }. */
  private static byte[] wrap(byte[] algorithm, byte[] key) {
    return tlv(0x30, concat(VERSION_0, algorithm, tlv(0x04, key)));
  }

  private static byte[] sequence(byte[]... parts) {
    return tlv(0x30, concat(parts));
  }

  /** The named-curve OID in SEC1's {@code [0] parameters}; openssl always writes it. */
  private static byte[] curveOf(byte[] sec1) {
    int[] outer = header(sec1, 0, 0x30);
    int at = outer[0];
    int end = outer[0] + outer[1];
    while (at < end) {
      int tag = sec1[at] & 0xff;
      int[] field = header(sec1, at, tag);
      if (tag == 0xa0) {
        int[] oid = header(sec1, field[0], 0x06);
        return Arrays.copyOfRange(sec1, field[0], oid[0] + oid[1]);
      }
      at = field[0] + field[1];
    }
    throw new IllegalArgumentException("EC PRIVATE KEY names no curve; convert it with openssl pkcs8 -topk8 -nocrypt");
  }

  /** Reads the tag and length at {@code at}: returns {start of content, content length}. */
  private static int[] header(byte[] der, int at, int expectedTag) {
    if (at + 2 > der.length || (der[at] & 0xff) != expectedTag) {
      throw new IllegalArgumentException("malformed DER in the private key");
    }
    int length = der[at + 1] & 0xff;
    int start = at + 2;
    if (length > 0x80) {
      int bytes = length - 0x80;
      if (bytes > 3 || start + bytes > der.length) {
        throw new IllegalArgumentException("malformed DER in the private key");
      }
      length = 0;
      for (int i = 0; i < bytes; i++) {
        length = (length << 8) | (der[start + i] & 0xff);
      }
      start += bytes;
    } else if (length == 0x80) {
      throw new IllegalArgumentException("malformed DER in the private key");
    }
    if (start + length > der.length) {
      throw new IllegalArgumentException("malformed DER in the private key");
    }
    return new int[] {start, length};
  }

  private static byte[] tlv(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else if (n < 0x100) {
      out.write(0x81);
      out.write(n);
    } else if (n < 0x10000) {
      out.write(0x82);
      out.write(n >> 8);
      out.write(n);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write(n >> 8);
      out.write(n);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
