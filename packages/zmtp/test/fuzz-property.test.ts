// RFC 23/37 §"Framing", §"The Greeting", NULL handshake: property-based fuzzing with fast-check.
// session-fuzz.test.ts checks short post-handshake inputs against a reference model with fixed
// seeds; this file checks invariants instead (split invariance, error discipline, bounded
// allocation, both ends talking) over generated frames of up to 70000 bytes, handshakes split
// anywhere, and mutated streams. Runs use a random seed; fast-check prints it on failure.
// Reproduce with FC_SEED=<seed> (and the printed path) in the environment.
import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  FLAG_COMMAND,
  FLAG_MORE,
  FrameDecoder,
  type PeerInfo,
  SOCKET_TYPES,
  type SessionOptions,
  type SocketType,
  ZmtpSession,
  isCompatibleSocketType,
  isZmqError,
} from '../src/index.js';
import { ASSEMBLE_ABOVE, MAX_BUFFERABLE } from '../src/frame.js';
import { frameBytes, greetingBytes, readyFrame, splitAt } from './helpers.js';

beforeAll(() => {
  const seed = process.env.FC_SEED;
  fc.configureGlobal(seed === undefined ? {} : { seed: Number(seed) });
});

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** How a byte stream is cut into chunks: at random offsets, or every `n` bytes. */
type Chunking = { cuts: number[] } | { every: number };

const chunkingArb: fc.Arbitrary<Chunking> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ cuts: fc.array(fc.nat(), { maxLength: 24 }) }) },
  { weight: 1, arbitrary: fc.record({ every: fc.integer({ min: 1, max: 600 }) }) },
);

function chunk(data: Buffer, how: Chunking): Buffer[] {
  if ('every' in how) {
    const cuts: number[] = [];
    for (let at = how.every; at < data.length; at += how.every) cuts.push(at);
    return splitAt(data, cuts);
  }
  return splitAt(data, how.cuts.map((c) => c % (data.length + 1)));
}

/** A body of `size` bytes with a cheap pattern (fast-check arrays of 70000 elements are slow). */
function patterned(size: number, seed: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (seed + i * 131 + (i >>> 8)) & 0xff;
  return b;
}

/** Sizes where the framing changes (short/long at 255/256) or the decoder changes strategy. */
const EDGE_SIZES = [0, 1, 254, 255, 256, 257, 1023, 1024, 1025, 4095, 4096, 4097];

const bodyArb: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 5, arbitrary: fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...EDGE_SIZES), fc.nat(255)).map(([size, seed]) => patterned(size, seed)) },
  { weight: 1, arbitrary: fc.tuple(fc.integer({ min: 0, max: 70000 }), fc.nat(255)).map(([size, seed]) => patterned(size, seed)) },
);

interface Frame {
  flags: number;
  body: Buffer;
  /** Use the 8-byte size form even when the body would fit the short form. */
  long: boolean;
}

const frameArb: fc.Arbitrary<Frame> = fc.record({
  flags: fc.constantFrom(0, FLAG_MORE, FLAG_COMMAND),
  body: bodyArb,
  long: fc.boolean(),
});

const wireOf = (frames: readonly Frame[]) => Buffer.concat(frames.map((f) => frameBytes(f.flags, f.body, f.long)));

/** A frame header with exactly these flags and this declared size (LONG decides the form). */
function header(flags: number, size: bigint): Buffer {
  if ((flags & 0x02) === 0) return Buffer.from([flags, Number(size & 0xffn)]);
  const h = Buffer.alloc(9);
  h[0] = flags;
  h.writeBigUInt64BE(size, 1);
  return h;
}

/** Garbage, or a header with random flags and a size near `limit` (or huge), plus some bytes. */
function hostileArb(limit: number): fc.Arbitrary<Buffer> {
  const near = BigInt(Math.max(0, limit));
  const declared = fc.oneof(
    fc.bigInt(0n, near + 4n),
    fc.bigInt(0n, 300n),
    fc.constantFrom(BigInt(MAX_BUFFERABLE), BigInt(MAX_BUFFERABLE) + 1n, 2n ** 40n, 2n ** 64n - 1n),
  );
  const flags = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 7 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 255 }) });
  const framed = fc
    .tuple(flags, declared, fc.integer({ min: 0, max: 320 }), fc.nat(255))
    .map(([f, size, have, seed]) => Buffer.concat([header(f, size), patterned(Math.min(have, Number(size > 320n ? 320n : size)), seed)]));
  return fc.oneof({ weight: 1, arbitrary: fc.uint8Array({ maxLength: 16 }).map((u) => Buffer.from(u)) }, { weight: 4, arbitrary: framed });
}

type Mutation = { op: 'flip' | 'set' | 'insert' | 'delete'; at: number; byte: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom('flip', 'set', 'insert', 'delete'),
  at: fc.nat(),
  byte: fc.nat(255),
});

function mutate(data: Buffer, mutations: readonly Mutation[]): Buffer {
  const bytes = [...data];
  for (const m of mutations) {
    const at = m.at % (bytes.length + 1);
    if (m.op === 'insert') bytes.splice(at, 0, m.byte);
    else if (at < bytes.length && m.op === 'delete') bytes.splice(at, 1);
    else if (at < bytes.length && m.op === 'set') bytes[at] = m.byte;
    else if (at < bytes.length) bytes[at] = bytes[at]! ^ (1 << (m.byte & 7));
  }
  return Buffer.from(bytes);
}

// ---------------------------------------------------------------------------------------------
// Recording

interface Decoded {
  flags: number;
  body: string;
}

/**
 * Feed `chunks` to a decoder. Bodies are kept as delivered (views, not copies) and read only
 * at the end, so a decoder that reused memory it had already handed out would be caught.
 */
/**
 * Decode `chunks` in order. `transient`: feed each one as io_uring does, from one scratch
 * buffer that is overwritten after every `feed` (so a body still viewing it comes out wrong).
 */
function decode(chunks: readonly Buffer[], maxMessageSize = -1, transient = false): { frames: Decoded[]; error: unknown; sizes: number[] } {
  const got: Array<{ flags: number; body: Buffer }> = [];
  const decoder = new FrameDecoder((flags, body) => got.push({ flags, body }), maxMessageSize);
  let error: unknown;
  const scratch = transient ? Buffer.alloc(Math.max(0, ...chunks.map((c) => c.length))) : undefined;
  try {
    for (const c of chunks) {
      if (scratch === undefined) {
        decoder.feed(c);
        continue;
      }
      c.copy(scratch);
      decoder.feed(scratch.subarray(0, c.length), true);
      scratch.fill(0xee);
    }
  } catch (e) {
    error = e;
  }
  return {
    frames: got.map((f) => ({ flags: f.flags, body: f.body.toString('base64') })),
    error,
    sizes: got.map((f) => f.body.length),
  };
}

type LogEntry =
  | { kind: 'write'; data: Buffer }
  | { kind: 'ready'; peer: PeerInfo }
  | { kind: 'frame'; body: Buffer; more: boolean }
  | { kind: 'command'; name: string }
  | { kind: 'error'; error: unknown };

/**
 * A session whose outputs, writes included, go to one ordered log. `onReady` may send
 * through `write`, which appends to the same log, as the owner's transport would.
 */
function recorded(options: SessionOptions, onReady?: (session: ZmtpSession, write: (data: Buffer) => void) => void) {
  const log: LogEntry[] = [];
  const write = (data: Buffer) => log.push({ kind: 'write', data: Buffer.from(data) });
  const session: ZmtpSession = new ZmtpSession(options, {
    write,
    ready: (peer) => {
      log.push({ kind: 'ready', peer });
      onReady?.(session, write);
    },
    frame: (body, more) => log.push({ kind: 'frame', body: Buffer.from(body), more }),
    command: (c) => log.push({ kind: 'command', name: c.name }),
    error: (error) => log.push({ kind: 'error', error }),
  });
  const count = (kind: LogEntry['kind']) => log.filter((e) => e.kind === kind).length;
  const frames = () => log.flatMap((e) => (e.kind === 'frame' ? [{ body: e.body.toString('base64'), more: e.more }] : []));
  return { session, log, count, frames };
}

/** Feed every chunk; report whether feed() threw. */
function feedAll(session: ZmtpSession, chunks: readonly Buffer[]): unknown {
  try {
    for (const c of chunks) session.feed(c);
    return undefined;
  } catch (e) {
    return e ?? 'undefined was thrown';
  }
}

/** The error discipline every session must keep, whatever it was fed. */
function expectDiscipline(log: readonly LogEntry[]): void {
  const errorAt = log.findIndex((e) => e.kind === 'error');
  expect(log.filter((e) => e.kind === 'error').length).toBeLessThanOrEqual(1);
  if (errorAt >= 0) {
    expect(log.slice(errorAt + 1).map((e) => e.kind), 'nothing after error()').toEqual([]);
    const error = (log[errorAt] as { error: unknown }).error;
    expect(isZmqError(error), `error() got ${String(error)}`).toBe(true);
  }
  const readyAt = log.findIndex((e) => e.kind === 'ready');
  expect(log.filter((e) => e.kind === 'ready').length).toBeLessThanOrEqual(1);
  const firstDelivery = log.findIndex((e) => e.kind === 'frame' || e.kind === 'command');
  if (firstDelivery >= 0) expect(readyAt, 'frames and commands only after ready()').toBeGreaterThanOrEqual(0);
  if (firstDelivery >= 0) expect(firstDelivery).toBeGreaterThan(readyAt);
}

/** Largest size requested from Buffer's allocators while `fn` runs. */
function largestAllocation(fn: () => void): number {
  const spies = [vi.spyOn(Buffer, 'alloc'), vi.spyOn(Buffer, 'allocUnsafe'), vi.spyOn(Buffer, 'allocUnsafeSlow')];
  try {
    fn();
    return Math.max(0, ...spies.flatMap((s) => s.mock.calls.map((c) => Number(c[0]))));
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

// ---------------------------------------------------------------------------------------------
// Properties

describe('FrameDecoder properties', () => {
  it('valid frames decode to the same frames however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 10 }), chunkingArb, (frames, how) => {
        const wire = wireOf(frames);
        const expected = frames.map((f) => ({ flags: f.flags, body: f.body.toString('base64') }));
        const whole = decode([wire]);
        const split = decode(chunk(wire, how));
        const transient = decode(chunk(wire, how), -1, true);
        expect(whole.error).toBeUndefined();
        expect(split.error).toBeUndefined();
        expect(transient.error).toBeUndefined();
        expect(whole.frames).toEqual(expected);
        expect(split.frames).toEqual(expected);
        expect(transient.frames).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('bodies over ASSEMBLE_ABOVE are assembled intact from any split', () => {
    fc.assert(
      fc.property(fc.integer({ min: ASSEMBLE_ABOVE - 2, max: ASSEMBLE_ABOVE + 70000 }), fc.nat(255), chunkingArb, fc.boolean(), (size, seed, how, more) => {
        const body = patterned(size, seed);
        const wire = Buffer.concat([frameBytes(more ? FLAG_MORE : 0, body), frameBytes(0, 'after')]);
        // "every n" over a megabyte is needlessly slow: scale it up
        const chunks = chunk(wire, 'every' in how ? { every: how.every * 997 } : how);
        for (const transient of [false, true]) {
          const got = decode(chunks, -1, transient);
          expect(got.error).toBeUndefined();
          expect(got.frames).toEqual([
            { flags: more ? FLAG_MORE : 0, body: body.toString('base64') },
            { flags: 0, body: Buffer.from('after').toString('base64') },
          ]);
        }
      }),
      { numRuns: 25 },
    );
  });

  it('hostile input: only EPROTO/EMSGSIZE ZmqErrors, nothing over the limit, same outcome however split', () => {
    const limitArb = fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 300 }));
    const seen = { errors: 0, frames: 0 };
    fc.assert(
      fc.property(
        limitArb.chain((limit) => fc.tuple(fc.constant(limit), fc.array(hostileArb(limit), { minLength: 1, maxLength: 8 }))),
        chunkingArb,
        ([limit, segments], how) => {
          const input = Buffer.concat(segments);
          const whole = decode([input], limit);
          const split = decode(chunk(input, how), limit);
          const transient = decode(chunk(input, how), limit, true);
          expect(transient.frames).toEqual(split.frames);
          expect((transient.error as { code?: string } | undefined)?.code).toBe((split.error as { code?: string } | undefined)?.code);
          for (const r of [whole, split]) {
            if (r.error !== undefined) {
              expect(isZmqError(r.error), `threw ${String(r.error)}`).toBe(true);
              expect(['EPROTO', 'EMSGSIZE']).toContain((r.error as { code: string }).code);
            }
            if (limit >= 0) for (const size of r.sizes) expect(size).toBeLessThanOrEqual(limit);
          }
          expect(split.frames).toEqual(whole.frames);
          expect((split.error as { code?: string } | undefined)?.code).toBe((whole.error as { code?: string } | undefined)?.code);
          if (whole.error !== undefined) seen.errors++;
          seen.frames += whole.frames.length;
        },
      ),
      { numRuns: 500 },
    );
    // the generator reaches both outcomes
    expect(seen.errors).toBeGreaterThan(50);
    expect(seen.frames).toBeGreaterThan(50);
  });
});

const PEER_IDENTITY = Buffer.from('peer-id');
const handshakeFromRouter = Buffer.concat([greetingBytes(), readyFrame([['Socket-Type', 'ROUTER'], ['Identity', PEER_IDENTITY]])]);
const messageFrameArb = fc.record({ flags: fc.constantFrom(0, FLAG_MORE), body: bodyArb, long: fc.boolean() });

describe('ZmtpSession (NULL) properties', () => {
  it('a valid greeting + READY + messages, split anywhere: ready() once, then the same frames', () => {
    fc.assert(
      fc.property(fc.array(messageFrameArb, { maxLength: 8 }), chunkingArb, (frames, how) => {
        const r = recorded({ socketType: 'DEALER' });
        const input = Buffer.concat([handshakeFromRouter, wireOf(frames)]);
        expect(feedAll(r.session, chunk(input, how))).toBeUndefined();
        expect(r.count('error')).toBe(0);
        expect(r.count('ready')).toBe(1);
        const ready = r.log.find((e) => e.kind === 'ready') as { peer: PeerInfo };
        expect(ready.peer.socketType).toBe('ROUTER');
        expect(ready.peer.identity).toEqual(PEER_IDENTITY);
        expect(r.frames()).toEqual(frames.map((f) => ({ body: f.body.toString('base64'), more: f.flags === FLAG_MORE })));
        expectDiscipline(r.log);
      }),
      { numRuns: 300 },
    );
  });

  it('mutated streams: feed() never throws, error() at most once and last, nothing before ready()', () => {
    const seen = { errors: 0, readies: 0 };
    const smallFrame = fc.record({ flags: fc.constantFrom(0, FLAG_MORE, FLAG_COMMAND), body: fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u)), long: fc.boolean() });
    fc.assert(
      fc.property(
        fc.array(smallFrame, { maxLength: 6 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        chunkingArb,
        fc.constantFrom(-1, 16, 64),
        (frames, mutations, how, limit) => {
          const valid = Buffer.concat([handshakeFromRouter, wireOf(frames)]);
          const input = mutate(valid, mutations);
          const r = recorded({ socketType: 'DEALER', maxMessageSize: limit });
          expect(feedAll(r.session, chunk(input, how))).toBeUndefined();
          // more input after a possible error changes nothing
          const before = r.log.length;
          const errored = r.count('error') === 1;
          expect(feedAll(r.session, [valid])).toBeUndefined();
          if (errored) expect(r.log.length).toBe(before);
          expectDiscipline(r.log);
          if (errored) seen.errors++;
          seen.readies += r.count('ready');
        },
      ),
      { numRuns: 500 },
    );
    // mutations break some streams and leave others usable
    expect(seen.errors).toBeGreaterThan(50);
    expect(seen.readies).toBeGreaterThan(15);
  });

  it('a frame header alone never makes the session allocate what it announces', () => {
    // What FrameDecoder really does: sizes over MAX_BUFFERABLE (2^31 - 1) fail with EMSGSIZE
    // from the header; sizes over maxMessageSize likewise; a body over ASSEMBLE_ABOVE (64 KiB)
    // is kept as the pieces that arrived; a smaller body is allocated whole from its header.
    const declaredArb = fc.oneof(
      fc.bigInt(1n, BigInt(ASSEMBLE_ABOVE) + 10n),
      fc.bigInt(BigInt(ASSEMBLE_ABOVE), BigInt(MAX_BUFFERABLE)),
      fc.bigInt(BigInt(MAX_BUFFERABLE) + 1n, 2n ** 64n - 1n),
      fc.constantFrom(2n ** 40n, BigInt(MAX_BUFFERABLE)),
    );
    fc.assert(
      fc.property(declaredArb, fc.integer({ min: 0, max: 2000 }), chunkingArb, fc.constantFrom(-1, 4096), (declared, have, how, limit) => {
        const r = recorded({ socketType: 'DEALER', maxMessageSize: limit });
        expect(feedAll(r.session, [handshakeFromRouter])).toBeUndefined();
        expect(r.count('ready')).toBe(1);
        const bodyBytes = Math.min(have, Number(declared > 2000n ? 2000n : declared) - 1);
        const input = Buffer.concat([header(0x02, declared), patterned(Math.max(0, bodyBytes), 7)]);
        const chunks = chunk(input, how);
        const largest = largestAllocation(() => expect(feedAll(r.session, chunks)).toBeUndefined());
        expect(r.count('frame'), 'the body never completes').toBe(0);
        const tooLarge = declared > BigInt(MAX_BUFFERABLE) || (limit >= 0 && declared > BigInt(limit));
        if (tooLarge) {
          expect(r.count('error')).toBe(1);
          expect((r.log.at(-1) as { error: { code: string } }).error.code).toBe('EMSGSIZE');
          expect(largest, 'rejected from the header, before buffering').toBeLessThanOrEqual(input.length);
        } else {
          expect(r.count('error')).toBe(0);
          expect(largest).toBeLessThanOrEqual(Math.max(input.length, ASSEMBLE_ABOVE));
        }
      }),
      { numRuns: 300 },
    );
  });
});

/** Pairs of socket types that accept each other. */
const COMPATIBLE_PAIRS: Array<[SocketType, SocketType]> = SOCKET_TYPES.flatMap((a) =>
  SOCKET_TYPES.filter((b) => isCompatibleSocketType(a, b) && isCompatibleSocketType(b, a)).map((b): [SocketType, SocketType] => [a, b]),
);
const SENDS_IDENTITY = new Set<SocketType>(['REQ', 'DEALER', 'ROUTER']);

describe('two ZmtpSessions back to back', () => {
  it('complete the handshake through a random chunker and exchange messages intact', () => {
    const messagesArb = fc.array(fc.array(bodyArb, { minLength: 1, maxLength: 3 }), { maxLength: 4 });
    const identityArb = fc.uint8Array({ minLength: 0, maxLength: 255 }).map((u) => Buffer.from(u));
    fc.assert(
      fc.property(
        fc.constantFrom(...COMPATIBLE_PAIRS),
        identityArb,
        identityArb,
        messagesArb,
        messagesArb,
        fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 16 }),
        ([clientType, serverType], clientId, serverId, fromClient, fromServer, chunkSizes) => {
          // Each side sends its messages as soon as it is ready, as an engine would.
          const sendAll = (messages: Buffer[][]) => (s: ZmtpSession, write: (data: Buffer) => void) => {
            for (const m of messages) m.forEach((body, i) => write(s.encodeFrame(body, i < m.length - 1)));
          };
          const client = recorded({ socketType: clientType, identity: clientId }, sendAll(fromClient));
          const server = recorded({ socketType: serverType, identity: serverId }, sendAll(fromServer));
          let nextSize = 0;
          const sizes = () => chunkSizes[nextSize++ % chunkSizes.length]!;
          const sent = new Map([
            [client, 0],
            [server, 0],
          ]);
          /** Move what `from` wrote since last time to `to`, cut by the chunker. */
          const deliver = (from: typeof client, to: typeof client): boolean => {
            const writes = from.log.filter((e) => e.kind === 'write');
            const pending = Buffer.concat(writes.slice(sent.get(from)).map((e) => e.data));
            sent.set(from, writes.length);
            for (let at = 0; at < pending.length; ) {
              const n = sizes();
              to.session.feed(pending.subarray(at, at + n));
              at += n;
            }
            return pending.length > 0;
          };
          client.session.start();
          server.session.start();
          for (let guard = 0; ; guard++) {
            expect(guard).toBeLessThan(100);
            const moved = deliver(client, server);
            if (!deliver(server, client) && !moved) break;
          }
          for (const [side, peerType, peerId, received] of [
            [client, serverType, serverId, fromServer],
            [server, clientType, clientId, fromClient],
          ] as const) {
            expect(side.count('error')).toBe(0);
            expect(side.count('ready')).toBe(1);
            const { peer } = side.log.find((e) => e.kind === 'ready') as { peer: PeerInfo };
            expect(peer.socketType).toBe(peerType);
            expect(peer.identity).toEqual(SENDS_IDENTITY.has(peerType) ? peerId : Buffer.alloc(0));
            expect(side.frames()).toEqual(received.flatMap((m) => m.map((body, i) => ({ body: body.toString('base64'), more: i < m.length - 1 }))));
            expectDiscipline(side.log);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
