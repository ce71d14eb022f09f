/**
 * Subscription wire forms shared by both sides (RFC 23 §"Socket-Type-specific rules" for
 * the ZMTP 3.0 message form, RFC 37 §"SUBSCRIBE and CANCEL commands" for 3.1).
 *
 * ZMTP 3.0 carries a subscription as a data message whose first byte is 0x01 (subscribe)
 * or 0x00 (cancel), followed by the prefix; ZMTP 3.1 uses SUBSCRIBE/CANCEL commands whose
 * body is the prefix. Applications see the 3.0 form on XPUB `receive()` and XSUB `send()`
 * in both cases, as with libzmq.
 */
import { ZmqError } from '@monocoque/core';

/** A subscription prefix as the user may give it. */
export type PrefixLike = string | Buffer | Uint8Array;

const EMPTY = Buffer.alloc(0);

/** Normalise a prefix to a Buffer (strings are UTF-8; views share memory). */
export function toPrefix(value: PrefixLike): Buffer {
  if (typeof value === 'string') return value.length === 0 ? EMPTY : Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new ZmqError('EINVAL', `invalid subscription prefix ${Object.prototype.toString.call(value)}: expected a string, Buffer or Uint8Array`);
}

/** Build the ZMTP 3.0 subscription message body: `0x01`/`0x00` + prefix. */
export function subscriptionMessage(subscribe: boolean, prefix: Uint8Array): Buffer {
  const body = Buffer.allocUnsafe(prefix.length + 1);
  body[0] = subscribe ? 1 : 0;
  body.set(prefix, 1);
  return body;
}

/**
 * Whether a frame is a 3.0-form subscription message (non-empty, first byte 0 or 1).
 * The prefix is `frame.subarray(1)`.
 */
export function isSubscriptionFrame(frame: Buffer | undefined): frame is Buffer {
  return frame !== undefined && frame.length > 0 && (frame[0] === 0 || frame[0] === 1);
}
