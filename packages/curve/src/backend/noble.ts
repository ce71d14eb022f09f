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
 *
 * MESSAGE boxes ({@link BoxBackend.messageBoxes}): every nonce of one direction shares its
 * first 16 bytes, so the subkey is derived once per direction and session, not per
 * message, and the tag goes straight into the frame. noble's Salsa20 XORs word by word
 * only when input and output are 4-byte aligned (byte by byte otherwise): the mechanism
 * lays MESSAGE frames out so the plaintext is aligned.
 */
import { Poly1305 } from '@noble/ciphers/_poly1305.js';
import { hsalsa, salsa20 } from '@noble/ciphers/salsa.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { wipe } from '../random.js';
import { type BoxBackend, MAC_BYTES, type MessageBoxes } from './types.js';

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

/** Poly1305 of `data` under the first 32 bytes of `block0`, written to `out[offset, offset + 16)`. */
function tagInto(data: Uint8Array, block0: Uint8Array, out: Uint8Array, offset: number): void {
  const mac = new Poly1305(block0.subarray(0, 32));
  mac.update(data);
  mac.digestInto(out.subarray(offset, offset + MAC_BYTES));
  mac.destroy();
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
    tagInto(c, block0, out, offset);
    wipe(subkey, block0);
  },

  open(out, offset, box, nonce, key) {
    if (box.length < MAC_BYTES) return false;
    const ciphertext = box.subarray(MAC_BYTES);
    const { subkey, n8, block0 } = start(nonce, key);
    const tag = new Uint8Array(MAC_BYTES);
    tagInto(ciphertext, block0, tag, 0);
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

  messageBoxes(key, prefix) {
    return new NobleMessageBoxes(key, prefix);
  },
};

/** Plaintexts up to this long go through one Salsa20 call in a scratch buffer (see below). */
const SCRATCH_PLAINTEXT = 2048;

/**
 * MESSAGE boxes of one direction: the XSalsa20 subkey of (key, prefix) is derived once.
 *
 * Small boxes are sealed and opened through an aligned scratch buffer, `[32 zeros |
 * text]`, with one Salsa20 call: its first 32 bytes become the Poly1305 key and the rest
 * the result (what noble's own `xsalsa20poly1305` does), instead of one call for the MAC
 * key's block and another for the rest; per call, noble validates and copies its inputs,
 * which costs more than the two small copies in and out. Larger boxes are processed in
 * place (aligned by the caller), where the extra call is noise and copies would not be.
 */
class NobleMessageBoxes implements MessageBoxes {
  private readonly subkey: Uint8Array;
  private readonly tag = new Uint8Array(MAC_BYTES);
  private readonly scratch = new Uint8Array(32 + SCRATCH_PLAINTEXT);

  constructor(key: Uint8Array, prefix: Uint8Array) {
    this.subkey = hsalsa20(key, prefix.subarray(0, 16));
  }

  seal(out: Uint8Array, offset: number, plaintext: Uint8Array, nonce: Uint8Array): void {
    const length = plaintext.length;
    const c = out.subarray(offset + MAC_BYTES, offset + MAC_BYTES + length);
    const n8 = nonce.subarray(16, 24);
    if (length <= SCRATCH_PLAINTEXT) {
      const work = this.scratch.subarray(0, 32 + length);
      work.fill(0, 0, 32);
      work.set(plaintext, 32);
      salsa20(this.subkey, n8, work, work);
      c.set(work.subarray(32));
      tagInto(c, work, out, offset);
      work.fill(0);
      return;
    }
    if (!sameRegion(c, plaintext)) c.set(plaintext);
    const block0 = salsa20(this.subkey, n8, ZERO_BLOCK);
    xorStream(c, this.subkey, n8, block0);
    tagInto(c, block0, out, offset);
    wipe(block0);
  }

  open(out: Uint8Array, offset: number, box: Uint8Array, nonce: Uint8Array): boolean {
    if (box.length < MAC_BYTES) return false;
    const ciphertext = box.subarray(MAC_BYTES);
    const length = ciphertext.length;
    const n8 = nonce.subarray(16, 24);
    if (length <= SCRATCH_PLAINTEXT) {
      const work = this.scratch.subarray(0, 32 + length);
      work.fill(0, 0, 32);
      work.set(ciphertext, 32);
      salsa20(this.subkey, n8, work, work);
      tagInto(ciphertext, work, this.tag, 0);
      const ok = sameTag(this.tag, box);
      if (ok) out.set(work.subarray(32), offset);
      work.fill(0);
      return ok;
    }
    const block0 = salsa20(this.subkey, n8, ZERO_BLOCK);
    tagInto(ciphertext, block0, this.tag, 0);
    if (!sameTag(this.tag, box)) {
      wipe(block0);
      return false;
    }
    const m = out.subarray(offset, offset + length);
    if (!sameRegion(m, ciphertext)) m.set(ciphertext);
    xorStream(m, this.subkey, n8, block0);
    wipe(block0);
    return true;
  }

  destroy(): void {
    wipe(this.subkey, this.tag, this.scratch);
  }
}
