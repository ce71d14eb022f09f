/**
 * RFC 25/26 CURVE against libzmq 4.3 (npm `zeromq`, in its own process), TCP and IPC:
 * our CURVE client ↔ libzmq CURVE server and the reverse, DEALER/ROUTER, 1 MiB both ways,
 * with each box backend; our server's ZAP handler sees the libzmq client's long-term key;
 * a libzmq client with the wrong server key never gets through.
 */
import '@monocoque/curve/register';
import { installZapHandler, type ZapRequest } from '@monocoque/core';
import { type BoxBackendName, curveBackend, curveKeyPair, setCurveBackend, z85Decode } from '@monocoque/curve';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Transport, bindEndpoint } from './helpers/endpoints.js';
import { nextEvent, recv } from './helpers/ours.js';
import { spawnZmqPeer } from './helpers/peer.js';
import { Scope } from './helpers/util.js';

const scope = new Scope();
let uninstall: (() => void) | undefined;
afterEach(async () => {
  uninstall?.();
  uninstall = undefined;
  await scope.cleanup();
});
const initialBackend = curveBackend().name;
afterAll(() => {
  setCurveBackend(initialBackend);
});

const MiB = 1024 * 1024;
function big(seed: number): Buffer {
  const b = Buffer.alloc(MiB);
  for (let i = 0; i < b.length; i++) b[i] = (i * 131 + seed) & 0xff;
  return b;
}

// sodium-native is installed in this workspace: its absence fails the sodium cases (setCurveBackend throws).
const CASES = (['sodium', 'noble'] as BoxBackendName[]).flatMap((backend) => (['tcp', 'ipc'] as Transport[]).map((t) => [backend, t] as const));

describe.each(CASES)('CURVE with libzmq (%s backend) over %s', (backend, transport) => {
  it('our CURVE client (DEALER) ↔ libzmq CURVE server (ROUTER): 1 MiB both ways', async () => {
    setCurveBackend(backend);
    const peer = await spawnZmqPeer();
    const serverKeys = await peer.curveKeyPair(); // libzmq-made keys
    const clientKeys = curveKeyPair();
    const server = await peer.socket('ROUTER', { curveServer: true, curveSecretKey: serverKeys.secretKey, linger: 0 });
    const endpoint = await server.bind(bindEndpoint(transport));
    const client = scope.track(
      new Dealer({ curveServerKey: serverKeys.publicKey, curvePublicKey: clientKeys.publicKey, curveSecretKey: clientKeys.secretKey, linger: 0 }),
    );
    client.connect(endpoint);
    const up = big(1);
    await client.send(['head', up]);
    const [msg] = await server.receive(1, 20_000);
    expect(msg!.slice(1).map((f) => f.length)).toEqual([4, MiB]);
    expect(msg![2]!.equals(up)).toBe(true);
    const down = big(2);
    await server.send([msg![0]!, down, Buffer.alloc(0)]);
    const back = await recv(client, 20_000);
    expect(back.map((f) => f.length)).toEqual([MiB, 0]);
    expect(back[0]!.equals(down)).toBe(true);
  });

  it('libzmq CURVE client (DEALER) → our CURVE server (ROUTER): 1 MiB both ways; ZAP sees its key', async () => {
    setCurveBackend(backend);
    const requests: ZapRequest[] = [];
    uninstall = installZapHandler((r) => {
      requests.push(r);
      return { requestId: r.requestId, statusCode: 200, userId: 'libzmq-client' };
    });
    const serverKeys = curveKeyPair();
    const server = scope.track(new Router({ curveServer: true, curveSecretKey: serverKeys.secretKey, linger: 0 }));
    await server.bind(bindEndpoint(transport));
    const peer = await spawnZmqPeer();
    const clientKeys = await peer.curveKeyPair();
    const client = await peer.socket('DEALER', {
      curveServerKey: serverKeys.publicKey,
      curvePublicKey: clientKeys.publicKey,
      curveSecretKey: clientKeys.secretKey,
      linger: 0,
    });
    await client.connect(server.lastEndpoint!);
    const up = big(3);
    await client.send([up], { timeoutMs: 20_000 });
    const [id, body] = await recv(server, 20_000);
    expect(body!.equals(up)).toBe(true);
    const down = big(4);
    await server.send([id!, 'x', down]);
    const [msg] = await client.receive(1, 20_000);
    expect(msg!.map((f) => f.length)).toEqual([1, MiB]);
    expect(msg![1]!.equals(down)).toBe(true);
    expect(requests).toHaveLength(1);
    expect(requests[0]!.mechanism).toBe('CURVE');
    expect(Buffer.from(requests[0]!.credentials[0]!).equals(Buffer.from(z85Decode(clientKeys.publicKey)))).toBe(true);
  });
});

describe('CURVE refusals with libzmq', () => {
  it('a libzmq client with the wrong server key: our server reports a protocol error and delivers nothing', async () => {
    const serverKeys = curveKeyPair();
    const server = scope.track(new Router({ curveServer: true, curveSecretKey: serverKeys.secretKey, linger: 0 }));
    await server.bind(bindEndpoint('tcp'));
    const failed = nextEvent(server, 'handshake:error:protocol');
    const peer = await spawnZmqPeer();
    const clientKeys = await peer.curveKeyPair();
    const client = await peer.socket('DEALER', {
      curveServerKey: curveKeyPair().publicKey,
      curvePublicKey: clientKeys.publicKey,
      curveSecretKey: clientKeys.secretKey,
      linger: 0,
    });
    await client.connect(server.lastEndpoint!);
    await client.send('never', { timeoutMs: 1000 }).catch(() => undefined);
    await failed;
    await expect(recv(server, 300)).rejects.toThrow();
  });

  it('our ZAP handler saying 400: the libzmq client reports handshake:error:auth 400', async () => {
    uninstall = installZapHandler((r) => ({ requestId: r.requestId, statusCode: 400 }));
    const serverKeys = curveKeyPair();
    const server = scope.track(new Router({ curveServer: true, curveSecretKey: serverKeys.secretKey, linger: 0 }));
    await server.bind(bindEndpoint('tcp'));
    const peer = await spawnZmqPeer();
    const clientKeys = await peer.curveKeyPair();
    const client = await peer.socket('DEALER', {
      curveServerKey: serverKeys.publicKey,
      curvePublicKey: clientKeys.publicKey,
      curveSecretKey: clientKeys.secretKey,
      linger: 0,
    });
    await client.connect(server.lastEndpoint!);
    const [event] = await client.waitForEvent('handshake:error:auth');
    expect(event!.error?.status).toBe(400);
  });
});
