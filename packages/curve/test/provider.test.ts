// The curve* socket options: normalisation, libzmq's rules for building the mechanism,
// and the ./register entry installing the provider in core.
import { describe, expect, it } from 'vitest';
// core does not export its provider lookup; the test reads it from core's source.
import { optionProvider } from '../../core/src/options.js';
import { ZmqError } from '@monocoque/zmtp';
import { CURVE_OPTIONS, curve, curveKeyPair, curveOptionProvider, z85Decode } from '../src/index.js';
import { ZMQ_TEST_KEYS } from './fixtures.js';

const SERVER = curveKeyPair();
const CLIENT = curveKeyPair();

function einval(f: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    f();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ZmqError);
  expect((caught as ZmqError).code).toBe('EINVAL');
  expect((caught as Error).message).toMatch(pattern);
}

describe('curveOptionProvider.normalise', () => {
  const p = curveOptionProvider;

  it('keeps booleans for curveServer (null unsets to false) and refuses anything else', () => {
    expect(p.normalise('curveServer', true)).toBe(true);
    expect(p.normalise('curveServer', false)).toBe(false);
    expect(p.normalise('curveServer', null)).toBe(false);
    einval(() => p.normalise('curveServer', 1), /option curveServer: expected true or false, got number/);
  });

  it('stores keys as their canonical 40-character Z85 text, from Z85 or 32 bytes; null unsets', () => {
    for (const option of ['curvePublicKey', 'curveSecretKey', 'curveServerKey']) {
      expect(p.normalise(option, ZMQ_TEST_KEYS.serverPublic[1])).toBe(ZMQ_TEST_KEYS.serverPublic[1]);
      expect(p.normalise(option, Buffer.from(ZMQ_TEST_KEYS.serverPublic[0], 'hex'))).toBe(ZMQ_TEST_KEYS.serverPublic[1]);
      expect(p.normalise(option, new Uint8Array(Buffer.from(ZMQ_TEST_KEYS.clientSecret[0], 'hex')))).toBe(ZMQ_TEST_KEYS.clientSecret[1]);
      expect(p.normalise(option, null)).toBeNull();
    }
  });

  it('refuses malformed keys with EINVAL naming the option', () => {
    einval(() => p.normalise('curveServerKey', 'tooshort'), /option curveServerKey: expected a CURVE key as 40 Z85 characters or 32 bytes, got a string of 8 characters/);
    einval(() => p.normalise('curvePublicKey', new Uint8Array(33)), /option curvePublicKey: .*got 33 bytes/);
    einval(() => p.normalise('curveSecretKey', 7), /option curveSecretKey: .*got number/);
    einval(() => p.normalise('curveSecretKey', `${ZMQ_TEST_KEYS.serverPublic[1].slice(0, 39)}~`), /option curveSecretKey: not a valid Z85 key/);
    einval(() => p.normalise('plainServer', true), /does not provide option "plainServer"/);
  });
});

describe('curveOptionProvider.mechanism', () => {
  const p = curveOptionProvider;
  const values = (v: Record<string, unknown>) => ({ curveServer: false, curvePublicKey: null, curveSecretKey: null, curveServerKey: null, ...v });

  it('builds nothing when no CURVE option is set', () => {
    expect(p.mechanism(values({}), 'DEALER')).toBeUndefined();
  });

  it('builds a server from curveServer + curveSecretKey (curvePublicKey is not used, as libzmq)', () => {
    const m = p.mechanism(values({ curveServer: true, curveSecretKey: SERVER.secretKey, curvePublicKey: CLIENT.publicKey }), 'ROUTER');
    expect(m).toMatchObject({ name: 'CURVE', asServer: true });
  });

  it('builds a client from curveServerKey + curvePublicKey + curveSecretKey', () => {
    const m = p.mechanism(values({ curveServerKey: SERVER.publicKey, curvePublicKey: CLIENT.publicKey, curveSecretKey: CLIENT.secretKey }), 'DEALER');
    expect(m).toMatchObject({ name: 'CURVE', asServer: false });
  });

  it('names the missing options, as libzmq requires them', () => {
    einval(() => p.mechanism(values({ curveServer: true }), 'ROUTER'), /option curveSecretKey: a CURVE server \(curveServer: true\) needs its long-term secret key/);
    einval(() => p.mechanism(values({ curveServerKey: SERVER.publicKey }), 'DEALER'), /option curvePublicKey, curveSecretKey: a CURVE client needs/);
    einval(() => p.mechanism(values({ curvePublicKey: CLIENT.publicKey, curveSecretKey: CLIENT.secretKey }), 'DEALER'), /option curveServerKey: /);
    einval(
      () => p.mechanism(values({ curveServerKey: SERVER.publicKey, curvePublicKey: SERVER.publicKey, curveSecretKey: CLIENT.secretKey }), 'DEALER'),
      /option curvePublicKey: it is not the public key of curveSecretKey/,
    );
  });

  it('curve() builds the same mechanism for the explicit mechanism option', () => {
    expect(curve({ server: true, secretKey: z85Decode(SERVER.secretKey) })).toMatchObject({ name: 'CURVE', asServer: true });
    einval(() => curve({ serverKey: SERVER.publicKey }), /needs secretKey/);
  });
});

describe('@monocoque/curve/register', () => {
  it('registers the provider for the four curve* options in core', async () => {
    await import('../src/register.js');
    expect(CURVE_OPTIONS).toEqual(['curveServer', 'curvePublicKey', 'curveSecretKey', 'curveServerKey']);
    for (const option of CURVE_OPTIONS) expect(optionProvider(option)).toBe(curveOptionProvider);
  });
});
