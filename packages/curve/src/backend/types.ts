/**
 * The box backend: the per-connection and per-message cryptography of CurveZMQ, in
 * libsodium's terms.
 *
 * - `beforenm` is `crypto_box_beforenm`: X25519(secret, public), then HSalsa20 with a zero
 *   nonce, giving the 32-byte key every later box between those two keys is sealed with.
 * - `seal`/`open` are `crypto_box_easy_afternm`/`crypto_box_open_easy_afternm`, which are
 *   XSalsa20-Poly1305 secretbox under that key. The box is `MAC(16) || ciphertext`, the
 *   layout CurveZMQ puts on the wire, so a MESSAGE frame is sealed straight into the
 *   frame's own buffer (one allocation per frame).
 */

/** Names of the available backends. */
export type BoxBackendName = 'noble' | 'sodium';

/** Bytes of a box's authenticator (Poly1305 tag). */
export const MAC_BYTES = 16;
/** Bytes of an X25519 key and of a precomputed box key. */
export const KEY_BYTES = 32;
/** Bytes of a full nonce. */
export const NONCE_BYTES = 24;

/**
 * Boxes under one key whose nonces all start with the same 16 bytes: one direction of a
 * CurveZMQ session's MESSAGE boxes (prefix `CurveZMQMESSAGEC` or `…S`, then the 8-byte
 * short nonce). Whatever depends only on the key and the prefix is computed once (for
 * XSalsa20, the HSalsa20 subkey). Byte for byte the same boxes as {@link BoxBackend.seal}
 * and {@link BoxBackend.open} with that key and the full nonce.
 */
export interface MessageBoxes {
  /**
   * {@link BoxBackend.seal} with this key. `nonce` is the full 24-byte nonce; its first 16
   * bytes must be this object's prefix (only bytes 16-23 are read by backends that cache).
   */
  seal(out: Uint8Array, offset: number, plaintext: Uint8Array, nonce: Uint8Array): void;
  /** {@link BoxBackend.open} with this key; `nonce` as for {@link MessageBoxes.seal}. */
  open(out: Uint8Array, offset: number, box: Uint8Array, nonce: Uint8Array): boolean;
  /** Wipe what was derived from the key. */
  destroy(): void;
}

/** One implementation of the box primitives. */
export interface BoxBackend {
  /** Which implementation this is. */
  readonly name: BoxBackendName;
  /** `crypto_scalarmult_base`: the public key of a 32-byte secret key. */
  publicKey(secretKey: Uint8Array): Uint8Array;
  /**
   * `crypto_box_beforenm`: the precomputed key for boxes between `secretKey`'s owner and
   * `publicKey`'s owner. `undefined` when the shared point is degenerate (a low-order
   * public key), which libsodium refuses too.
   */
  beforenm(publicKey: Uint8Array, secretKey: Uint8Array): Uint8Array | undefined;
  /**
   * `crypto_box_easy_afternm`: writes `MAC || ciphertext` of `plaintext` to
   * `out[offset, offset + 16 + plaintext.length)`. `plaintext` may be exactly
   * `out.subarray(offset + 16, offset + 16 + length)` (sealing in place).
   */
  seal(out: Uint8Array, offset: number, plaintext: Uint8Array, nonce: Uint8Array, key: Uint8Array): void;
  /**
   * `crypto_box_open_easy_afternm`: checks the MAC of `box` (`MAC || ciphertext`) and
   * writes the plaintext to `out[offset, offset + box.length - 16)`. Returns false, having
   * written nothing, when the box is forged, tampered with or shorter than a MAC. `out`
   * may be exactly the ciphertext's place in `box` (opening in place).
   */
  open(out: Uint8Array, offset: number, box: Uint8Array, nonce: Uint8Array, key: Uint8Array): boolean;
  /**
   * Seal and open boxes under `key` whose nonces start with the 16-byte `prefix` (one
   * direction of MESSAGE boxes), caching what depends only on the two.
   */
  messageBoxes(key: Uint8Array, prefix: Uint8Array): MessageBoxes;
}
