// Test helpers: hand-written ZMTP wire bytes (independent of the codec's encoders), a seeded PRNG and a session harness.
import { expect } from 'vitest';
import {
  type Command,
  FrameDecoder,
  type HandshakeFailure,
  type PeerInfo,
  type SessionOptions,
  ZmqError,
  ZmtpSession,
} from '../src/index.js';

/** Deterministic PRNG (mulberry32): returns floats in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random integer in [lo, hi]. */
export function randInt(rand: () => number, lo: number, hi: number): number {
  return lo + Math.floor(rand() * (hi - lo + 1));
}

export function randomBytes(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

/** Split `data` into 1..maxPieces contiguous pieces at random points. */
export function randomSplit(rand: () => number, data: Buffer, maxPieces: number): Buffer[] {
  const pieces = randInt(rand, 1, Math.max(1, Math.min(maxPieces, data.length)));
  const cuts = new Set<number>();
  while (cuts.size < pieces - 1) cuts.add(randInt(rand, 1, data.length - 1));
  return splitAt(data, cuts);
}

/**
 * Split `data` at the given offsets (any order; duplicates, 0, `data.length` and values
 * beyond it are ignored) into contiguous pieces, non-empty unless `data` is.
 */
export function splitAt(data: Buffer, cuts: Iterable<number>): Buffer[] {
  const inside = [...new Set(cuts)].filter((c) => c > 0 && c < data.length).sort((x, y) => x - y);
  const points = [0, ...inside, data.length];
  const out: Buffer[] = [];
  for (let i = 0; i + 1 < points.length; i++) out.push(data.subarray(points[i], points[i + 1]));
  return out;
}

/** A 64-byte greeting built by hand (RFC 23 §The Greeting layout). */
export function greetingBytes(o: { major?: number; minor?: number; mechanism?: string; asServer?: number } = {}): Buffer {
  const g = Buffer.alloc(64);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = o.major ?? 3;
  g[11] = o.minor ?? 1;
  g.write(o.mechanism ?? 'NULL', 12, 'latin1');
  g[32] = o.asServer ?? 0;
  return g;
}

/** A frame built by hand. `long` forces the 8-byte size form. */
export function frameBytes(flags: number, body: Uint8Array | string, long = false): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'latin1') : Buffer.from(body);
  if (long || b.length > 255) {
    const h = Buffer.alloc(9);
    h[0] = flags | 0x02;
    h.writeBigUInt64BE(BigInt(b.length), 1);
    return Buffer.concat([h, b]);
  }
  return Buffer.concat([Buffer.from([flags, b.length]), b]);
}

/** Command body: name-size, name, data. */
export function commandBody(name: string, data: Uint8Array | string = Buffer.alloc(0)): Buffer {
  const d = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
  return Buffer.concat([Buffer.from([name.length]), Buffer.from(name, 'latin1'), d]);
}

export function commandFrame(name: string, data: Uint8Array | string = Buffer.alloc(0)): Buffer {
  return frameBytes(0x04, commandBody(name, data));
}

/** Metadata built by hand: name-size(1) name value-size(4 BE) value. */
export function metadataBytes(props: ReadonlyArray<readonly [string, string | Uint8Array]>): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of props) {
    const v = typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value);
    const size = Buffer.alloc(4);
    size.writeUInt32BE(v.length);
    parts.push(Buffer.from([name.length]), Buffer.from(name, 'latin1'), size, v);
  }
  return Buffer.concat(parts);
}

export function readyFrame(props: ReadonlyArray<readonly [string, string | Uint8Array]>): Buffer {
  return commandFrame('READY', metadataBytes(props));
}

export interface DecodedFrame {
  flags: number;
  body: Buffer;
}

/** Decode a byte stream of frames with the codec's decoder (copies bodies). */
export function decodeAll(bytes: Buffer, maxMessageSize = -1): DecodedFrame[] {
  const out: DecodedFrame[] = [];
  new FrameDecoder((flags, body) => out.push({ flags, body: Buffer.from(body) }), maxMessageSize).feed(bytes);
  return out;
}

export type SessionEvent =
  | { kind: 'ready'; peer: PeerInfo }
  | { kind: 'frame'; body: Buffer; more: boolean }
  | { kind: 'command'; name: string; data: Buffer }
  | { kind: 'error'; error: ZmqError; failure?: HandshakeFailure };

/** A session whose outputs are recorded. */
export function harness(options: SessionOptions) {
  const writes: Buffer[] = [];
  const events: SessionEvent[] = [];
  const session = new ZmtpSession(options, {
    write: (data) => writes.push(Buffer.from(data)),
    ready: (peer) => events.push({ kind: 'ready', peer }),
    frame: (body, more) => events.push({ kind: 'frame', body: Buffer.from(body), more }),
    command: (c: Command) => events.push({ kind: 'command', name: c.name, data: Buffer.from(c.data) }),
    error: (error, failure) => events.push(failure === undefined ? { kind: 'error', error } : { kind: 'error', error, failure }),
  });
  return {
    session,
    writes,
    events,
    written: () => Buffer.concat(writes),
    readies: () => events.filter((e) => e.kind === 'ready').map((e) => (e as { peer: PeerInfo }).peer),
    frames: () => events.filter((e) => e.kind === 'frame') as Array<{ kind: 'frame'; body: Buffer; more: boolean }>,
    commands: () => events.filter((e) => e.kind === 'command') as Array<{ kind: 'command'; name: string; data: Buffer }>,
    errors: () => events.filter((e) => e.kind === 'error').map((e) => (e as { error: ZmqError }).error),
    failures: () => events.filter((e) => e.kind === 'error').map((e) => (e as { failure?: HandshakeFailure }).failure),
  };
}
export type Harness = ReturnType<typeof harness>;

/** Wire two harnesses back to back; `pump()` delivers pending writes until both are quiet. */
export function wire(a: Harness, b: Harness) {
  let aSent = 0;
  let bSent = 0;
  const pump = () => {
    for (let guard = 0; guard < 1000; guard++) {
      let moved = false;
      while (aSent < a.writes.length) {
        b.session.feed(a.writes[aSent++]!);
        moved = true;
      }
      while (bSent < b.writes.length) {
        a.session.feed(b.writes[bSent++]!);
        moved = true;
      }
      if (!moved) return;
    }
    throw new Error('pump did not settle');
  };
  return { pump };
}

/** Split what a session wrote into its greeting and its frames. */
export function parseOutput(bytes: Buffer): { greeting: Buffer; frames: DecodedFrame[] } {
  return { greeting: bytes.subarray(0, 64), frames: decodeAll(bytes.subarray(64)) };
}

/** Run `fn`, expect a ZmqError with `code` whose message contains every fragment. */
export function expectZmqError(fn: () => unknown, code: string, ...fragments: Array<string | RegExp>): ZmqError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a thrown ZmqError').toBeInstanceOf(ZmqError);
  const err = caught as ZmqError;
  expect(err.code).toBe(code);
  for (const f of fragments) expect(err.message).toMatch(f);
  return err;
}

export const latin1 = (s: string) => Buffer.from(s, 'latin1');
