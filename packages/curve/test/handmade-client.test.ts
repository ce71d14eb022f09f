// A CURVE client written from RFC 26 with libsodium-wrappers and hand-built ZMTP bytes
// (independent of this package's code) against our server session: the genuine INITIATE
// is accepted; INITIATEs whose vouch or nonce lie are refused with EPROTO.
import sodium from 'libsodium-wrappers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type PeerInfo, ZmqError, ZmtpSession } from '@monocoque/zmtp';
import { curveKeyPair, curveMechanism, z85Decode } from '../src/index.js';

beforeAll(async () => {
  await sodium.ready;
});

const SERVER = curveKeyPair();
const S = z85Decode(SERVER.publicKey);

const ascii = (s: string): Buffer => Buffer.from(s, 'latin1');
const u64 = (n: number): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

function greeting(): Buffer {
  const g = Buffer.alloc(64);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = 3;
  g[11] = 1;
  g.write('CURVE', 12, 'latin1');
  return g;
}

function commandFrame(body: Buffer): Buffer {
  if (body.length <= 255) return Buffer.concat([Uint8Array.of(0x04, body.length), body]);
  const head = Buffer.alloc(9);
  head[0] = 0x06;
  head.writeBigUInt64BE(BigInt(body.length), 1);
  return Buffer.concat([head, body]);
}

function metadata(pairs: Array<[string, string]>): Buffer {
  return Buffer.concat(
    pairs.map(([name, value]) => {
      const v = ascii(value);
      const size = Buffer.alloc(4);
      size.writeUInt32BE(v.length);
      return Buffer.concat([Uint8Array.of(name.length), ascii(name), size, v]);
    }),
  );
}

interface Lie {
  /** The transient key the vouch binds (default: the real C'). */
  vouchTransient?: Uint8Array;
  /** The server key the vouch names (default: the real S). */
  vouchServer?: Uint8Array;
  /** The long-term secret key that seals the vouch (default: the client's). */
  vouchSealer?: Uint8Array;
  /** INITIATE's short nonce (default 2). */
  initiateNonce?: number;
}

/** Run the handshake by hand against a fresh server session. */
function handshake(lie: Lie = {}): { errors: ZmqError[]; ready: PeerInfo | undefined } {
  const client = sodium.crypto_box_keypair();
  const transient = sodium.crypto_box_keypair();
  let out = Buffer.alloc(0);
  const result: { errors: ZmqError[]; ready: PeerInfo | undefined } = { errors: [], ready: undefined };
  const server = new ZmtpSession(
    { socketType: 'ROUTER', mechanism: curveMechanism({ server: true, secretKey: SERVER.secretKey }) },
    {
      write: (data) => {
        out = Buffer.concat([out, data]);
      },
      ready: (peer) => {
        result.ready = peer;
      },
      frame: () => {},
      command: () => {},
      error: (error) => result.errors.push(error),
    },
  );
  server.start();
  server.feed(greeting());

  // HELLO: version, padding, C', nonce 1, Box[64 zeros](C'→S)
  const helloNonce = Buffer.concat([ascii('CurveZMQHELLO---'), u64(1)]);
  const signature = sodium.crypto_box_easy(new Uint8Array(64), helloNonce, S, transient.privateKey);
  server.feed(commandFrame(Buffer.concat([ascii('\x05HELLO'), Uint8Array.of(1, 0), Buffer.alloc(72), transient.publicKey, u64(1), signature])));

  // WELCOME: after the server's 64-byte greeting, one short command frame of 168 bytes.
  expect(out.length).toBe(64 + 2 + 168);
  const welcome = out.subarray(66);
  expect(welcome.subarray(0, 8).toString('latin1')).toBe('\x07WELCOME');
  const opened = sodium.crypto_box_open_easy(welcome.subarray(24), Buffer.concat([ascii('WELCOME-'), welcome.subarray(8, 24)]), S, transient.privateKey);
  const serverTransient = opened.subarray(0, 32);
  const cookie = opened.subarray(32, 128);

  // INITIATE: cookie, nonce, Box[C + vouch + metadata](C'→S')
  const vouchNonce = sodium.randombytes_buf(16);
  const vouch = sodium.crypto_box_easy(
    Buffer.concat([lie.vouchTransient ?? transient.publicKey, lie.vouchServer ?? S]),
    Buffer.concat([ascii('VOUCH---'), vouchNonce]),
    serverTransient,
    lie.vouchSealer ?? client.privateKey,
  );
  const n = lie.initiateNonce ?? 2;
  const inner = Buffer.concat([client.publicKey, vouchNonce, vouch, metadata([['Socket-Type', 'DEALER']])]);
  const box = sodium.crypto_box_easy(inner, Buffer.concat([ascii('CurveZMQINITIATE'), u64(n)]), serverTransient, transient.privateKey);
  server.feed(commandFrame(Buffer.concat([ascii('\x08INITIATE'), cookie, u64(n), box])));
  return result;
}

async function settled<T>(value: T): Promise<T> {
  await new Promise((resolve) => setImmediate(resolve)); // the ZAP question answers asynchronously
  return value;
}

describe('a hand-made RFC 26 client against our CURVE server', () => {
  it('is accepted when it follows the RFC', async () => {
    const r = await settled(handshake());
    expect(r.errors).toEqual([]);
    expect(r.ready?.socketType).toBe('DEALER');
  });

  it('is refused when the vouch binds a different transient key', async () => {
    const r = await settled(handshake({ vouchTransient: sodium.crypto_box_keypair().publicKey }));
    expect(r.ready).toBeUndefined();
    expect(r.errors.map((e) => [e.code, e.message])).toEqual([['EPROTO', "CURVE INITIATE: the vouch binds a different transient key than this connection's"]]);
  });

  it('is refused when the vouch names another server', async () => {
    const r = await settled(handshake({ vouchServer: z85Decode(curveKeyPair().publicKey) }));
    expect(r.errors.map((e) => e.message)).toEqual(['CURVE INITIATE: the vouch names another server key']);
  });

  it('is refused when the vouch was sealed by another long-term key than the one it claims', async () => {
    const r = await settled(handshake({ vouchSealer: sodium.crypto_box_keypair().privateKey }));
    expect(r.errors.map((e) => e.message)).toEqual(['CURVE INITIATE: the vouch does not open (it was not sealed by the long-term key the client names)']);
  });

  it('is refused when INITIATE reuses the HELLO short nonce', async () => {
    const r = await settled(handshake({ initiateNonce: 1 }));
    expect(r.errors.map((e) => e.message)).toEqual(['CURVE INITIATE: short nonce 1 after 1 (replayed or reordered)']);
  });
});
