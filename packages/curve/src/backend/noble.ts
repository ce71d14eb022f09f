/**
 * The pure-JavaScript box backend on `@noble/curves` (X25519) and `@noble/ciphers`
 * (HSalsa20, Salsa20, Poly1305); always available.
 *
 * XSalsa20-Poly1305 is built from its parts rather than through noble's
 * `xsalsa20poly1305`, whose output needs 32 bytes of scratch in front of the box: here
 * the box is written exactly where the caller wants it (after a frame header) and the
 * plaintext may already sit in place. NaCl's construction: subkey = HSalsa20(key,
 * nonce[0..16]); keystream = Salsa20(subkey, nonce[16..24]); its first 32 bytes are the
 * one-time Poly1305 key, the rest encrypts; the tag covers the ciphertext.
 */
import { poly1305 } from '@noble/ciphers/_poly1305.js';
import { hsalsa, salsa20 } from '@noble/ciphers/salsa.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { wipe } from '../random.js';
import { type BoxBackend, MAC_BYTES } from './types.js';

/** "expand 32-byte k" as little-endian words. */
const SIGMA = new Uint32Array(new Uint8Array(Buffer.from('expand 32-byte k', 'latin1')).buffer);
const ZERO_NONCE16 = new Uint8Array(16);
const ZERO_BLOCK = new Uint8Array(64);

/** Word view of a copy of `bytes` (aligned, so it works whatever the input's offset). */
function words(bytes: Uint8Array, count: number): Uint32Array {
  const w = new Uint32Array(count);
  new Uint8Array(w.buffer).set(bytes.subarray(0, count * 4));
  return w;
}

/** HSalsa20(key, 16-byte input): the 32-byte derived key (crypto_core_hsalsa20). */
export function hsalsa20(key: Uint8Array, input: Uint8Array): Uint8Array {
  const k = words(key, 8);
  const i = words(input, 4);
  const out = new Uint32Array(8);
  hsalsa(SIGMA, k, i, out);
  wipe(new Uint8Array(k.buffer));
  return new Uint8Array(out.buffer);
}

/** Keystream block 0 (Poly1305 key in bytes 0-31) and the XSalsa20 subkey for `nonce`. */
function start(nonce: Uint8Array, key: Uint8Array): { subkey: Uint8Array; n8: Uint8Array; block0: Uint8Array } {
  const subkey = hsalsa20(key, nonce.subarray(0, 16));
  const n8 = nonce.subarray(16, 24);
  const block0 = salsa20(subkey, n8, ZERO_BLOCK);
  return { subkey, n8, block0 };
}

/** XOR `data` in place with the keystream from byte 32 on (bytes 0-31 of block 0 are the MAC key). */
function xorStream(data: Uint8Array, subkey: Uint8Array, n8: Uint8Array, block0: Uint8Array): void {
  const head = Math.min(32, data.length);
  for (let i = 0; i < head; i++) data[i]! ^= block0[32 + i]!;
  if (data.length > 32) {
    const rest = data.subarray(32);
    salsa20(subkey, n8, rest, rest, 1);
  }
}

/** Constant-time comparison of two 16-byte tags. */
function sameTag(a: Uint8Array, b: Uint8Array): boolean {
  let diff = 0;
  for (let i = 0; i < MAC_BYTES; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function sameRegion(a: Uint8Array, b: Uint8Array): boolean {
  return a.buffer === b.buffer && a.byteOffset === b.byteOffset && a.length === b.length;
}

/** The noble backend. */
export const nobleBackend: BoxBackend = {
  name: 'noble',

  publicKey(secretKey) {
    return x25519.getPublicKey(secretKey);
  },

  beforenm(publicKey, secretKey) {
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(secretKey, publicKey);
    } catch {
      return undefined; // all-zero shared point: a low-order public key
    }
    const key = hsalsa20(shared, ZERO_NONCE16);
    wipe(shared);
    return key;
  },

  seal(out, offset, plaintext, nonce, key) {
    const c = out.subarray(offset + MAC_BYTES, offset + MAC_BYTES + plaintext.length);
    if (!sameRegion(c, plaintext)) c.set(plaintext);
    const { subkey, n8, block0 } = start(nonce, key);
    xorStream(c, subkey, n8, block0);
    const tag = poly1305(c, block0.subarray(0, 32));
    out.set(tag, offset);
    wipe(subkey, block0);
  },

  open(out, offset, box, nonce, key) {
    if (box.length < MAC_BYTES) return false;
    const ciphertext = box.subarray(MAC_BYTES);
    const { subkey, n8, block0 } = start(nonce, key);
    const tag = poly1305(ciphertext, block0.subarray(0, 32));
    if (!sameTag(tag, box)) {
      wipe(subkey, block0);
      return false;
    }
    const m = out.subarray(offset, offset + ciphertext.length);
    if (!sameRegion(m, ciphertext)) m.set(ciphertext);
    xorStream(m, subkey, n8, block0);
    wipe(subkey, block0);
    return true;
  },
};
