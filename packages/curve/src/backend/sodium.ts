/**
 * The accelerated box backend on `sodium-native` (libsodium, prebuilt binaries loaded by
 * `require-addon`; it has no install script). An optional dependency: when it is missing
 * or its binary does not load, {@link loadSodiumBackend} says why and the noble backend
 * is used.
 *
 * `sodium-native` exposes `crypto_scalarmult` and `crypto_secretbox_*` but not
 * `crypto_box_beforenm` or HSalsa20, so `beforenm` is libsodium's X25519 followed by
 * noble's HSalsa20 (once per key pair, never per message); `seal`/`open` are libsodium's
 * secretbox (`crypto_secretbox_easy`, MAC || ciphertext), in place.
 */
import { createRequire } from 'node:module';
import { wipe } from '../random.js';
import { hsalsa20, nobleBackend } from './noble.js';
import { type BoxBackend, KEY_BYTES, MAC_BYTES } from './types.js';

/** The part of sodium-native's API this backend uses. */
interface SodiumNative {
  crypto_scalarmult_base(q: Uint8Array, n: Uint8Array): void;
  crypto_scalarmult(q: Uint8Array, n: Uint8Array, p: Uint8Array): void;
  crypto_secretbox_easy(c: Uint8Array, m: Uint8Array, n: Uint8Array, k: Uint8Array): void;
  crypto_secretbox_open_easy(m: Uint8Array, c: Uint8Array, n: Uint8Array, k: Uint8Array): boolean;
}

/** Outcome of {@link loadSodiumBackend}. */
export type SodiumLoadResult = { readonly ok: true; readonly backend: BoxBackend } | { readonly ok: false; readonly reason: string };

const ZERO_NONCE16 = new Uint8Array(16);

/** `bytes[start, start + length)` as a plain Uint8Array over the same memory. */
function view(bytes: Uint8Array, start: number, length: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, length);
}
const EMPTY = new Uint8Array(0);

function createBackend(sodium: SodiumNative): BoxBackend {
  const backend: BoxBackend = {
    name: 'sodium',

    publicKey(secretKey) {
      const pk = new Uint8Array(KEY_BYTES);
      sodium.crypto_scalarmult_base(pk, secretKey);
      return pk;
    },

    beforenm(publicKey, secretKey) {
      const shared = new Uint8Array(KEY_BYTES);
      try {
        sodium.crypto_scalarmult(shared, secretKey, publicKey);
      } catch {
        return undefined; // libsodium refuses an all-zero shared point
      }
      const key = hsalsa20(shared, ZERO_NONCE16);
      wipe(shared);
      return key;
    },

    // The `easy` forms take the box as one `MAC || ciphertext` range, the wire layout, so a
    // call needs one view at most. Plain Uint8Array views, not subarray(): on a Buffer that
    // builds a Buffer, which costs a measurable share of a 64-byte MESSAGE.
    seal(out, offset, plaintext, nonce, key) {
      const box = offset === 0 && out.length === MAC_BYTES + plaintext.length ? out : view(out, offset, MAC_BYTES + plaintext.length);
      // libsodium handles the plaintext sitting at the ciphertext's place (in place).
      sodium.crypto_secretbox_easy(box, plaintext.length === 0 ? EMPTY : plaintext, nonce, key);
    },

    open(out, offset, box, nonce, key) {
      if (box.length < MAC_BYTES) return false;
      // libsodium checks the MAC before it writes, and handles opening in place.
      return sodium.crypto_secretbox_open_easy(view(out, offset, box.length - MAC_BYTES), box, nonce, key);
    },

    // libsodium's secretbox takes the whole nonce (sodium-native exposes no HSalsa20 to
    // cache); its subkey derivation is one core call in C, not worth two more crossings.
    messageBoxes(key) {
      return {
        seal: (out, offset, plaintext, nonce) => backend.seal(out, offset, plaintext, nonce, key),
        open: (out, offset, box, nonce) => backend.open(out, offset, box, nonce, key),
        destroy() {},
      };
    },
  };
  return backend;
}

let loaded: SodiumLoadResult | undefined;

/**
 * Load `sodium-native` and check it against a known box (so a broken binary is refused
 * here, not mid-connection). Never throws; the result is cached.
 */
export function loadSodiumBackend(): SodiumLoadResult {
  if (loaded !== undefined) return loaded;
  try {
    const require = createRequire(import.meta.url);
    const sodium = require('sodium-native') as SodiumNative;
    const backend = createBackend(sodium);
    selfTest(backend);
    loaded = { ok: true, backend };
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    loaded = { ok: false, reason: `sodium-native did not load: ${message}` };
  }
  return loaded;
}

/** Seal one box and compare it with noble's, then open it; throws when the binary misbehaves. */
function selfTest(backend: BoxBackend): void {
  const key = new Uint8Array(KEY_BYTES).fill(7);
  const nonce = new Uint8Array(24).fill(9);
  const plain = Uint8Array.of(1, 2, 3);
  const box = new Uint8Array(MAC_BYTES + plain.length);
  const expected = new Uint8Array(MAC_BYTES + plain.length);
  backend.seal(box, 0, plain, nonce, key);
  nobleBackend.seal(expected, 0, plain, nonce, key);
  if (box.join() !== expected.join()) throw new Error('self-test box differs from the reference');
  const back = new Uint8Array(plain.length);
  if (!backend.open(back, 0, box, nonce, key) || back.join() !== plain.join()) throw new Error('self-test box did not open');
}
