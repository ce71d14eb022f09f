/**
 * RFC 25/26 CURVE against libzmq 4.3 (npm `zeromq`, in its own process), TCP and IPC:
 * our CURVE client ↔ libzmq CURVE server and the reverse, DEALER/ROUTER, 1 MiB both ways,
 * with each box backend; our server's ZAP handler sees the libzmq client's long-term key;
 * a libzmq client with the wrong server key never gets through. Refusals against npm
 * `zeromq` and pyzmq (skipped with the reason printed when python3-zmq is missing): an
 * unlisted client key is refused with ZAP 400 by libzmq's handler (our client) and by
 * @monocoque/zap (libzmq's client) while the listed key gets in; a client with the wrong
 * server key never exchanges a message, ours or libzmq's.
 */
import '@monocoque/curve/register';
import { installZapHandler, type ZapRequest } from '@monocoque/core';
import { type BoxBackendName, curveBackend, curveKeyPair, setCurveBackend, z85Decode } from '@monocoque/curve';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';
import { type ZapAuthenticator, type ZapDecision, startAuthenticator } from '@monocoque/zap';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type Transport, bindEndpoint } from './helpers/endpoints.js';
import { nextEvent, recv } from './helpers/ours.js';
import { type PeerKind, pyzmqAvailability, spawnZmqPeer } from './helpers/peer.js';
import { Scope, withTimeout } from './helpers/util.js';

const py = pyzmqAvailability();
if (!py.available) console.warn(`[e2e] skipping the pyzmq CURVE refusal tests: ${py.reason}`);

const scope = new Scope();
let uninstall: (() => void) | undefined;
let auth: ZapAuthenticator | undefined;
afterEach(async () => {
  uninstall?.();
  uninstall = undefined;
  await scope.cleanup();
  await auth?.stop();
  auth = undefined;
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

/** Our CURVE ROUTER bound on `transport`, and a libzmq CURVE DEALER (its own keys) connected to it. */
async function ourServerLibzmqClient(transport: Transport) {
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
  return { server, client, clientKeys };
}

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
    const { server, client, clientKeys } = await ourServerLibzmqClient(transport);
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
    const { client } = await ourServerLibzmqClient('tcp');
    const [event] = await client.waitForEvent('handshake:error:auth');
    expect(event!.error?.status).toBe(400);
  });
});

/** Record the types of every event of one of our sockets, in order. */
function eventLog(sock: { events: { on(type: string, fn: (e: { type: string }) => void): unknown } }): string[] {
  const log: string[] = [];
  for (const t of ['connect', 'connect:retry', 'handshake', 'handshake:error:auth', 'handshake:error:protocol', 'handshake:error:other', 'disconnect']) {
    sock.events.on(t, (e) => log.push(e.type));
  }
  return log;
}

function nextDecision(a: ZapAuthenticator, ms = 10_000): Promise<ZapDecision> {
  return withTimeout(new Promise<ZapDecision>((resolve) => a.once('decision', resolve)), ms, 'a ZAP decision');
}

const PEERS: Array<[PeerKind, boolean]> = [
  ['zeromq', true],
  ['pyzmq', py.available],
];

describe.each(PEERS)('CURVE refusals with libzmq from %s', (kind, available) => {
  describe.skipIf(!available).each<Transport>(['tcp', 'ipc'])('over %s', (transport) => {
    it("libzmq CURVE server whose ZAP lists one key: our client with another key gets handshake:error:auth 400 and does not reconnect; the listed key gets in", async () => {
      const peer = await spawnZmqPeer({ kind });
      const serverKeys = await peer.curveKeyPair();
      const listed = curveKeyPair();
      const unlisted = curveKeyPair();
      await peer.zap({ curveKeys: [listed.publicKey] });
      const server = await peer.socket('ROUTER', { curveServer: true, curveSecretKey: serverKeys.secretKey, linger: 0 });
      const endpoint = await server.bind(bindEndpoint(transport));

      const reconnectInterval = 50;
      const refused = scope.track(
        new Dealer({ curveServerKey: serverKeys.publicKey, curvePublicKey: unlisted.publicKey, curveSecretKey: unlisted.secretKey, linger: 0, reconnectInterval }),
      );
      const log = eventLog(refused);
      const denied = nextEvent(refused, 'handshake:error:auth', 10_000);
      refused.connect(endpoint);
      await refused.send('from the unlisted key'); // queued on the connecting pipe
      const event = (await denied) as unknown as { error: { code: string; status?: number } };
      expect(event.error.code).toBe('EACCES');
      expect(event.error.status).toBe(400);

      const admitted = scope.track(
        new Dealer({ curveServerKey: serverKeys.publicKey, curvePublicKey: listed.publicKey, curveSecretKey: listed.secretKey, linger: 0 }),
      );
      admitted.connect(endpoint);
      await admitted.send('from the listed key');
      const [msg] = await server.receive(1, 10_000);
      expect(msg!.slice(1).map(String)).toEqual(['from the listed key']);
      await server.send([msg![0]!, 'welcome']);
      expect((await recv(admitted, 10_000)).map(String)).toEqual(['welcome']);

      // After the refusal and the listed client's round trip, 10 reconnect intervals more:
      // nothing from the refused client arrives and it made no second attempt.
      await server.expectNoMessage(10 * reconnectInterval);
      expect(log.filter((t) => t === 'connect')).toEqual(['connect']);
      expect(log).not.toContain('connect:retry');
      expect(log).not.toContain('handshake');
      const keysAsked = (await peer.zapRequests()).map((r) => r[6]!.toString('hex'));
      expect(keysAsked.sort()).toEqual([z85Hex(listed.publicKey), z85Hex(unlisted.publicKey)].sort());
    });

    it('our CURVE server with @monocoque/zap listing one key: a libzmq client with another key reports auth 400; the listed one round-trips', async () => {
      const peer = await spawnZmqPeer({ kind });
      const listed = await peer.curveKeyPair();
      const unlisted = await peer.curveKeyPair();
      auth = startAuthenticator({ curve: [listed.publicKey] });
      const serverKeys = curveKeyPair();
      const server = scope.track(new Router({ curveServer: true, curveSecretKey: serverKeys.secretKey, linger: 0 }));
      await server.bind(bindEndpoint(transport));
      const serverLog = eventLog(server);

      const bad = await peer.socket('DEALER', { curveServerKey: serverKeys.publicKey, curvePublicKey: unlisted.publicKey, curveSecretKey: unlisted.secretKey, linger: 0 });
      const decided = nextDecision(auth);
      const serverRefused = nextEvent(server, 'handshake:error:auth', 10_000);
      await bad.connect(server.lastEndpoint!);
      const { request, reply } = await decided;
      expect(request.mechanism).toBe('CURVE');
      expect(Buffer.from(request.credentials[0]!).equals(Buffer.from(z85Decode(unlisted.publicKey)))).toBe(true);
      expect(reply.statusCode).toBe(400);
      const [clientEvent] = await bad.waitForEvent('handshake:error:auth', 1, 10_000);
      expect(clientEvent!.error?.status).toBe(400);
      expect(((await serverRefused) as unknown as { error: { status?: number } }).error.status).toBe(400);

      const good = await peer.socket('DEALER', { curveServerKey: serverKeys.publicKey, curvePublicKey: listed.publicKey, curveSecretKey: listed.secretKey, linger: 0 });
      await good.connect(server.lastEndpoint!);
      await good.send('listed', { timeoutMs: 10_000 });
      const [id, body] = await recv(server, 10_000, 'the listed client message');
      expect(body!.toString()).toBe('listed');
      await server.send([id!, 'welcome']);
      expect((await good.receive(1, 10_000))[0]!.map(String)).toEqual(['welcome']);
      // Only the listed client ever completed a handshake with us.
      expect(serverLog.filter((t) => t === 'handshake')).toEqual(['handshake']);
      expect((await bad.events()).map((e) => e.type)).not.toContain('handshake');
    });

    it('our client with the wrong server key: libzmq reports a protocol error, we retry and fail again, no message ever passes', async () => {
      const peer = await spawnZmqPeer({ kind });
      const serverKeys = await peer.curveKeyPair();
      const server = await peer.socket('ROUTER', { curveServer: true, curveSecretKey: serverKeys.secretKey, linger: 0 });
      const endpoint = await server.bind(bindEndpoint(transport));
      const clientKeys = curveKeyPair();
      const client = scope.track(
        new Dealer({ curveServerKey: curveKeyPair().publicKey, curvePublicKey: clientKeys.publicKey, curveSecretKey: clientKeys.secretKey, linger: 0, reconnectInterval: 50 }),
      );
      const log = eventLog(client);
      client.connect(endpoint);
      await client.send('never');
      // Two failed handshakes on each side: the retry happened and failed the same way.
      const serverFailures = await server.waitForEvent('handshake:error:protocol', 2, 10_000);
      expect(serverFailures[0]!.error?.code).toBe('ERR_ZMTP_CRYPTOGRAPHIC');
      await withTimeout(
        new Promise<void>((resolve) => {
          const check = () => (log.filter((t) => t === 'handshake:error:other').length >= 2 ? resolve() : undefined);
          client.events.on('handshake:error:other', check);
          check();
        }),
        10_000,
        'two handshake:error:other on our client',
      );
      expect(log).toContain('connect:retry');
      expect(log).not.toContain('handshake');
      expect((await server.events()).map((e) => e.type)).not.toContain('handshake');
      expect(await server.receiveUpTo(1, 100)).toEqual([]);
    });
  });
});

function z85Hex(key: string): string {
  return Buffer.from(z85Decode(key)).toString('hex');
}
