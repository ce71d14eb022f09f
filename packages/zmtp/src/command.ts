/**
 * ZMTP commands (RFC 23 §"Commands", RFC 37 §"The PING/PONG/SUBSCRIBE/CANCEL Commands").
 *
 *   command-body = name-size(1) name data
 *   READY  data = *property;  property = name-size(1) name value-size(4, BE) value
 *   ERROR  data = reason-size(1) reason
 *   PING   data = ttl(2, BE, tenths of a second) context(0-16 bytes)
 *   PONG   data = context(0-16 bytes)
 *   SUBSCRIBE / CANCEL data = topic prefix
 *   JOIN / LEAVE data = group (RADIO/DISH, RFC 48; at most 255 bytes in libzmq 4.3)
 *
 * Property names are case-insensitive: parsed metadata is keyed by lower-case name.
 */
import { ZmqError } from './errors.js';
import { FLAG_COMMAND, encodeFrame } from './frame.js';

/** Connection metadata: property name (lower-case) → value. */
export type Metadata = ReadonlyMap<string, Buffer>;

/** A decoded command frame. */
export interface Command {
  /** Command name, e.g. `READY` (case as sent). */
  readonly name: string;
  /** Everything after the name. A view of the frame body, not a copy. */
  readonly data: Buffer;
}

/** Largest PING/PONG context (RFC 37). */
export const MAX_PING_CONTEXT = 16;

/** Parse a command frame body. */
export function decodeCommand(body: Buffer): Command {
  if (body.length < 1) {
    throw new ZmqError('EPROTO', 'malformed command: expected a name-size byte, got an empty command frame');
  }
  const nameSize = body[0]!;
  if (nameSize === 0 || 1 + nameSize > body.length) {
    throw new ZmqError(
      'EPROTO',
      `malformed command: name-size is ${nameSize} but the frame has ${body.length - 1} bytes after it`,
    );
  }
  return { name: body.toString('latin1', 1, 1 + nameSize), data: body.subarray(1 + nameSize) };
}

/** Encode a command as a complete frame (header included). */
export function encodeCommand(name: string, data?: Uint8Array | readonly Uint8Array[]): Buffer {
  const parts = data === undefined ? [] : data instanceof Uint8Array ? [data] : data;
  let dataSize = 0;
  for (const p of parts) dataSize += p.length;
  const body = Buffer.allocUnsafe(1 + name.length + dataSize);
  body[0] = name.length;
  let off = 1 + body.write(name, 1, 'latin1');
  for (const p of parts) {
    body.set(p, off);
    off += p.length;
  }
  return encodeFrame(FLAG_COMMAND, body);
}

/** Encode properties for READY/INITIATE (RFC 23 metadata). */
export function encodeMetadata(properties: Iterable<readonly [string, Uint8Array]>): Buffer {
  const chunks: Buffer[] = [];
  for (const [name, value] of properties) {
    if (name.length === 0 || name.length > 255) {
      throw new ZmqError('EINVAL', `metadata property name must be 1-255 bytes, got ${name.length}`);
    }
    const head = Buffer.allocUnsafe(1 + name.length + 4);
    head[0] = name.length;
    head.write(name, 1, 'latin1');
    head.writeUInt32BE(value.length, 1 + name.length);
    chunks.push(head, Buffer.from(value.buffer, value.byteOffset, value.length));
  }
  return Buffer.concat(chunks);
}

/** Parse READY/INITIATE properties; names are lower-cased, later duplicates win. */
export function decodeMetadata(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let off = 0;
  while (off < data.length) {
    const nameSize = data[off]!;
    if (nameSize === 0 || off + 1 + nameSize + 4 > data.length) {
      throw new ZmqError(
        'EPROTO',
        `malformed metadata: property at offset ${off} declares a ${nameSize}-byte name, but only ${data.length - off - 1} bytes remain`,
      );
    }
    const name = data.toString('latin1', off + 1, off + 1 + nameSize).toLowerCase();
    off += 1 + nameSize;
    const valueSize = data.readUInt32BE(off);
    off += 4;
    if (off + valueSize > data.length) {
      throw new ZmqError(
        'EPROTO',
        `malformed metadata: property ${JSON.stringify(name)} declares a ${valueSize}-byte value, but only ${data.length - off} bytes remain`,
      );
    }
    out.set(name, data.subarray(off, off + valueSize));
    off += valueSize;
  }
  return out;
}

/** Encode a READY command frame. */
export function encodeReady(properties: Iterable<readonly [string, Uint8Array]>): Buffer {
  return encodeCommand('READY', encodeMetadata(properties));
}

/** Encode an ERROR command frame (reason truncated to 255 bytes). */
export function encodeError(reason: string): Buffer {
  const r = Buffer.from(reason, 'utf8').subarray(0, 255);
  return encodeCommand('ERROR', [Uint8Array.of(r.length), r]);
}

/** Parse ERROR data into its reason text. */
export function decodeErrorReason(data: Buffer): string {
  const size = data[0] ?? 0;
  if (data.length < 1 || 1 + size > data.length) {
    throw new ZmqError('EPROTO', `malformed ERROR command: reason-size is ${size} but ${Math.max(0, data.length - 1)} bytes follow`);
  }
  return data.toString('utf8', 1, 1 + size);
}

/** A parsed PING. */
export interface Ping {
  /** Time-to-live the peer asks for, in milliseconds (0 = none). */
  readonly ttlMs: number;
  /** Context to echo in the PONG. */
  readonly context: Buffer;
}

/** Encode a PING command frame. `ttlMs` is rounded down to tenths of a second. */
export function encodePing(ttlMs: number, context: Uint8Array = new Uint8Array(0)): Buffer {
  if (context.length > MAX_PING_CONTEXT) {
    throw new ZmqError('EINVAL', `PING context must be at most ${MAX_PING_CONTEXT} bytes, got ${context.length}`);
  }
  const ttl = Buffer.allocUnsafe(2);
  ttl.writeUInt16BE(Math.min(0xffff, Math.floor(ttlMs / 100)));
  return encodeCommand('PING', [ttl, context]);
}

/** Parse PING data. */
export function decodePing(data: Buffer): Ping {
  if (data.length < 2 || data.length > 2 + MAX_PING_CONTEXT) {
    throw new ZmqError('EPROTO', `malformed PING: expected 2-18 bytes (ttl + context), got ${data.length}`);
  }
  return { ttlMs: data.readUInt16BE(0) * 100, context: data.subarray(2) };
}

/** Encode a PONG echoing `context`. */
export function encodePong(context: Uint8Array): Buffer {
  return encodeCommand('PONG', context);
}

/** Encode a SUBSCRIBE command frame (ZMTP 3.1 peers). */
export function encodeSubscribe(prefix: Uint8Array): Buffer {
  return encodeCommand('SUBSCRIBE', prefix);
}

/** Encode a CANCEL command frame (ZMTP 3.1 peers). */
export function encodeCancel(prefix: Uint8Array): Buffer {
  return encodeCommand('CANCEL', prefix);
}

/**
 * Longest RADIO/DISH group, in bytes (libzmq 4.3's `ZMQ_GROUP_MAX_LENGTH`). libzmq's DISH
 * drops a RADIO peer whose group frame is longer, and its RADIO cannot store a longer JOIN.
 */
export const GROUP_MAX_LENGTH = 255;

/**
 * Encode a JOIN command frame (a DISH joining `group`; RFC 48). libzmq sends it as a
 * command to ZMTP 3.0 and 3.1 peers alike: `\x04JOIN` + group, COMMAND flag, no MORE.
 */
export function encodeJoin(group: Uint8Array): Buffer {
  return encodeCommand('JOIN', group);
}

/** Encode a LEAVE command frame (a DISH leaving `group`): `\x05LEAVE` + group. */
export function encodeLeave(group: Uint8Array): Buffer {
  return encodeCommand('LEAVE', group);
}
