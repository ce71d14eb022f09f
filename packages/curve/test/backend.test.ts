// Box backends: known answers against libsodium (libsodium-wrappers), noble ≡ sodium-native
// byte for byte (including which forgeries they refuse), and the load-time choice.
import fc from 'fast-check';
import sodium from 'libsodium-wrappers';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ZmqError } from '@monocoque/zmtp';
import { nobleBackend } from '../src/backend/noble.js';
import { loadSodiumBackend } from '../src/backend/sodium.js';
import type { BoxBackend } from '../src/backend/types.js';

beforeAll(async () => {
  await sodium.ready;
});

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  vi.resetModules();
});

/** sodium-native is an optional dependency, but this workspace installs it: its absence is a failure here. */
function sodiumBackend(): BoxBackend {
  const loaded = loadSodiumBackend();
  if (!loaded.ok) throw new Error(`sodium-native should load in this workspace: ${loaded.reason}`);
  return loaded.backend;
}

const BACKENDS: Array<[string, () => BoxBackend]> = [
  ['noble', () => nobleBackend],
  ['sodium', sodiumBackend],
];

const key32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const nonce24 = fc.uint8Array({ minLength: 24, maxLength: 24 });
/** Lengths around the 32-byte and 64-byte keystream edges, and some larger ones. */
const plaintext = fc.oneof(fc.uint8Array({ minLength: 0, maxLength: 300 }), fc.uint8Array({ minLength: 1000, maxLength: 5000 }));

function seal(backend: BoxBackend, m: Uint8Array, n: Uint8Array, k: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + m.length);
  backend.seal(out, 0, m, n, k);
  return out;
}

function open(backend: BoxBackend, c: Uint8Array, n: Uint8Array, k: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(Math.max(0, c.length - 16));
  return backend.open(out, 0, c, n, k) ? out : undefined;
}

describe.each(BACKENDS)('%s backend against libsodium', (_name, get) => {
  it('publicKey = crypto_scalarmult_base', () => {
    const backend = get();
    fc.assert(
      fc.property(key32, (sk) => {
        expect(backend.publicKey(sk)).toEqual(sodium.crypto_scalarmult_base(sk));
      }),
      { numRuns: 50 },
    );
  });

  it('beforenm = crypto_box_beforenm for random key pairs', () => {
    const backend = get();
    fc.assert(
      fc.property(key32, key32, (a, b) => {
        const pk = sodium.crypto_scalarmult_base(b);
        expect(backend.beforenm(pk, a)).toEqual(sodium.crypto_box_beforenm(pk, a));
      }),
      { numRuns: 50 },
    );
  });

  it('beforenm refuses a low-order public key, as libsodium does', () => {
    const backend = get();
    const sk = new Uint8Array(32).fill(5);
    expect(() => sodium.crypto_box_beforenm(new Uint8Array(32), sk)).toThrow();
    expect(backend.beforenm(new Uint8Array(32), sk)).toBeUndefined();
  });

  it('seal = crypto_box_easy_afternm (MAC || ciphertext) and open = crypto_box_open_easy_afternm', () => {
    const backend = get();
    fc.assert(
      fc.property(plaintext, nonce24, key32, (m, n, k) => {
        const expected = sodium.crypto_box_easy_afternm(m, n, k);
        const sealed = seal(backend, m, n, k);
        expect(sealed).toEqual(expected);
        expect(open(backend, expected, n, k)).toEqual(m);
      }),
      { numRuns: 150 },
    );
  });

  it('seals in place at an offset and opens in place', () => {
    const backend = get();
    fc.assert(
      fc.property(plaintext, nonce24, key32, fc.integer({ min: 0, max: 13 }), (m, n, k, offset) => {
        const frame = new Uint8Array(offset + 16 + m.length + 3).fill(0xaa);
        frame.set(m, offset + 16);
        backend.seal(frame, offset, frame.subarray(offset + 16, offset + 16 + m.length), n, k);
        expect(frame.subarray(offset, offset + 16 + m.length)).toEqual(sodium.crypto_box_easy_afternm(m, n, k));
        expect(frame.subarray(0, offset).every((b) => b === 0xaa)).toBe(true);
        expect(frame.subarray(offset + 16 + m.length).every((b) => b === 0xaa)).toBe(true);
        const box = frame.subarray(offset, offset + 16 + m.length);
        expect(backend.open(frame, offset + 16, box, n, k)).toBe(true);
        expect(frame.subarray(offset + 16, offset + 16 + m.length)).toEqual(m);
      }),
      { numRuns: 60 },
    );
  });
});

/** The two MESSAGE nonce prefixes, and random ones. */
const prefix16 = fc.oneof(
  fc.constantFrom(new Uint8Array(Buffer.from('CurveZMQMESSAGEC', 'latin1')), new Uint8Array(Buffer.from('CurveZMQMESSAGES', 'latin1'))),
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
);
const counter8 = fc.uint8Array({ minLength: 8, maxLength: 8 });

function nonceOf(prefix: Uint8Array, counter: Uint8Array): Uint8Array {
  const n = new Uint8Array(24);
  n.set(prefix);
  n.set(counter, 16);
  return n;
}

describe.each(BACKENDS)('%s messageBoxes (cached per key and nonce prefix) against libsodium', (_name, get) => {
  it('seal = crypto_box_easy_afternm and open = crypto_box_open_easy_afternm, message after message on one object', () => {
    const backend = get();
    fc.assert(
      fc.property(key32, prefix16, fc.array(fc.tuple(plaintext, counter8), { minLength: 1, maxLength: 6 }), (k, prefix, messages) => {
        const boxes = backend.messageBoxes(k, prefix);
        for (const [m, counter] of messages) {
          const n = nonceOf(prefix, counter);
          const expected = sodium.crypto_box_easy_afternm(m, n, k);
          const out = new Uint8Array(16 + m.length);
          boxes.seal(out, 0, m, n);
          expect(out).toEqual(expected);
          const back = new Uint8Array(m.length);
          expect(boxes.open(back, 0, expected, n)).toBe(true);
          expect(back).toEqual(m);
        }
        boxes.destroy();
      }),
      { numRuns: 80 },
    );
  });

  it('matches libsodium at the keystream and scratch-buffer edges (0-65, 2047-2049 bytes)', () => {
    const backend = get();
    const k = new Uint8Array(32).map((_, i) => i * 7);
    const prefix = new Uint8Array(Buffer.from('CurveZMQMESSAGES', 'latin1'));
    const boxes = backend.messageBoxes(k, prefix);
    for (const length of [0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 2047, 2048, 2049, 65_537]) {
      const m = new Uint8Array(length).map((_, i) => i * 13 + length);
      const n = nonceOf(prefix, Uint8Array.of(0, 0, 0, 0, 0, 0, length >> 8, length & 0xff));
      const out = new Uint8Array(16 + length);
      boxes.seal(out, 0, m, n);
      expect(out).toEqual(sodium.crypto_box_easy_afternm(m, n, k));
      const back = new Uint8Array(length);
      expect(boxes.open(back, 0, out, n)).toBe(true);
      expect(back).toEqual(m);
    }
  });

  it('seals in place at any alignment and opens in place', () => {
    const backend = get();
    fc.assert(
      fc.property(plaintext, key32, prefix16, counter8, fc.integer({ min: 0, max: 13 }), (m, k, prefix, counter, offset) => {
        const boxes = backend.messageBoxes(k, prefix);
        const n = nonceOf(prefix, counter);
        const frame = new Uint8Array(offset + 16 + m.length + 3).fill(0xaa);
        frame.set(m, offset + 16);
        boxes.seal(frame, offset, frame.subarray(offset + 16, offset + 16 + m.length), n);
        expect(frame.subarray(offset, offset + 16 + m.length)).toEqual(sodium.crypto_box_easy_afternm(m, n, k));
        expect(frame.subarray(0, offset).every((b) => b === 0xaa)).toBe(true);
        expect(frame.subarray(offset + 16 + m.length).every((b) => b === 0xaa)).toBe(true);
        expect(boxes.open(frame, offset + 16, frame.subarray(offset, offset + 16 + m.length), n)).toBe(true);
        expect(frame.subarray(offset + 16, offset + 16 + m.length)).toEqual(m);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses the forgeries libsodium refuses: flipped MAC, ciphertext or counter bit, another prefix or key, truncation', () => {
    const backend = get();
    const where = fc.constantFrom('mac', 'ciphertext', 'counter', 'prefix', 'key', 'truncate', 'extend');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), key32, prefix16, counter8, where, fc.nat(), fc.integer({ min: 0, max: 7 }), (m, k, prefix, counter, kind, pick, bit) => {
        const n = nonceOf(prefix, counter);
        const box = sodium.crypto_box_easy_afternm(m, n, k);
        let input = new Uint8Array(box);
        const badNonce = new Uint8Array(n);
        const badPrefix = new Uint8Array(prefix);
        const badKey = new Uint8Array(k);
        switch (kind) {
          case 'mac':
            input[pick % 16]! ^= 1 << bit;
            break;
          case 'ciphertext':
            input[16 + (pick % m.length)]! ^= 1 << bit;
            break;
          case 'counter':
            badNonce[16 + (pick % 8)]! ^= 1 << bit;
            break;
          case 'prefix':
            badPrefix[pick % 16]! ^= 1 << bit;
            badNonce.set(badPrefix);
            break;
          case 'key':
            badKey[pick % 32]! ^= 1 << bit;
            break;
          case 'truncate':
            input = input.subarray(0, pick % box.length);
            break;
          case 'extend':
            input = Uint8Array.from([...box, pick & 0xff]);
            break;
        }
        expect(() => sodium.crypto_box_open_easy_afternm(input, badNonce, badKey)).toThrow();
        const out = new Uint8Array(Math.max(0, input.length - 16)).fill(0x55);
        expect(backend.messageBoxes(badKey, badPrefix).open(out, 0, input, badNonce)).toBe(false);
        expect(out.every((b) => b === 0x55)).toBe(true); // nothing written
        // The genuine box still opens on the same kind of object.
        const back = new Uint8Array(m.length);
        expect(backend.messageBoxes(k, prefix).open(back, 0, box, n)).toBe(true);
        expect(back).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });
});

describe('noble and sodium-native agree', () => {
  it('produce identical bytes for beforenm and seal', () => {
    const s = sodiumBackend();
    fc.assert(
      fc.property(plaintext, nonce24, key32, key32, (m, n, a, b) => {
        const pk = s.publicKey(b);
        expect(nobleBackend.publicKey(b)).toEqual(pk);
        const k1 = nobleBackend.beforenm(pk, a)!;
        expect(s.beforenm(pk, a)).toEqual(k1);
        expect(seal(nobleBackend, m, n, k1)).toEqual(seal(s, m, n, k1));
      }),
      { numRuns: 100 },
    );
  });

  it('refuse the same forgeries: any flipped MAC, ciphertext or nonce bit, wrong key, truncation', () => {
    const s = sodiumBackend();
    const where = fc.constantFrom('mac', 'ciphertext', 'nonce', 'key', 'truncate', 'extend');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), nonce24, key32, where, fc.nat(), fc.integer({ min: 0, max: 7 }), (m, n, k, kind, pick, bit) => {
        const box = seal(nobleBackend, m, n, k);
        const badBox = new Uint8Array(box);
        const badNonce = new Uint8Array(n);
        const badKey = new Uint8Array(k);
        let input = badBox;
        switch (kind) {
          case 'mac':
            badBox[pick % 16]! ^= 1 << bit;
            break;
          case 'ciphertext':
            badBox[16 + (pick % m.length)]! ^= 1 << bit;
            break;
          case 'nonce':
            badNonce[pick % 24]! ^= 1 << bit;
            break;
          case 'key':
            badKey[pick % 32]! ^= 1 << bit;
            break;
          case 'truncate':
            input = badBox.subarray(0, pick % box.length);
            break;
          case 'extend':
            input = Uint8Array.from([...box, pick & 0xff]);
            break;
        }
        expect(open(nobleBackend, input, badNonce, badKey)).toBeUndefined();
        expect(open(s, input, badNonce, badKey)).toBeUndefined();
        expect(() => sodium.crypto_box_open_easy_afternm(input, badNonce, badKey)).toThrow();
        // Both still open the genuine box.
        expect(open(nobleBackend, box, n, k)).toEqual(m);
        expect(open(s, box, n, k)).toEqual(m);
      }),
      { numRuns: 300 },
    );
  });

  it('write nothing into the output when a box is refused', () => {
    const k = new Uint8Array(32).fill(1);
    const n = new Uint8Array(24).fill(2);
    const box = seal(nobleBackend, new Uint8Array(40).fill(3), n, k);
    box[20]! ^= 1;
    for (const backend of [nobleBackend, sodiumBackend()]) {
      const out = new Uint8Array(40).fill(0x55);
      expect(backend.open(out, 0, box, n, k)).toBe(false);
      expect(out.every((b) => b === 0x55)).toBe(true);
    }
  });
});

describe('backend choice', () => {
  async function fresh(): Promise<typeof import('../src/backend/index.js')> {
    vi.resetModules();
    return import('../src/backend/index.js');
  }

  it('prefers sodium-native when it loads, and says so on one debug line', async () => {
    vi.stubEnv('MONOCOQUE_CURVE_BACKEND', '');
    vi.stubEnv('NODE_DEBUG', 'monocoque');
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { curveBackend } = await fresh();
    expect(curveBackend()).toEqual({ name: 'sodium', reason: 'sodium-native loaded' });
    curveBackend();
    expect(write).toHaveBeenCalledTimes(1);
    expect(String(write.mock.calls[0]![0])).toMatch(/^MONOCOQUE \d+: CURVE box backend sodium \(sodium-native loaded\)\n$/);
  });

  it('prints nothing without NODE_DEBUG=monocoque', async () => {
    vi.stubEnv('NODE_DEBUG', '');
    vi.stubEnv('MONOCOQUE_DEBUG', '');
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { curveBackend } = await fresh();
    curveBackend();
    expect(write).not.toHaveBeenCalled();
  });

  it('MONOCOQUE_CURVE_BACKEND=noble forces noble', async () => {
    vi.stubEnv('MONOCOQUE_CURVE_BACKEND', 'noble');
    const { curveBackend, getBoxBackend } = await fresh();
    expect(curveBackend()).toEqual({ name: 'noble', reason: 'forced by MONOCOQUE_CURVE_BACKEND=noble' });
    expect(getBoxBackend().name).toBe('noble');
    expect(getBoxBackend('sodium').name).toBe('sodium');
  });

  it('MONOCOQUE_CURVE_BACKEND=sodium forces sodium; an unknown value is EINVAL', async () => {
    vi.stubEnv('MONOCOQUE_CURVE_BACKEND', 'sodium');
    expect((await fresh()).curveBackend().name).toBe('sodium');
    vi.stubEnv('MONOCOQUE_CURVE_BACKEND', 'openssl');
    const { curveBackend } = await fresh();
    expect(() => curveBackend()).toThrow(/MONOCOQUE_CURVE_BACKEND: expected "noble" or "sodium", got "openssl"/);
  });

  /** Fresh backend modules that see `require('sodium-native')` throw `reason` (undo with vi.doUnmock('node:module')). */
  function sodiumFailsToLoad(reason: string): void {
    vi.resetModules();
    vi.doMock('node:module', async (orig) => {
      const real = await orig<typeof import('node:module')>();
      return {
        ...real,
        createRequire: () => () => {
          throw new Error(reason);
        },
      };
    });
  }

  it('forcing sodium where sodium-native cannot load is a loud ENOTSUP, not a fallback', async () => {
    vi.stubEnv('MONOCOQUE_CURVE_BACKEND', 'sodium');
    sodiumFailsToLoad("Cannot find module 'sodium-native'");
    try {
      const { curveBackend, sodiumAvailability, setCurveBackend } = await import('../src/backend/index.js');
      let caught: unknown;
      try {
        curveBackend();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ZmqError);
      expect((caught as ZmqError).code).toBe('ENOTSUP');
      expect((caught as Error).message).toMatch(/forced by MONOCOQUE_CURVE_BACKEND, but it is unavailable: sodium-native did not load: Cannot find module 'sodium-native'/);
      expect(sodiumAvailability()).toEqual({ available: false, reason: "sodium-native did not load: Cannot find module 'sodium-native'" });
      expect(() => setCurveBackend('sodium')).toThrow(/unavailable/);
      vi.stubEnv('MONOCOQUE_CURVE_BACKEND', '');
      expect(setCurveBackend('noble').name).toBe('noble');
    } finally {
      vi.doUnmock('node:module');
    }
  });

  it('falls back to noble, saying why, when sodium-native cannot load', async () => {
    vi.stubEnv('MONOCOQUE_CURVE_BACKEND', '');
    sodiumFailsToLoad('no prebuild for this platform');
    try {
      const { curveBackend } = await import('../src/backend/index.js');
      expect(curveBackend()).toEqual({ name: 'noble', reason: 'sodium-native did not load: no prebuild for this platform; using @noble (pure JavaScript)' });
    } finally {
      vi.doUnmock('node:module');
    }
  });

  it('setCurveBackend picks explicitly and refuses unknown names', async () => {
    const { setCurveBackend, curveBackend } = await fresh();
    expect(setCurveBackend('noble')).toEqual({ name: 'noble', reason: 'picked with setCurveBackend("noble")' });
    expect(curveBackend().name).toBe('noble');
    expect(setCurveBackend('sodium').name).toBe('sodium');
    expect(() => setCurveBackend('x' as 'noble')).toThrow(/expected "noble" or "sodium", got "x"/);
  });
});
