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
    expect(String(write.mock.calls[0]![0])).toBe('monocoque: CURVE box backend sodium (sodium-native loaded)\n');
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

  it('forcing sodium where sodium-native cannot load is a loud ENOTSUP, not a fallback', async () => {
    vi.stubEnv('MONOCOQUE_CURVE_BACKEND', 'sodium');
    vi.resetModules();
    vi.doMock('node:module', async (orig) => {
      const real = await orig<typeof import('node:module')>();
      return {
        ...real,
        createRequire: () => () => {
          throw new Error("Cannot find module 'sodium-native'");
        },
      };
    });
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
    vi.resetModules();
    vi.doMock('node:module', async (orig) => {
      const real = await orig<typeof import('node:module')>();
      return {
        ...real,
        createRequire: () => () => {
          throw new Error('no prebuild for this platform');
        },
      };
    });
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
