// Keys: generation and derivation match libsodium's X25519; zeromq.js keys are accepted.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import sodium from 'libsodium-wrappers';
import { beforeAll, describe, expect, it } from 'vitest';
import { ZmqError } from '@monocoque/zmtp';
import { curveKeyBytes, curveKeyPair, curvePublicKey, z85Decode, z85Encode } from '../src/index.js';
import { ZMQ_TEST_KEYS } from './fixtures.js';

beforeAll(async () => {
  await sodium.ready;
});

describe('CURVE keys', () => {
  it('curveKeyPair(): 40-character Z85 keys whose public key is libsodium crypto_scalarmult_base(secret)', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const { publicKey, secretKey } = curveKeyPair();
      expect(publicKey).toHaveLength(40);
      expect(secretKey).toHaveLength(40);
      expect(z85Encode(sodium.crypto_scalarmult_base(z85Decode(secretKey)))).toBe(publicKey);
      seen.add(secretKey);
    }
    expect(seen.size).toBe(20);
  });

  it('curvePublicKey() derives the zmq_curve(7) public keys from their secret keys, from Z85 or bytes', () => {
    expect(curvePublicKey(ZMQ_TEST_KEYS.clientSecret[1])).toBe(ZMQ_TEST_KEYS.clientPublic[1]);
    expect(curvePublicKey(Buffer.from(ZMQ_TEST_KEYS.serverSecret[0], 'hex'))).toBe(ZMQ_TEST_KEYS.serverPublic[1]);
  });

  it('accepts key pairs from npm zeromq (libzmq zmq_curve_keypair): our derived public key is theirs', () => {
    // zeromq is the e2e package's devDependency; it runs in a child process, as in the e2e peers.
    const e2e = fileURLToPath(new URL('../../../e2e/package.json', import.meta.url));
    const zeromq = createRequire(e2e).resolve('zeromq');
    const out = execFileSync(process.execPath, ['-e', `const z=require(${JSON.stringify(zeromq)});console.log(JSON.stringify(Array.from({length:8},()=>z.curveKeyPair())))`], {
      encoding: 'utf8',
    });
    const pairs = JSON.parse(out) as Array<{ publicKey: string; secretKey: string }>;
    expect(pairs).toHaveLength(8);
    for (const pair of pairs) {
      expect(curveKeyBytes(pair.secretKey, 'secretKey')).toHaveLength(32);
      expect(curvePublicKey(pair.secretKey)).toBe(pair.publicKey);
    }
  });

  it('curveKeyBytes() takes 40 Z85 characters or 32 bytes and copies', () => {
    const raw = Buffer.from(ZMQ_TEST_KEYS.serverPublic[0], 'hex');
    const copy = curveKeyBytes(raw, 'k');
    expect(Buffer.from(copy).equals(raw)).toBe(true);
    copy[0] = 0;
    expect(raw[0]).toBe(0x54);
    expect(Buffer.from(curveKeyBytes(ZMQ_TEST_KEYS.serverPublic[1], 'k')).equals(raw)).toBe(true);
  });

  it('curveKeyBytes() refuses anything else with EINVAL naming the option', () => {
    const cases: Array<[unknown, RegExp]> = [
      ['abc', /curveServerKey: .*got a string of 3 characters/],
      [`${ZMQ_TEST_KEYS.serverPublic[1]}0`, /got a string of 41 characters/],
      ['Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{h"D', /curveServerKey: not a valid Z85 key .*not a Z85 character/],
      [new Uint8Array(31), /got 31 bytes/],
      [42, /got number/],
      [null, /got null/],
      [[1, 2], /got an array/],
    ];
    for (const [value, pattern] of cases) {
      let caught: unknown;
      try {
        curveKeyBytes(value, 'curveServerKey');
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ZmqError);
      expect((caught as ZmqError).code).toBe('EINVAL');
      expect((caught as Error).message).toMatch(pattern);
    }
  });
});
