package io.edgegw.translator.kube;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads the unencrypted PEM private keys Envoy accepts (PKCS#8, PKCS#1 RSA, SEC1 EC) and checks that
 * a key belongs to a certificate, so a mismatched Secret is rejected here instead of being NACKed by
 * Envoy. Nothing here ever puts key bytes into a message.
 */
final class PrivateKeys {
  private static final byte[] RSA_ALGORITHM = hex("300d06092a864886f70d0101010500"); // rsaEncryption, NULL
  private static final byte[] EC_PUBLIC_KEY_OID = hex("06072a8648ce3d0201"); // id-ecPublicKey
  private static final List<String> ALGORITHMS = List.of("RSA", "EC", "Ed25519", "Ed448");

  private PrivateKeys() {}

  /** The key of a PEM block, or empty when the block is not a key this class can read. */
  static Optional<PrivateKey> parse(Pem.Block block) {
    try {
      return switch (block.label()) {
        case "PRIVATE KEY" -> pkcs8(block.der());
        case "RSA PRIVATE KEY" ->
            pkcs8(sequence(concat(hex("020100"), RSA_ALGORITHM, octetString(block.der()))));
        case "EC PRIVATE KEY" ->
            ecCurve(block.der())
                .flatMap(
                    curve ->
                        pkcs8(
                            sequence(
                                concat(
                                    hex("020100"),
                                    sequence(concat(EC_PUBLIC_KEY_OID, curve)),
                                    octetString(block.der())))));
        default -> Optional.empty();
      };
    } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
      return Optional.empty(); // malformed DER
    }
  }

  /** Whether {@code key} signs what {@code certificate}'s public key verifies. */
  static boolean matches(PrivateKey key, X509Certificate certificate) {
    String algorithm = switch (key.getAlgorithm()) {
      case "RSA" -> "SHA256withRSA";
      case "EC" -> "SHA256withECDSA";
      default -> key.getAlgorithm(); // EdDSA names its own signature
    };
    byte[] probe = "edgegw key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certificate.getPublicKey());
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static Optional<PrivateKey> pkcs8(byte[] der) {
    for (String algorithm : ALGORITHMS) {
      try {
        return Optional.of(KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der)));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    return Optional.empty();
  }

  /** SEC1 ECPrivateKey: SEQUENCE { version, privateKey OCTET STRING, [0] curve OID, [1] public key }. */
  private static Optional<byte[]> ecCurve(byte[] der) {
    int[] seq = header(der, 0);
    int pos = seq[0];
    int end = seq[0] + seq[1];
    while (pos < end) {
      int[] h = header(der, pos);
      if ((der[pos] & 0xff) == 0xa0) {
        return Optional.of(Arrays.copyOfRange(der, h[0], h[0] + h[1]));
      }
      pos = h[0] + h[1];
    }
    return Optional.empty();
  }

  /** {content start, content length} of the DER element at {@code pos}. */
  private static int[] header(byte[] der, int pos) {
    int first = der[pos + 1] & 0xff;
    if (first < 0x80) {
      return new int[] {pos + 2, first};
    }
    int bytes = first & 0x7f;
    if (bytes > 3) {
      throw new IllegalArgumentException("DER length too long");
    }
    int length = 0;
    for (int i = 0; i < bytes; i++) {
      length = (length << 8) | (der[pos + 2 + i] & 0xff);
    }
    if (pos + 2 + bytes + length > der.length) {
      throw new IllegalArgumentException("DER element runs past the end");
    }
    return new int[] {pos + 2 + bytes, length};
  }

  private static byte[] sequence(byte[] content) {
    return element(0x30, content);
  }

  private static byte[] octetString(byte[] content) {
    return element(0x04, content);
  }

  private static byte[] element(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
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
      out.write(n & 0xff);
    } else {
      out.write(0x83);
      out.write(n >> 16);
      out.write((n >> 8) & 0xff);
      out.write(n & 0xff);
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  private static byte[] hex(String hex) {
    return java.util.HexFormat.of().parseHex(hex);
  }
}
