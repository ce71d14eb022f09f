/**
 * Z85 (RFC 32): ZeroMQ's printable encoding of binary data, used for CURVE keys
 * (32 bytes ↔ 40 characters). Every 4 bytes, read as a big-endian 32-bit number, become
 * 5 base-85 digits from an alphabet without quotes, backslash or whitespace.
 */
import { ZmqError } from './errors.js';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const DIGITS = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGITS[ALPHABET.charCodeAt(i)] = i;

/** Encode bytes as Z85. Throws `EINVAL` unless the length is a multiple of 4. */
export function z85Encode(data: Uint8Array): string {
  if (data.length % 4 !== 0) throw new ZmqError('EINVAL', `Z85 encode: expected a length that is a multiple of 4, got ${data.length} bytes`);
  let out = '';
  for (let i = 0; i < data.length; i += 4) {
    let value = ((data[i]! << 24) | (data[i + 1]! << 16) | (data[i + 2]! << 8) | data[i + 3]!) >>> 0;
    const chunk = new Array<string>(5);
    for (let j = 4; j >= 0; j--) {
      chunk[j] = ALPHABET[value % 85]!;
      value = Math.floor(value / 85);
    }
    out += chunk.join('');
  }
  return out;
}

/**
 * Decode Z85 text. Throws `EINVAL` unless the length is a multiple of 5, every character
 * is in the alphabet and every group fits in 32 bits.
 */
export function z85Decode(text: string): Buffer {
  if (typeof text !== 'string' || text.length % 5 !== 0) {
    throw new ZmqError('EINVAL', `Z85 decode: expected a string whose length is a multiple of 5, got ${typeof text === 'string' ? `${text.length} characters` : typeof text}`);
  }
  const out = Buffer.allocUnsafe((text.length / 5) * 4);
  for (let i = 0, o = 0; i < text.length; i += 5, o += 4) {
    let value = 0;
    for (let j = 0; j < 5; j++) {
      const code = text.charCodeAt(i + j);
      const digit = code < 128 ? DIGITS[code]! : -1;
      if (digit < 0) throw new ZmqError('EINVAL', `Z85 decode: ${JSON.stringify(text[i + j])} at offset ${i + j} is not a Z85 character`);
      value = value * 85 + digit;
    }
    if (value > 0xffffffff) throw new ZmqError('EINVAL', `Z85 decode: the group at offset ${i} (${JSON.stringify(text.slice(i, i + 5))}) exceeds 32 bits`);
    out.writeUInt32BE(value, o);
  }
  return out;
}
