// Z85 (RFC 32) as this package re-exports it from @monocoque/zmtp: the RFC's test vector,
// the zmq_curve(7) key examples, strict rejection.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZmqError } from '@monocoque/zmtp';
import { z85Decode, z85Encode } from '../src/index.js';
import { ZMQ_TEST_KEYS } from './fixtures.js';


function expectEinval(f: () => unknown, pattern: RegExp): void {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ZmqError);
    expect((error as ZmqError).code).toBe('EINVAL');
    expect((error as Error).message).toMatch(pattern);
    return;
  }
  throw new Error('expected an EINVAL ZmqError');
}

describe('Z85 (RFC 32)', () => {
  it('encodes the RFC test case 86 4F D2 6F B5 59 F7 5B as "HelloWorld" and back', () => {
    const bytes = Uint8Array.of(0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b);
    expect(z85Encode(bytes)).toBe('HelloWorld');
    expect(Buffer.from(z85Decode('HelloWorld')).toString('hex')).toBe('864fd26fb559f75b');
  });

  it('maps the four 32-byte keys of zmq_curve(7) both ways', () => {
    for (const [hex, text] of Object.values(ZMQ_TEST_KEYS)) {
      expect(z85Encode(Buffer.from(hex, 'hex'))).toBe(text);
      expect(Buffer.from(z85Decode(text)).toString('hex').toUpperCase()).toBe(hex);
    }
  });

  it('round-trips any multiple of 4 bytes, and the empty string', () => {
    expect(z85Encode(new Uint8Array(0))).toBe('');
    expect(z85Decode('').length).toBe(0);
    expect(z85Encode(new Uint8Array(4))).toBe('00000');
    expect(z85Encode(Uint8Array.of(255, 255, 255, 255))).toBe('%nSc0');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 64 }).chain((n) => fc.uint8Array({ minLength: n * 4, maxLength: n * 4 })), (bytes) => {
        const text = z85Encode(bytes);
        expect(text.length).toBe((bytes.length / 4) * 5);
        expect(Buffer.from(z85Decode(text)).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('refuses lengths that are not multiples of 4 (encode) or 5 (decode)', () => {
    expectEinval(() => z85Encode(new Uint8Array(3)), /multiple of 4, got 3 bytes/);
    expectEinval(() => z85Decode('Hello1'), /multiple of 5, got 6 characters/);
    expectEinval(() => z85Decode(42 as unknown as string), /multiple of 5, got number/);
  });

  it('refuses characters outside the alphabet, naming the offset', () => {
    expectEinval(() => z85Decode('Hell"World'), /"\\"" at offset 4 is not a Z85 character/);
    expectEinval(() => z85Decode('HelloWor d'), /" " at offset 8/);
    expectEinval(() => z85Decode('Hello\u00e9orld'), /offset 5/);
    expectEinval(() => z85Decode('Hello~orld'), /offset 5/);
  });

  it('refuses a group above 2^32 - 1 ("%nSc1" and "#####" overflow; "%nSc0" is the maximum)', () => {
    expect([...z85Decode('%nSc0')]).toEqual([255, 255, 255, 255]);
    expectEinval(() => z85Decode('%nSc1'), /group at offset 0 \("%nSc1"\) exceeds 32 bits/);
    expectEinval(() => z85Decode('00000#####'), /group at offset 5 \("#####"\) exceeds 32 bits/);
  });
});
