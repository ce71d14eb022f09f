// RFC 23/ZMTP §"Framing" and §"Error Handling", RFC 37 PING/PONG: seeded random input never escapes `feed`, and matches a reference model.
import { describe, expect, it } from 'vitest';
import { type SessionEvent, commandFrame, frameBytes, greetingBytes, harness, prng, randInt, randomBytes, randomSplit, readyFrame } from './helpers.js';

const LIMIT = 4096;

type ModelEvent =
  | { kind: 'frame'; body: string; more: boolean }
  | { kind: 'command'; name: string; data: string }
  | { kind: 'error'; codes: string[] };

/**
 * Independent reference for a session that is already ready: what events and PONG writes
 * must `bytes` produce? Written from the RFCs, not from the implementation.
 */
function model(bytes: Buffer): { events: ModelEvent[]; pongs: string[] } {
  const events: ModelEvent[] = [];
  const pongs: string[] = [];
  const fail = (...codes: string[]) => {
    events.push({ kind: 'error', codes });
    return { events, pongs };
  };
  let off = 0;
  while (off < bytes.length) {
    const flags = bytes[off]!;
    const long = (flags & 0x02) !== 0;
    if (off + (long ? 9 : 2) > bytes.length) break; // partial header: nothing yet
    const bad = (flags & 0xf8) !== 0 || (flags & 0x05) === 0x05;
    let size: number;
    if (long) {
      const big = bytes.readBigUInt64BE(off + 1);
      if (big > BigInt(LIMIT)) return fail('EMSGSIZE', ...(bad ? ['EPROTO'] : []));
      size = Number(big);
    } else {
      size = bytes[off + 1]!;
    }
    if (bad) return fail('EPROTO');
    if (size > LIMIT) return fail('EMSGSIZE');
    const start = off + (long ? 9 : 2);
    if (start + size > bytes.length) break; // partial body: nothing yet
    const body = bytes.subarray(start, start + size);
    off = start + size;
    if ((flags & 0x04) === 0) {
      events.push({ kind: 'frame', body: body.toString('hex'), more: (flags & 0x01) !== 0 });
      continue;
    }
    if (body.length < 1 || body[0] === 0 || 1 + body[0]! > body.length) return fail('EPROTO');
    const name = body.toString('latin1', 1, 1 + body[0]!);
    const data = body.subarray(1 + body[0]!);
    if (name === 'PING') {
      if (data.length < 2 || data.length > 18) return fail('EPROTO');
      pongs.push(commandFrame('PONG', data.subarray(2)).toString('hex'));
    }
    if (name === 'ERROR') return fail('EPROTO');
    events.push({ kind: 'command', name, data: data.toString('hex') });
  }
  return { events, pongs };
}

function normalize(e: SessionEvent): ModelEvent | { kind: 'ready' } {
  switch (e.kind) {
    case 'frame':
      return { kind: 'frame', body: e.body.toString('hex'), more: e.more };
    case 'command':
      return { kind: 'command', name: e.name, data: e.data.toString('hex') };
    case 'error':
      return { kind: 'error', codes: [e.error.code] };
    case 'ready':
      return { kind: 'ready' };
  }
}

/** Valid-ish frames with occasional corruption. */
function structured(rand: () => number): Buffer {
  const parts: Buffer[] = [];
  const items = randInt(rand, 1, 8);
  for (let i = 0; i < items; i++) {
    const r = rand();
    if (r < 0.35) parts.push(frameBytes(rand() < 0.5 ? 0x01 : 0, randomBytes(rand, randInt(rand, 0, 40)), rand() < 0.2));
    else if (r < 0.5) parts.push(commandFrame('PING', randomBytes(rand, randInt(rand, 0, 20))));
    else if (r < 0.58) parts.push(commandFrame('PONG', randomBytes(rand, randInt(rand, 0, 16))));
    else if (r < 0.66) parts.push(commandFrame(rand() < 0.5 ? 'SUBSCRIBE' : 'CANCEL', randomBytes(rand, randInt(rand, 0, 10))));
    else if (r < 0.72) parts.push(commandFrame('X-UNKNOWN', randomBytes(rand, randInt(rand, 0, 5))));
    else if (r < 0.75) parts.push(commandFrame('ERROR', Buffer.from([2, 0x6e, 0x6f])));
    else if (r < 0.8) parts.push(frameBytes(0x04, Buffer.from([randInt(rand, 0, 12), 0x41, 0x42])));
    else if (r < 0.85) parts.push(frameBytes(0, randomBytes(rand, randInt(rand, LIMIT - 2, LIMIT + 2))));
    else parts.push(randomBytes(rand, randInt(rand, 1, 5)));
  }
  const out = Buffer.concat(parts);
  const flips = rand() < 0.3 ? randInt(rand, 1, 3) : 0;
  for (let i = 0; i < flips && out.length > 0; i++) out[randInt(rand, 0, out.length - 1)] = randInt(rand, 0, 255);
  return out;
}

const handshake = Buffer.concat([greetingBytes(), readyFrame([['Socket-Type', 'ROUTER'], ['Identity', 'peer']])]);

function runReady(input: Buffer, rand: () => number) {
  const h = harness({ socketType: 'DEALER', maxMessageSize: LIMIT });
  h.session.start();
  h.session.feed(handshake);
  const writesBefore = h.writes.length;
  const eventsBefore = h.events.length;
  for (const piece of randomSplit(rand, input, 6)) h.session.feed(piece);
  return {
    events: h.events.slice(eventsBefore).map(normalize),
    writes: h.writes.slice(writesBefore).map((w) => w.toString('hex')),
    h,
  };
}

function check(input: Buffer, got: ReturnType<typeof runReady>, label: string) {
  const want = model(input);
  const wantError = want.events.at(-1)?.kind === 'error' ? (want.events.at(-1) as { codes: string[] }) : undefined;
  const gotError = got.events.at(-1)?.kind === 'error' ? (got.events.at(-1) as { codes: string[] }) : undefined;
  const strip = (e: Array<{ kind: string }>) => e.filter((x) => x.kind !== 'error');
  expect(strip(got.events), `${label}: events for ${input.toString('hex')}`).toEqual(strip(want.events));
  expect(got.events.filter((e) => e.kind === 'error').length, `${label}: error count`).toBe(wantError ? 1 : 0);
  if (wantError) expect(wantError.codes, `${label}: error code for ${input.toString('hex')}`).toContain(gotError!.codes[0]);
  expect(got.writes, `${label}: PONGs`).toEqual(want.pongs);
}

describe('fuzz (fixed seeds, bounded)', () => {
  it('800 random byte strings after a completed handshake match the reference model', () => {
    const rand = prng(1);
    for (let n = 0; n < 800; n++) {
      const input = randomBytes(rand, randInt(rand, 0, 64));
      let got: ReturnType<typeof runReady> | undefined;
      expect(() => (got = runReady(input, rand)), `case ${n}`).not.toThrow();
      check(input, got!, `case ${n}`);
    }
  });

  it('800 structured, sometimes corrupted streams after a completed handshake match the reference model', () => {
    const rand = prng(2);
    let errors = 0;
    let frames = 0;
    for (let n = 0; n < 800; n++) {
      const input = structured(rand);
      let got: ReturnType<typeof runReady> | undefined;
      expect(() => (got = runReady(input, rand)), `case ${n}`).not.toThrow();
      check(input, got!, `case ${n}`);
      errors += got!.events.filter((e) => e.kind === 'error').length;
      frames += got!.events.filter((e) => e.kind === 'frame').length;
    }
    // the generator exercises both outcomes
    expect(errors).toBeGreaterThan(100);
    expect(frames).toBeGreaterThan(500);
  });

  it('400 random byte strings after only a greeting: feed never throws, at most one error, nothing after it', () => {
    const rand = prng(3);
    let errored = 0;
    for (let n = 0; n < 400; n++) {
      const h = harness({ socketType: 'DEALER', maxMessageSize: LIMIT });
      h.session.start();
      h.session.feed(greetingBytes());
      const input = randomBytes(rand, randInt(rand, 1, 48));
      expect(() => {
        for (const piece of randomSplit(rand, input, 6)) h.session.feed(piece);
        h.session.feed(randomBytes(rand, 8)); // more input after a possible error
      }, `case ${n}`).not.toThrow();
      const kinds = h.events.map((e) => e.kind);
      expect(kinds.filter((k) => k === 'error').length, `case ${n}`).toBeLessThanOrEqual(1);
      const at = kinds.indexOf('error');
      if (at >= 0) {
        expect(at, `case ${n}: events after the error`).toBe(kinds.length - 1);
        errored++;
      }
      // random bytes are never a valid READY: the session must not become ready
      expect(kinds, `case ${n}`).not.toContain('ready');
      expect(kinds.filter((k) => k === 'frame'), `case ${n}`).toEqual([]);
    }
    expect(errored).toBeGreaterThan(300);
  });
});
