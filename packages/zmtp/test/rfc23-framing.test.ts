// RFC 23/ZMTP §"Framing": flags (MORE, LONG, COMMAND, reserved bits), 1-byte and 8-byte network-order sizes.
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  COPY_BELOW,
  FLAG_COMMAND,
  FLAG_LONG,
  FLAG_MORE,
  FrameDecoder,
  MAX_SHORT_SIZE,
  PIN_ABOVE,
  encodeFrame,
  frameHeaderSize,
  writeFrameHeader,
} from '../src/index.js';
import { type DecodedFrame, expectZmqError, frameBytes, prng, randInt, randomBytes, randomSplit } from './helpers.js';

const MiB = 1024 * 1024;
const SIZES = [0, 1, 255, 256, 65535, 65536, MiB];

function patterned(n: number, seed = n): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Feed `chunks` to a fresh decoder; returns the frames (bodies as delivered, not copied). */
function decodeChunks(chunks: Buffer[], maxMessageSize = -1): DecodedFrame[] {
  const out: DecodedFrame[] = [];
  const d = new FrameDecoder((flags, body) => out.push({ flags, body }), maxMessageSize);
  for (const c of chunks) d.feed(c);
  return out;
}

/** Describe the first difference between two frame lists, or undefined when equal. */
function diffFrames(got: DecodedFrame[], want: DecodedFrame[]): string | undefined {
  if (got.length !== want.length) return `expected ${want.length} frames, got ${got.length}`;
  for (let i = 0; i < want.length; i++) {
    if (got[i]!.flags !== want[i]!.flags) return `frame ${i}: expected flags ${want[i]!.flags}, got ${got[i]!.flags}`;
    if (!got[i]!.body.equals(want[i]!.body)) return `frame ${i}: body differs (${want[i]!.body.length} vs ${got[i]!.body.length} bytes)`;
  }
  return undefined;
}

function stream(frames: DecodedFrame[], longForm: (i: number) => boolean = () => false): Buffer {
  return Buffer.concat(frames.map((f, i) => frameBytes(f.flags, f.body, longForm(i))));
}

describe('encoding', () => {
  it('frameHeaderSize: 2 bytes up to 255, 9 bytes from 256', () => {
    expect(MAX_SHORT_SIZE).toBe(255);
    expect(frameHeaderSize(0)).toBe(2);
    expect(frameHeaderSize(255)).toBe(2);
    expect(frameHeaderSize(256)).toBe(9);
    expect(frameHeaderSize(MiB)).toBe(9);
  });

  it.each(SIZES)('encodeFrame of a %i-byte body is byte-identical to the RFC layout', (size) => {
    const body = patterned(size);
    const got = encodeFrame(0, body);
    const want = frameBytes(0, body);
    expect(got.length).toBe(want.length);
    expect(got.subarray(0, frameHeaderSize(size)).toString('hex')).toBe(want.subarray(0, frameHeaderSize(size)).toString('hex'));
    expect(got.equals(want)).toBe(true);
  });

  it('writeFrameHeader writes the 8-byte size in network order at an offset', () => {
    const target = Buffer.alloc(12, 0xee);
    const size = 0x01_02_03_04_05; // > 2^32, so every size byte is exercised
    expect(writeFrameHeader(target, 2, FLAG_MORE, size)).toBe(11);
    expect(target.toString('hex')).toBe('eeee' + '03' + '0000000102030405' + 'ee');
  });

  it('writeFrameHeader writes a short header and leaves the rest alone', () => {
    const target = Buffer.alloc(4, 0xee);
    expect(writeFrameHeader(target, 1, FLAG_COMMAND, 200)).toBe(3);
    expect(target.toString('hex')).toBe('ee04c8ee');
  });

  it('sets MORE and COMMAND as given, and LONG only for long bodies', () => {
    expect([...encodeFrame(FLAG_MORE, Buffer.from('a')).subarray(0, 2)]).toEqual([0x01, 1]);
    expect([...encodeFrame(FLAG_COMMAND, Buffer.from('a')).subarray(0, 2)]).toEqual([0x04, 1]);
    expect(encodeFrame(FLAG_MORE, Buffer.alloc(300))[0]).toBe(FLAG_MORE | FLAG_LONG);
    expect(encodeFrame(FLAG_COMMAND, Buffer.alloc(300))[0]).toBe(FLAG_COMMAND | FLAG_LONG);
  });
});

describe('decoding', () => {
  it.each(SIZES)('decodes a hand-built %i-byte frame (short form up to 255, long form above)', (size) => {
    const body = patterned(size);
    const frames = decodeChunks([frameBytes(FLAG_MORE, body)]);
    expect(frames.length).toBe(1);
    expect(frames[0]!.flags).toBe(FLAG_MORE); // LONG is cleared
    expect(frames[0]!.body.equals(body)).toBe(true);
  });

  it.each(SIZES)('roundtrips encodeFrame → FrameDecoder for a %i-byte body', (size) => {
    const body = patterned(size);
    const frames = decodeChunks([encodeFrame(0, body), encodeFrame(FLAG_MORE, Buffer.from('next'))]);
    expect(frames.map((f) => [f.flags, f.body.length])).toEqual([
      [0, size],
      [FLAG_MORE, 4],
    ]);
    expect(frames[0]!.body.equals(body)).toBe(true);
  });

  it('passes MORE and COMMAND through and clears LONG', () => {
    const s = Buffer.concat([
      frameBytes(FLAG_MORE, 'a'),
      frameBytes(0, 'b'),
      frameBytes(FLAG_COMMAND, 'c'),
      frameBytes(FLAG_MORE, 'd', true),
      frameBytes(FLAG_COMMAND, 'e', true),
    ]);
    expect(decodeChunks([s]).map((f) => [f.flags, f.body.toString()])).toEqual([
      [FLAG_MORE, 'a'],
      [0, 'b'],
      [FLAG_COMMAND, 'c'],
      [FLAG_MORE, 'd'],
      [FLAG_COMMAND, 'e'],
    ]);
  });

  it('accepts the long form for small sizes (0 and 5)', () => {
    const s = Buffer.concat([Buffer.from([0x02, 0, 0, 0, 0, 0, 0, 0, 5]), Buffer.from('hello'), Buffer.from([0x03, 0, 0, 0, 0, 0, 0, 0, 0])]);
    expect(decodeChunks([s]).map((f) => [f.flags, f.body.toString()])).toEqual([
      [0, 'hello'],
      [FLAG_MORE, ''],
    ]);
  });

  it('delivers nothing for a partial frame and finishes it on the next chunk', () => {
    const got: DecodedFrame[] = [];
    const d = new FrameDecoder((flags, body) => got.push({ flags, body }));
    d.feed(Buffer.from([0x00, 3, 0x61]));
    expect(got).toEqual([]);
    d.feed(Buffer.from([0x62, 0x63]));
    expect(got.map((f) => f.body.toString())).toEqual(['abc']);
  });
});

describe('input split at any byte boundary', () => {
  // small stream: short, empty, command and long-form-encoded small frames
  const small: DecodedFrame[] = [
    { flags: FLAG_MORE, body: Buffer.from('') },
    { flags: FLAG_MORE, body: Buffer.from('x') },
    { flags: 0, body: Buffer.from('hello') },
    { flags: FLAG_COMMAND, body: Buffer.from('\x04PING\x00\x0a', 'latin1') },
    { flags: FLAG_MORE, body: Buffer.from('long') },
    { flags: 0, body: Buffer.from('') },
  ];
  const smallStream = stream(small, (i) => i >= 4); // last two frames use the 8-byte size form

  it('every single split point of a small stream yields identical frames', () => {
    for (let i = 0; i <= smallStream.length; i++) {
      const d = diffFrames(decodeChunks([smallStream.subarray(0, i), smallStream.subarray(i)]), small);
      expect(d, `split at ${i}`).toBeUndefined();
    }
  });

  it('every pair of split points of a small stream yields identical frames', () => {
    for (let i = 0; i <= smallStream.length; i++) {
      for (let j = i; j <= smallStream.length; j++) {
        const chunks = [smallStream.subarray(0, i), smallStream.subarray(i, j), smallStream.subarray(j)];
        expect(diffFrames(decodeChunks(chunks), small), `splits at ${i},${j}`).toBeUndefined();
      }
    }
  });

  it('byte-at-a-time yields identical frames', () => {
    const chunks = [...smallStream].map((b) => Buffer.from([b]));
    expect(diffFrames(decodeChunks(chunks), small)).toBeUndefined();
  });

  it('every single split point of a stream with long frames (256..1000 bytes) yields identical frames', () => {
    const frames: DecodedFrame[] = [0, 1, 255, 256, 300, 1000, 2].map((n, i) => ({ flags: i % 2 ? FLAG_MORE : 0, body: patterned(n, i) }));
    const s = stream(frames);
    for (let i = 0; i <= s.length; i++) {
      expect(diffFrames(decodeChunks([s.subarray(0, i), s.subarray(i)]), frames), `split at ${i}`).toBeUndefined();
    }
  });

  it('random splits (fixed seed) of a large mixed stream yield identical frames', () => {
    const rand = prng(0x5eed);
    const frames: DecodedFrame[] = [];
    for (let i = 0; i < 60; i++) {
      const kind = rand();
      const size = kind < 0.6 ? randInt(rand, 0, 300) : kind < 0.95 ? randInt(rand, 256, 9000) : randInt(rand, 65530, 70000);
      frames.push({ flags: [0, FLAG_MORE, FLAG_COMMAND][randInt(rand, 0, 2)]!, body: randomBytes(rand, size) });
    }
    const s = stream(frames, () => rand() < 0.1);
    for (let round = 0; round < 200; round++) {
      const chunks = randomSplit(rand, s, randInt(rand, 1, 400));
      expect(diffFrames(decodeChunks(chunks), frames), `round ${round}: ${chunks.length} pieces`).toBeUndefined();
    }
  });
});

describe('zero-copy', () => {
  it('a body that arrives whole in a small chunk is a view of the chunk', () => {
    const chunk = Buffer.concat([Buffer.from([0x00, 100]), patterned(100), Buffer.from([0x01, 3]), Buffer.from('abc')]);
    const own = Buffer.alloc(chunk.length);
    chunk.copy(own);
    const [a, b] = decodeChunks([own]);
    expect(a!.body.buffer).toBe(own.buffer);
    expect(a!.body.byteOffset).toBe(own.byteOffset + 2);
    expect(b!.body.buffer).toBe(own.buffer);
    expect(b!.body.byteOffset).toBe(own.byteOffset + 104);
  });

  it(`a small body in a chunk of exactly PIN_ABOVE (${PIN_ABOVE}) bytes is still a view`, () => {
    const chunk = Buffer.alloc(PIN_ABOVE);
    frameBytes(0, patterned(100)).copy(chunk, 0); // 102 bytes
    frameBytes(0, Buffer.alloc(PIN_ABOVE - 102 - 9), true).copy(chunk, 102);
    const [small, rest] = decodeChunks([chunk]);
    expect(small!.body.buffer).toBe(chunk.buffer);
    expect(small!.body.byteOffset).toBe(chunk.byteOffset + 2);
    expect(rest!.body.length).toBe(PIN_ABOVE - 111);
  });

  it(`a small body (< COPY_BELOW) in a chunk larger than PIN_ABOVE is a copy`, () => {
    const big = Buffer.alloc(PIN_ABOVE + 1);
    frameBytes(0, patterned(100)).copy(big, 0); // 102 bytes
    // fill the rest with one frame so the chunk is consumed exactly
    frameBytes(0, patterned(big.length - 102 - 9), true).copy(big, 102);
    const [small, rest] = decodeChunks([big]);
    expect(small!.body.length).toBe(100);
    expect(small!.body.buffer).not.toBe(big.buffer);
    big.fill(0, 2, 102);
    expect(small!.body.equals(patterned(100))).toBe(true); // unaffected by reuse of the read buffer
    expect(rest!.body.length).toBeGreaterThanOrEqual(COPY_BELOW);
    expect(rest!.body.buffer).toBe(big.buffer); // large body: still a view
  });

  it('COPY_BELOW boundary: 1023 bytes are copied, 1024 bytes are viewed, in a large chunk', () => {
    expect(COPY_BELOW).toBe(1024);
    const big = Buffer.alloc(8192);
    const f1 = frameBytes(0, patterned(1023));
    const f2 = frameBytes(0, patterned(1024));
    f1.copy(big, 0);
    f2.copy(big, f1.length);
    const restAt = f1.length + f2.length;
    frameBytes(0, Buffer.alloc(big.length - restAt - 9), true).copy(big, restAt);
    const [a, b] = decodeChunks([big]);
    expect(a!.body.buffer).not.toBe(big.buffer);
    expect(b!.body.buffer).toBe(big.buffer);
  });

  it('a body split across chunks is assembled once into a buffer of its exact size', () => {
    const body = patterned(10_000);
    const s = frameBytes(0, body);
    const [f] = decodeChunks([s.subarray(0, 3000), s.subarray(3000, 7000), s.subarray(7000)]);
    expect(f!.body.equals(body)).toBe(true);
    expect(f!.body.byteOffset).toBe(0);
    expect(f!.body.buffer.byteLength).toBe(10_000);
  });
});

describe('malformed frames', () => {
  it.each([0x08, 0x10, 0x20, 0x40, 0x80, 0xf8, 0x09])('reserved flag bits (flags %i) → EPROTO', (flags) => {
    const hex = flags.toString(16).padStart(2, '0');
    expectZmqError(() => decodeChunks([Buffer.from([flags, 1, 0x61])]), 'EPROTO', /reserved flag bits/, `0x${hex}`);
    // also in the long form, and when the header arrives split
    const long = Buffer.from([flags | FLAG_LONG, 0, 0, 0, 0, 0, 0, 0, 1, 0x61]);
    expectZmqError(() => decodeChunks([long.subarray(0, 4), long.subarray(4)]), 'EPROTO', /reserved flag bits/);
  });

  it('COMMAND|MORE → EPROTO, short and long form', () => {
    expectZmqError(() => decodeChunks([Buffer.from([0x05, 0])]), 'EPROTO', /command frame must not have the MORE flag/);
    expectZmqError(() => decodeChunks([Buffer.from([0x07, 0, 0, 0, 0, 0, 0, 0, 0])]), 'EPROTO', /MORE/);
  });

  it('delivers the frames before a malformed one, then throws at the malformed one', () => {
    const got: DecodedFrame[] = [];
    const d = new FrameDecoder((flags, body) => got.push({ flags, body }));
    expectZmqError(() => d.feed(Buffer.concat([frameBytes(0, 'ok'), Buffer.from([0x10, 0])])), 'EPROTO');
    expect(got.map((f) => f.body.toString())).toEqual(['ok']);
  });
});

describe('maxMessageSize', () => {
  afterEach(() => vi.restoreAllMocks());

  it('rejects a 1 GiB frame from its 9-byte header alone, without allocating its body', () => {
    const allocUnsafe = vi.spyOn(Buffer, 'allocUnsafe');
    const alloc = vi.spyOn(Buffer, 'alloc');
    const before = process.memoryUsage().arrayBuffers;
    const header = Buffer.from([0x02, 0, 0, 0, 0, 0x40, 0, 0, 0]); // 2^30 bytes
    const d = new FrameDecoder(() => expect.unreachable('no frame'), MiB);
    expectZmqError(() => d.feed(header), 'EMSGSIZE', /limit is 1048576/, /1073741824/);
    const big = (spy: typeof alloc) => spy.mock.calls.filter(([n]) => Number(n) > 64 * 1024);
    expect(big(allocUnsafe)).toEqual([]);
    expect(big(alloc)).toEqual([]);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * MiB);
  });

  it('rejects the 1 GiB header even when it arrives one byte at a time', () => {
    const header = Buffer.from([0x02, 0, 0, 0, 0, 0x40, 0, 0, 0]);
    const d = new FrameDecoder(() => expect.unreachable('no frame'), MiB);
    for (let i = 0; i < 8; i++) d.feed(header.subarray(i, i + 1));
    expectZmqError(() => d.feed(header.subarray(8)), 'EMSGSIZE');
  });

  it('accepts exactly maxMessageSize and rejects one more, from the short header', () => {
    expect(decodeChunks([frameBytes(0, patterned(10))], 10)[0]!.body.length).toBe(10);
    expectZmqError(() => decodeChunks([Buffer.from([0x00, 11])], 10), 'EMSGSIZE', /limit is 10/, /11 bytes/);
    expect(decodeChunks([frameBytes(0, '')], 0).length).toBe(1);
    expectZmqError(() => decodeChunks([Buffer.from([0x00, 1])], 0), 'EMSGSIZE');
  });

  it('applies to command frames too', () => {
    expectZmqError(() => decodeChunks([Buffer.from([0x04, 200])], 100), 'EMSGSIZE');
  });

  it.each([
    ['2^64-1', 'ffffffffffffffff'],
    ['2^63', '8000000000000000'],
    ['2^53', '0020000000000000'],
    ['2^53-1', '001fffffffffffff'],
    ['2^40', '0000010000000000'],
  ])('an absurd 64-bit size (%s) → EMSGSIZE, with a limit and without one', (_name, sizeHex) => {
    const header = Buffer.concat([Buffer.from([0x02]), Buffer.from(sizeHex, 'hex')]);
    expectZmqError(() => decodeChunks([header], MiB), 'EMSGSIZE');
    expectZmqError(() => decodeChunks([header]), 'EMSGSIZE');
  });
});
