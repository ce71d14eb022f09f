// RFC 23 framing: small frames from a large read buffer are copied out in bounded runs.
import { describe, expect, it, vi } from 'vitest';
import { FLAG_MORE, FrameDecoder, RUN_BYTES, encodeFrame } from '../src/index.js';

function decodeAll(chunk: Buffer, max = -1) {
  const frames: Array<{ flags: number; body: Buffer }> = [];
  const d = new FrameDecoder((flags, body) => frames.push({ flags, body }), max);
  return { frames, feed: () => d.feed(chunk) };
}

describe('copy runs', () => {
  const bodies = Array.from({ length: 2000 }, (_, i) => Buffer.alloc(i % 200, i & 0xff));
  const chunk = Buffer.concat(bodies.map((b, i) => encodeFrame(i % 3 === 0 ? FLAG_MORE : 0, b)));

  it('delivers every frame intact and never a view of the read buffer', () => {
    const { frames, feed } = decodeAll(chunk);
    feed();
    expect(frames.length).toBe(bodies.length);
    const copies = new Set<Buffer['buffer']>();
    frames.forEach(({ flags, body }, i) => {
      expect(flags).toBe(i % 3 === 0 ? FLAG_MORE : 0);
      expect(body.equals(bodies[i]!)).toBe(true);
      expect(body.buffer).not.toBe(chunk.buffer);
      copies.add(body.buffer);
    });
    expect(copies.size).toBeGreaterThan(1);
  });

  it('each run copies at most RUN_BYTES (+ one frame), so a retained body pins little', () => {
    const sizes: number[] = [];
    const spy = vi.spyOn(Buffer, 'allocUnsafe').mockImplementation(function (this: unknown, n: number) {
      sizes.push(n);
      return Buffer.allocUnsafeSlow(n);
    });
    try {
      const { frames, feed } = decodeAll(chunk);
      feed();
      expect(frames.length).toBe(bodies.length);
    } finally {
      spy.mockRestore();
    }
    expect(sizes.length).toBeGreaterThan(10);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(RUN_BYTES + 257);
    // Far fewer copies than frames: one per run.
    expect(sizes.length).toBeLessThan(bodies.length / 10);
  });

  it('frames before an invalid one are delivered before the error', () => {
    const good = Buffer.concat(Array.from({ length: 100 }, () => encodeFrame(0, Buffer.alloc(60, 1))));
    const bad = Buffer.from([0x80, 1, 0]); // reserved flag bit
    const { frames, feed } = decodeAll(Buffer.concat([good, bad, good]));
    expect(feed).toThrow(expect.objectContaining({ code: 'EPROTO' }));
    expect(frames.length).toBe(100);
  });

  it('a frame over maxMessageSize ends the run and raises EMSGSIZE after the earlier frames', () => {
    const good = Buffer.concat(Array.from({ length: 100 }, () => encodeFrame(0, Buffer.alloc(60, 1))));
    const { frames, feed } = decodeAll(Buffer.concat([good, encodeFrame(0, Buffer.alloc(100)), good]), 64);
    expect(feed).toThrow(expect.objectContaining({ code: 'EMSGSIZE' }));
    expect(frames.length).toBe(100);
  });
});
