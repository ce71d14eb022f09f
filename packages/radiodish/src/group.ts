/**
 * RADIO/DISH groups (RFC 48; libzmq 4.3's msg_t group and `ZMQ_GROUP_MAX_LENGTH`).
 *
 * A group is 0–255 bytes. libzmq keeps groups as C strings, so a NUL byte would cut a
 * group short on a libzmq peer: such groups are refused here (`EINVAL`) instead of being
 * silently changed. Groups are compared exactly, byte for byte (not by prefix).
 */
import { ZmqError } from '@monocoque/core';

/** A group as the user may give it: a string (UTF-8) or bytes. */
export type GroupLike = string | Buffer | Uint8Array;

/** Longest group in bytes (libzmq 4.3's `ZMQ_GROUP_MAX_LENGTH`). */
export const GROUP_MAX_LENGTH = 255;

/** Normalise and check a group; `what` names the call for the error message. */
export function toGroup(value: unknown, what: string): Buffer {
  let group: Buffer;
  if (typeof value === 'string') group = Buffer.from(value, 'utf8');
  else if (Buffer.isBuffer(value)) group = value;
  else if (value instanceof Uint8Array) group = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  else throw new ZmqError('EINVAL', `${what}: expected a group (string or Buffer), got ${describe(value)}`);
  if (group.length > GROUP_MAX_LENGTH) {
    throw new ZmqError('EINVAL', `${what}: a group is at most ${GROUP_MAX_LENGTH} bytes (ZMQ_GROUP_MAX_LENGTH), got ${group.length}`);
  }
  if (group.includes(0)) {
    throw new ZmqError('EINVAL', `${what}: a group cannot contain a NUL byte (libzmq peers would cut it there)`);
  }
  return group;
}

/** Map key for a group's bytes (latin1 keeps every byte value distinct). */
export function groupKey(group: Buffer): string {
  return group.toString('latin1');
}

function describe(value: unknown): string {
  return value === null ? 'null' : typeof value === 'object' ? Object.prototype.toString.call(value) : typeof value;
}
