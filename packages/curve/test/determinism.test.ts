// With the randomness source fixed, every box a CURVE client and server emit equals the
// one libsodium (libsodium-wrappers) makes for the same keys and nonces, on both backends;
// and the secrets that randomness became are zeroed once they are no longer needed.
import sodium from 'libsodium-wrappers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Mechanism, type MechanismHandshake, encodeMetadata, encodePing } from '@monocoque/zmtp';
import { nobleBackend } from '../src/backend/noble.js';
import { loadSodiumBackend } from '../src/backend/sodium.js';
import type { BoxBackend } from '../src/backend/types.js';
import { curveKeyPair, z85Decode } from '../src/index.js';
import { createCurveMechanism } from '../src/mechanism.js';
import { bodyOf, link, recordHandshakes } from './harness.js';

beforeAll(async () => {
  await sodium.ready;
});

/** A seeded random source that keeps each array it filled and a copy of what it put there. */
function recordingRandom(seed: number): { fill: (b: Uint8Array) => void; draws: Array<{ array: Uint8Array; value: Uint8Array }> } {
  let x = seed >>> 0;
  const draws: Array<{ array: Uint8Array; value: Uint8Array }> = [];
  return {
    draws,
    fill(bytes) {
      for (let i = 0; i < bytes.length; i++) {
        x = (Math.imul(x, 1_664_525) + 1_013_904_223) >>> 0;
        bytes[i] = x >>> 24;
      }
      draws.push({ array: bytes, value: new Uint8Array(bytes) });
    },
  };
}

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const u64 = (n: number): Uint8Array => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};
const cat = (...parts: Uint8Array[]): Buffer => Buffer.concat(parts);

function backends(): Array<[string, BoxBackend]> {
  const s = loadSodiumBackend();
  if (!s.ok) throw new Error(`sodium-native should load in this workspace: ${s.reason}`);
  return [
    ['noble', nobleBackend],
    ['sodium', s.backend],
  ];
}

describe.each(backends())('every CURVE box equals libsodium crypto_box (%s backend)', (_name, backend) => {
  it('HELLO, cookie, WELCOME, vouch, INITIATE, READY and MESSAGEs in both directions', async () => {
    const serverKeys = curveKeyPair();
    const clientKeys = curveKeyPair();
    const S = z85Decode(serverKeys.publicKey);
    const s = z85Decode(serverKeys.secretKey);
    const C = z85Decode(clientKeys.publicKey);
    const c = z85Decode(clientKeys.secretKey);
    const clientRandom = recordingRandom(1);
    const serverRandom = recordingRandom(2);
    const handshakes: MechanismHandshake[] = [];
    const spy = (m: Mechanism): Mechanism => recordHandshakes(m, handshakes);
    const clientMechanism = spy(
      createCurveMechanism({ serverKey: S, publicKey: C, secretKey: c }, { random: clientRandom.fill, backend: () => backend }),
    );
    const serverMechanism = spy(createCurveMechanism({ server: true, secretKey: s }, { random: serverRandom.fill, backend: () => backend }));

    const l = link({ socketType: 'DEALER', identity: Buffer.from('me'), mechanism: clientMechanism }, { socketType: 'ROUTER', mechanism: serverMechanism });
    await l.settle();
    expect(l.client.ready && l.server.ready).toBeTruthy();
    l.send(l.client, [Buffer.from('hello'), Buffer.alloc(0)]);
    l.client.session.sendCommand(encodePing(0));
    l.send(l.server, [Buffer.alloc(300, 7)]);
    await l.settle();

    // Randomness, in the order each side draws it.
    expect(clientRandom.draws.map((d) => d.value.length)).toEqual([32, 16]); // c', vouch nonce
    expect(serverRandom.draws.map((d) => d.value.length)).toEqual([32, 32, 16, 16]); // s', cookie key, cookie nonce, welcome nonce
    const [cPrime, vouchNonce] = clientRandom.draws.map((d) => d.value) as [Uint8Array, Uint8Array];
    const [sPrime, cookieKey, cookieNonce, welcomeNonce] = serverRandom.draws.map((d) => d.value) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const CPrime = sodium.crypto_scalarmult_base(cPrime);
    const SPrime = sodium.crypto_scalarmult_base(sPrime);

    const box = (m: Uint8Array, prefix: string, tail: Uint8Array, pk: Uint8Array, sk: Uint8Array): Uint8Array =>
      sodium.crypto_box_easy(m, cat(ascii(prefix), tail), pk, sk);

    const hello = cat(ascii('\x05HELLO'), Uint8Array.of(1, 0), new Uint8Array(72), CPrime, u64(1), box(new Uint8Array(64), 'CurveZMQHELLO---', u64(1), S, cPrime));
    const cookie = cat(cookieNonce, sodium.crypto_secretbox_easy(cat(CPrime, sPrime), cat(ascii('COOKIE--'), cookieNonce), cookieKey));
    const welcome = cat(ascii('\x07WELCOME'), welcomeNonce, box(cat(SPrime, cookie), 'WELCOME-', welcomeNonce, CPrime, s));
    const vouch = box(cat(CPrime, S), 'VOUCH---', vouchNonce, SPrime, c);
    const clientMetadata = encodeMetadata([
      ['Socket-Type', Buffer.from('DEALER')],
      ['Identity', Buffer.from('me')],
    ]);
    const initiate = cat(ascii('\x08INITIATE'), cookie, u64(2), box(cat(C, vouchNonce, vouch, clientMetadata), 'CurveZMQINITIATE', u64(2), SPrime, cPrime));
    const serverMetadata = encodeMetadata([
      ['Socket-Type', Buffer.from('ROUTER')],
      ['Identity', Buffer.alloc(0)],
    ]);
    const ready = cat(ascii('\x05READY'), u64(1), box(serverMetadata, 'CurveZMQREADY---', u64(1), CPrime, sPrime));
    const message = (prefix: string, n: number, flags: number, body: Uint8Array, pk: Uint8Array, sk: Uint8Array): Buffer =>
      cat(ascii('\x07MESSAGE'), u64(n), box(cat(Uint8Array.of(flags), body), prefix, u64(n), pk, sk));

    const ping = encodePing(0).subarray(2); // the command body: \x04PING + ttl
    expect(l.client.sent.map(bodyOf)).toEqual([
      hello,
      initiate,
      message('CurveZMQMESSAGEC', 3, 0x01, Buffer.from('hello'), SPrime, cPrime), // MORE
      message('CurveZMQMESSAGEC', 4, 0x00, new Uint8Array(0), SPrime, cPrime),
      message('CurveZMQMESSAGEC', 5, 0x02, ping, SPrime, cPrime), // COMMAND
    ]);
    // The server's own message (nonce 2) leaves before the PING it answers arrives (PONG, nonce 3).
    const pong = Buffer.from('\x04PONG', 'latin1');
    expect(l.server.sent.map(bodyOf)).toEqual([
      welcome,
      ready,
      message('CurveZMQMESSAGES', 2, 0x00, Buffer.alloc(300, 7), CPrime, sPrime),
      message('CurveZMQMESSAGES', 3, 0x02, pong, CPrime, sPrime),
    ]);

    // Secrets are gone once used: c' after INITIATE, s' after WELCOME, the cookie key after INITIATE.
    expect(clientRandom.draws[0]!.array.every((b) => b === 0)).toBe(true);
    expect(serverRandom.draws[0]!.array.every((b) => b === 0)).toBe(true);
    expect(serverRandom.draws[1]!.array.every((b) => b === 0)).toBe(true);

    // Closing a session wipes its session key.
    const keys = handshakes.map((h) => (h.transform as unknown as { key: Uint8Array }).key);
    expect(keys.every((k) => k.some((b) => b !== 0))).toBe(true);
    l.client.session.close();
    l.server.session.close();
    expect(keys.every((k) => k.every((b) => b === 0))).toBe(true);
    expect(handshakes.map((h) => (h.transform as unknown as { key: unknown }).key)).toEqual([undefined, undefined]);
  });
});
