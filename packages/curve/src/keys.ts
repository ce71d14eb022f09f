/**
 * CURVE long-term keys: X25519 key pairs, in Z85 text (40 characters, RFC 32) or raw
 * (32 bytes), as libzmq's `zmq_curve_keypair`/`zmq_curve_public` and zeromq.js give them.
 */
import { ZmqError, z85Decode, z85Encode } from '@monocoque/zmtp';
import { boxBackend } from './backend/index.js';
import { systemRandom, wipe } from './random.js';

/** A CURVE key pair in Z85 text, the shape of zeromq.js's `curveKeyPair()`. */
export interface CurveKeyPair {
  /** The public key, 40 Z85 characters. */
  readonly publicKey: string;
  /** The secret key, 40 Z85 characters. */
  readonly secretKey: string;
}

/** Length of a key in Z85 text. */
export const Z85_KEY_LENGTH = 40;
/** Length of a raw key. */
export const KEY_LENGTH = 32;

/**
 * A fresh key pair from the system CSPRNG (libsodium's `crypto_box_keypair`: 32 random
 * bytes and their X25519 public key).
 */
export function curveKeyPair(): CurveKeyPair {
  const secret = new Uint8Array(KEY_LENGTH);
  systemRandom(secret);
  const pair = { publicKey: z85Encode(boxBackend().publicKey(secret)), secretKey: z85Encode(secret) };
  wipe(secret);
  return pair;
}

/**
 * The public key of a secret key (libzmq's `zmq_curve_public`).
 * @param secretKey 40 Z85 characters or 32 bytes.
 * @returns the public key in Z85 text.
 * @throws {ZmqError} `EINVAL` when `secretKey` is neither.
 */
export function curvePublicKey(secretKey: string | Uint8Array): string {
  const secret = curveKeyBytes(secretKey, 'secretKey');
  const pub = z85Encode(boxBackend().publicKey(secret));
  wipe(secret);
  return pub;
}

/**
 * A key as 32 bytes (a copy), from 40 Z85 characters or 32 bytes.
 * @param option the option or argument name, for the error message.
 * @throws {ZmqError} `EINVAL` naming `option` and saying what came.
 */
export function curveKeyBytes(value: unknown, option: string): Uint8Array {
  if (typeof value === 'string') {
    if (value.length !== Z85_KEY_LENGTH) {
      throw new ZmqError('EINVAL', `${option}: expected a CURVE key as ${Z85_KEY_LENGTH} Z85 characters or ${KEY_LENGTH} bytes, got a string of ${value.length} characters`);
    }
    try {
      return z85Decode(value);
    } catch (error) {
      throw new ZmqError('EINVAL', `${option}: not a valid Z85 key (${(error as Error).message})`, { cause: error });
    }
  }
  if (value instanceof Uint8Array) {
    if (value.length !== KEY_LENGTH) {
      throw new ZmqError('EINVAL', `${option}: expected a CURVE key as ${Z85_KEY_LENGTH} Z85 characters or ${KEY_LENGTH} bytes, got ${value.length} bytes`);
    }
    return new Uint8Array(value);
  }
  const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
  throw new ZmqError('EINVAL', `${option}: expected a CURVE key as ${Z85_KEY_LENGTH} Z85 characters or ${KEY_LENGTH} bytes, got ${what}`);
}
