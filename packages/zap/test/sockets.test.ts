// The authenticator between real Monocoque sockets, over TCP and IPC.
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SocketEvent, ZmqError } from '@monocoque/core';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';
import { type ZapAuthenticator, type ZapDecision, startAuthenticator } from '@monocoque/zap';

type Loose = SocketEvent & { error?: ZmqError };
interface Observed {
  events: { on(type: '*', fn: (e: SocketEvent) => void): unknown; off(type: '*', fn: (e: SocketEvent) => void): unknown };
}

let counter = 0;
const ipcPaths: string[] = [];
function endpointFor(transport: 'tcp' | 'ipc'): string {
  if (transport === 'tcp') return 'tcp://127.0.0.1:*';
  const path = `/tmp/monocoque-zap-${process.pid}-${++counter}.sock`;
  ipcPaths.push(path);
  return `ipc://${path}`;
}

const sockets: Array<{ close(): void }> = [];
let auth: ZapAuthenticator | undefined;
function track<T extends { close(): void }>(s: T): T {
  sockets.push(s);
  return s;
}
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await auth?.stop();
  auth = undefined;
  for (const p of ipcPaths.splice(0)) rmSync(p, { force: true });
});

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** Record every event of a socket. */
function record(sock: Observed): Loose[] {
  const seen: Loose[] = [];
  sock.events.on('*', (e) => seen.push(e as Loose));
  return seen;
}

/** The next event of `type` (subscribe before triggering it). */
function nextEvent(sock: Observed, type: string, ms = 5000): Promise<Loose> {
  let listener!: (e: SocketEvent) => void;
  const p = new Promise<Loose>((resolve) => {
    listener = (e) => {
      if (e.type === type) resolve(e as Loose);
    };
    sock.events.on('*', listener);
  });
  return withTimeout(p, ms, `a '${type}' event`).finally(() => sock.events.off('*', listener));
}

/** The next decision of the authenticator. */
function nextDecision(a: ZapAuthenticator, ms = 5000): Promise<ZapDecision> {
  return withTimeout(new Promise<ZapDecision>((resolve) => a.once('decision', resolve)), ms, 'a ZAP decision');
}

/** One request/reply through a ROUTER that echoes. */
async function roundTrip(client: Dealer, server: Router, payload: string): Promise<void> {
  await withTimeout(client.send(payload), 5000, `send ${payload}`);
  const [id, body] = await withTimeout(server.receive(), 5000, `the server receiving ${payload}`);
  expect(body!.toString()).toBe(payload);
  await server.send([id!, body!]);
  const [echo] = await withTimeout(client.receive(), 5000, `the echo of ${payload}`);
  expect(echo!.toString()).toBe(payload);
}

describe.each(['tcp', 'ipc'] as const)('PLAIN server with the authenticator over %s', (transport) => {
  const expectedAddress = transport === 'tcp' ? '127.0.0.1' : '';

  it('the right password gets through and a message round-trips; the request carries address, domain and identity', async () => {
    auth = startAuthenticator({ plain: { admin: 'secret' } });
    const server = track(new Router({ plainServer: true, zapDomain: 'global', routingId: 'srv-1' }));
    await server.bind(endpointFor(transport));
    const client = track(new Dealer({ plainUsername: 'admin', plainPassword: 'secret' }));
    const decided = nextDecision(auth);
    const handshake = nextEvent(client, 'handshake');
    client.connect(server.lastEndpoint!);
    const { request, reply } = await decided;
    await handshake;
    expect(request).toMatchObject({ version: '1.0', domain: 'global', address: expectedAddress, mechanism: 'PLAIN' });
    expect(request.identity.toString()).toBe('srv-1');
    expect(request.credentials.map((c) => c.toString())).toEqual(['admin', 'secret']);
    expect(reply).toMatchObject({ requestId: request.requestId, statusCode: 200, userId: 'admin' });
    await roundTrip(client, server, 'hello');
    expect(auth.requests).toBe(1);
  });

  it('a wrong password: the client gets handshake:error:auth 400 and does not reconnect', async () => {
    auth = startAuthenticator({ plain: { admin: 'secret' } });
    const decisions: ZapDecision[] = [];
    auth.on('decision', (d) => decisions.push(d));
    const server = track(new Router({ plainServer: true }));
    await server.bind(endpointFor(transport));
    const serverEvents = record(server);
    const reconnectInterval = 10;
    const bad = track(new Dealer({ plainUsername: 'admin', plainPassword: 'wrong', reconnectInterval }));
    const badEvents = record(bad);
    const refused = nextEvent(bad, 'handshake:error:auth');
    bad.connect(server.lastEndpoint!);
    const { error } = await refused;
    expect(error!.code).toBe('EACCES');
    expect(error!.status).toBe(400);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]!.reply.statusCode).toBe(400);
    expect(serverEvents.find((e) => e.type === 'handshake:error:auth')?.error?.status).toBe(400);

    // A good client connects and round-trips for at least 10 of the bad client's reconnect
    // intervals; the bad one must not have come back meanwhile.
    const good = track(new Dealer({ plainUsername: 'admin', plainPassword: 'secret' }));
    good.connect(server.lastEndpoint!);
    const since = performance.now();
    let n = 0;
    while (performance.now() - since < 10 * reconnectInterval || n < 3) await roundTrip(good, server, `ping ${++n}`);
    expect(decisions.map((d) => d.reply.statusCode)).toEqual([400, 200]);
    expect(badEvents.filter((e) => e.type === 'connect:retry' || e.type === 'connect')).toHaveLength(1);
    expect(badEvents.filter((e) => e.type === 'handshake:error:auth')).toHaveLength(1);
  });

  it('status 300 from a check: the server reports it, the client sees no error, is held until handshakeInterval, then retries', async () => {
    let attempts = 0;
    auth = startAuthenticator({ plain: () => (++attempts === 1 ? { status: 300, text: 'directory unreachable' } : true) });
    const handshakeInterval = 300;
    const server = track(new Router({ plainServer: true, handshakeInterval }));
    await server.bind(endpointFor(transport));
    const serverAuthError = nextEvent(server, 'handshake:error:auth');
    const client = track(new Dealer({ plainUsername: 'admin', plainPassword: 'pw', reconnectInterval: 10 }));
    const clientEvents = record(client);
    const first = nextDecision(auth);
    const handshake = nextEvent(client, 'handshake');
    client.connect(server.lastEndpoint!);
    await first;
    const heldFrom = performance.now();
    const { error } = await serverAuthError;
    expect(error!.status).toBe(300);
    expect(error!.message).toMatch(/directory unreachable/);
    // The held connection ends at the server's handshake deadline; the client reconnects and is asked again.
    const second = await nextDecision(auth, 5000);
    const heldFor = performance.now() - heldFrom;
    expect(second.reply.statusCode).toBe(200);
    expect(heldFor).toBeGreaterThanOrEqual(handshakeInterval - 50);
    await withTimeout(handshake, 5000, 'the client handshake after the retry');
    await roundTrip(client, server, 'after 300');
    // No ERROR reached the client: it saw no auth error, only the held connection closing
    // during the handshake (libzmq clients report that as handshake:error:other too).
    expect(clientEvents.filter((e) => e.type === 'handshake:error:auth')).toEqual([]);
    const others = clientEvents.filter((e) => e.type === 'handshake:error:other');
    expect(others).toHaveLength(1);
    expect(others[0]!.error!.code).toBe('ECANCELED');
    expect(attempts).toBe(2);
  });
});

describe('NULL servers', () => {
  it('with a zapDomain and a deny list: the client is refused with an auth error', async () => {
    auth = startAuthenticator({ addresses: { deny: ['127.0.0.1'] } });
    const server = track(new Router({ zapDomain: 'global' }));
    await server.bind('tcp://127.0.0.1:*');
    const client = track(new Dealer());
    const refused = nextEvent(client, 'handshake:error:auth');
    const decided = nextDecision(auth);
    client.connect(server.lastEndpoint!);
    const { request, reply } = await decided;
    expect(request).toMatchObject({ mechanism: 'NULL', domain: 'global', address: '127.0.0.1', credentials: [] });
    expect(reply.statusCode).toBe(400);
    expect((await refused).error!.status).toBe(400);
  });

  it('with a zapDomain and the address allowed: NULL clients get in', async () => {
    auth = startAuthenticator({ addresses: { allow: ['127.0.0.1'] } });
    const server = track(new Router({ zapDomain: 'global' }));
    await server.bind('tcp://127.0.0.1:*');
    const client = track(new Dealer());
    client.connect(server.lastEndpoint!);
    await roundTrip(client, server, 'null ok');
    expect(auth.requests).toBe(1);
  });

  it('without a zapDomain: ZAP is not asked, even with a deny list', async () => {
    auth = startAuthenticator({ addresses: { deny: ['127.0.0.1'] } });
    const server = track(new Router());
    await server.bind('tcp://127.0.0.1:*');
    const client = track(new Dealer());
    client.connect(server.lastEndpoint!);
    await roundTrip(client, server, 'not asked');
    expect(auth.requests).toBe(0);
  });
});

describe('the domain option', () => {
  it('a PLAIN server of another domain is refused even with the right password', async () => {
    auth = startAuthenticator({ domain: 'global', plain: { admin: 'secret' } });
    const other = track(new Router({ plainServer: true, zapDomain: 'other' }));
    await other.bind('tcp://127.0.0.1:*');
    const client = track(new Dealer({ plainUsername: 'admin', plainPassword: 'secret' }));
    const refused = nextEvent(client, 'handshake:error:auth');
    client.connect(other.lastEndpoint!);
    expect((await refused).error!.status).toBe(400);

    const global = track(new Router({ plainServer: true, zapDomain: 'global' }));
    await global.bind('tcp://127.0.0.1:*');
    const ok = track(new Dealer({ plainUsername: 'admin', plainPassword: 'secret' }));
    ok.connect(global.lastEndpoint!);
    await roundTrip(ok, global, 'in domain');
  });
});

describe('after stop()', () => {
  it('a PLAIN server refuses every client again (no handler)', async () => {
    auth = startAuthenticator({ plain: { admin: 'secret' } });
    await auth.stop();
    const server = track(new Router({ plainServer: true }));
    await server.bind('tcp://127.0.0.1:*');
    const client = track(new Dealer({ plainUsername: 'admin', plainPassword: 'secret' }));
    const refused = nextEvent(server, 'handshake:error:other');
    const retried = nextEvent(client, 'connect:retry');
    client.connect(server.lastEndpoint!);
    expect((await refused).error!.code).toBe('EFAULT'); // as libzmq: closed without ERROR, so the client retries
    await retried;
    expect(auth.requests).toBe(0);
  });
});
