/** Message normalisation: everything a user may send becomes `Buffer[]` without copying bytes. */
// A module binding: Node.js defines the global `Buffer` as an accessor, so every
// `Buffer.isBuffer` on the send path was a global-property load plus a getter call.
import { Buffer } from 'node:buffer';
import { ZmqError } from '@monocoque/zmtp';

/** One frame as the user may give it (zeromq.js's `MessageLike`). */
export type FrameLike = Buffer | Uint8Array | ArrayBuffer | SharedArrayBuffer | ArrayBufferView | string | number | null;
/** A message: one frame or several (multipart). */
export type MessageLike = FrameLike | readonly FrameLike[];

const EMPTY = Buffer.alloc(0);

/** Convert one frame; views share memory with the input. */
export function toFrame(value: FrameLike): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value === null) return EMPTY;
  if (typeof value === 'number') return Buffer.from(String(value), 'utf8');
  if (ArrayBuffer.isView(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && value instanceof SharedArrayBuffer)) {
    return Buffer.from(value);
  }
  throw new ZmqError('EINVAL', `cannot send ${Object.prototype.toString.call(value)}: expected a Buffer, Uint8Array, ArrayBuffer, string, number or null`);
}

/** Convert a message to its frames. */
export function toFrames(message: MessageLike): Buffer[] {
  if (!Array.isArray(message)) return [toFrame(message as FrameLike)];
  if (message.length === 0) throw new ZmqError('EINVAL', 'cannot send an empty multipart message: expected at least one frame');
  const out = new Array<Buffer>(message.length);
  for (let i = 0; i < message.length; i++) out[i] = toFrame(message[i] as FrameLike);
  return out;
}
