/**
 * Z85 (RFC 32): four bytes ↔ five printable characters, big-endian, base 85. The text
 * form of CURVE keys (40 characters for 32 bytes).
 *
 * Decoding is strict: the length must be a multiple of 5, every character must be in the
 * alphabet, and a group must not exceed 2^32 - 1 (`#####` would be 85^5 - 1, larger than
 * four bytes can hold; libzmq rejects such groups too).
 */
import { ZmqError } from '@monocoque/zmtp';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';

/** Character code → value, -1 outside the alphabet. */
const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/**
 * Encode bytes as Z85 text.
 * @throws {ZmqError} `EINVAL` when the length is not a multiple of 4.
 */
export function z85Encode(data: Uint8Array): string {
  if (data.length % 4 !== 0) {
    throw new ZmqError('EINVAL', `Z85 encode: expected a length that is a multiple of 4, got ${data.length} bytes`);
  }
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    let value = ((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!) >>> 0;
    let group = '';
    for (let j = 0; j < 5; j++) {
      group = ALPHABET[value % 85]! + group;
      value = Math.floor(value / 85);
    }
    out += group;
  }
  return out;
}

/**
 * Decode Z85 text into bytes.
 * @throws {ZmqError} `EINVAL` when the length is not a multiple of 5, a character is not
 *   in the Z85 alphabet, or a five-character group encodes a value above 2^32 - 1.
 */
export function z85Decode(text: string): Uint8Array {
  if (typeof text !== 'string') throw new ZmqError('EINVAL', `Z85 decode: expected a string, got ${typeof text}`);
  if (text.length % 5 !== 0) {
    throw new ZmqError('EINVAL', `Z85 decode: expected a length that is a multiple of 5, got ${text.length} characters`);
  }
  const out = new Uint8Array((text.length / 5) * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const code = text.charCodeAt(i + j);
      const digit = code < 128 ? DECODE[code]! : -1;
      if (digit < 0) {
        throw new ZmqError('EINVAL', `Z85 decode: ${JSON.stringify(text[i + j])} at offset ${i + j} is not in the Z85 alphabet`);
      }
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) {
      throw new ZmqError('EINVAL', `Z85 decode: the group ${JSON.stringify(text.slice(i, i + 5))} at offset ${i} exceeds 32 bits`);
    }
    out[o] = value >>> 24;
    out[o + 1] = (value >>> 16) & 0xff;
    out[o + 2] = (value >>> 8) & 0xff;
    out[o + 3] = value & 0xff;
  }
  return out;
}
