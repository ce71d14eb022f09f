import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z85Decode, z85Encode } from '../src/index.js';

describe('RFC 32 Z85', () => {
  it('encodes and decodes the RFC example', () => {
    const bytes = Buffer.from([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]);
    expect(z85Encode(bytes)).toBe('HelloWorld');
    expect(z85Decode('HelloWorld')).toEqual(bytes);
  });

  it('round-trips any multiple of 4 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }).map((a) => a.subarray(0, a.length - (a.length % 4))), (bytes) => {
        const text = z85Encode(bytes);
        expect(text.length).toBe((bytes.length / 4) * 5);
        expect(new Uint8Array(z85Decode(text))).toEqual(bytes);
      }),
    );
  });

  it('encodes the extremes of a group', () => {
    expect(z85Encode(new Uint8Array(4))).toBe('00000');
    expect(z85Encode(new Uint8Array([255, 255, 255, 255]))).toBe('%nSc0');
    expect(z85Decode('%nSc0')).toEqual(Buffer.from([255, 255, 255, 255]));
  });

  it('refuses bad lengths, characters outside the alphabet and groups above 32 bits, with EINVAL', () => {
    expect(() => z85Encode(new Uint8Array(3))).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(/multiple of 4, got 3 bytes/) }));
    expect(() => z85Decode('Hell')).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(/multiple of 5, got 4 characters/) }));
    expect(() => z85Decode('Hello Worl')).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(/" " at offset 5/) }));
    expect(() => z85Decode('#####')).toThrow(expect.objectContaining({ code: 'EINVAL', message: expect.stringMatching(/exceeds 32 bits/) }));
    expect(() => z85Decode('\u00e9aaaa')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });
});
