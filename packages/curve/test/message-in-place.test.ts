// MESSAGE boxes are opened in place: the plaintext replaces the ciphertext in the frame body
// the decoder handed over (sodium always; noble when that lands word-aligned, else into a
// fresh aligned buffer). Every size and every alignment of the body decodes to the frame that
// was sent, flags included; a tampered box is refused before anything is accepted, and the
// next genuine MESSAGE still opens.
import { describe, expect, it } from 'vitest';
import { type Mechanism, type MechanismHandshake, ZmqError } from '@monocoque/zmtp';
import { nobleBackend } from '../src/backend/noble.js';
import { loadSodiumBackend } from '../src/backend/sodium.js';
import type { BoxBackend } from '../src/backend/types.js';
import { curveKeyPair, z85Decode } from '../src/index.js';
import { createCurveMechanism } from '../src/mechanism.js';
import { bodyOf, link, recordHandshakes } from './harness.js';

interface Transform {
  encode(flags: number, body: Uint8Array): Buffer;
  decode(flags: number, body: Buffer): { flags: number; body: Buffer };
}

const sodium = loadSodiumBackend();
if (!sodium.ok) console.warn(`[curve] message-in-place: sodium backend not tested: ${sodium.reason}`);
const backends: BoxBackend[] = sodium.ok ? [nobleBackend, sodium.backend] : [nobleBackend];

/** A completed CURVE session pair on `backend`: the client's and the server's MESSAGE transforms. */
async function transforms(backend: BoxBackend): Promise<{ client: Transform; server: Transform }> {
  const serverKeys = curveKeyPair();
  const clientKeys = curveKeyPair();
  const handshakes: MechanismHandshake[] = [];
  const spy = (m: Mechanism): Mechanism => recordHandshakes(m, handshakes);
  const clientMechanism = spy(
    createCurveMechanism(
      { serverKey: z85Decode(serverKeys.publicKey), publicKey: z85Decode(clientKeys.publicKey), secretKey: z85Decode(clientKeys.secretKey) },
      { backend: () => backend },
    ),
  );
  const serverMechanism = spy(createCurveMechanism({ server: true, secretKey: z85Decode(serverKeys.secretKey) }, { backend: () => backend }));
  const l = link({ socketType: 'DEALER', mechanism: clientMechanism }, { socketType: 'ROUTER', mechanism: serverMechanism });
  await l.settle();
  expect(l.client.ready && l.server.ready).toBeTruthy();
  const [client, server] = handshakes.map((h) => h.transform as unknown as Transform);
  return { client: client!, server: server! };
}

/** `bytes` copied into fresh memory at byte offset `at` (so its alignment is `at` mod 8). */
function placed(bytes: Buffer, at: number): Buffer {
  const ab = new ArrayBuffer(at + bytes.length + 8);
  const out = Buffer.from(ab, at, bytes.length);
  bytes.copy(out);
  return out;
}

describe.each(backends.map((b) => [b.name, b] as const))('MESSAGE opened in place (%s)', (name, backend) => {
  it('every size at every alignment decodes to what was sent', async () => {
    const { client, server } = await transforms(backend);
    let sent = 0;
    for (const size of [0, 1, 3, 64, 255, 1000, 70_000]) {
      for (let at = 0; at < 8; at++) {
        const payload = Buffer.alloc(size);
        for (let i = 0; i < size; i++) payload[i] = (i * 7 + size + at) & 0xff;
        const flags = sent % 3 === 0 ? 1 : 0; // MORE on some
        const body = placed(bodyOf(client.encode(flags, payload)), at);
        sent++;
        const out = server.decode(0, body);
        expect(out.flags, `size ${size} at ${at}`).toBe(flags);
        expect(out.body.equals(payload), `size ${size} at ${at}`).toBe(true);
        const inPlace = out.body.buffer === body.buffer;
        // sodium opens in place always; noble when the plaintext is word-aligned.
        if (name === 'sodium') expect(inPlace, `size ${size} at ${at}`).toBe(true);
        else expect(inPlace, `size ${size} at ${at}`).toBe(((body.byteOffset + 32) & 3) === 0);
      }
    }
  });

  it('a tampered box is refused and accepts nothing: the next genuine MESSAGE opens', async () => {
    const { client, server } = await transforms(backend);
    const first = bodyOf(client.encode(0, Buffer.from('first')));
    const second = bodyOf(client.encode(0, Buffer.from('second')));
    const forged = Buffer.from(first);
    forged[forged.length - 1]! ^= 1;
    expect(() => server.decode(0, forged)).toThrow(ZmqError);
    expect(() => server.decode(0, forged)).toThrow(/MAC check failed/);
    expect(server.decode(0, Buffer.from(first)).body.toString()).toBe('first');
    // A replay is refused on its nonce, before any crypto: its bytes stay as they came.
    const replay = Buffer.from(first);
    expect(() => server.decode(0, replay)).toThrow(/replayed or reordered/);
    expect(replay.equals(first)).toBe(true);
    expect(server.decode(0, Buffer.from(second)).body.toString()).toBe('second');
  });
});
