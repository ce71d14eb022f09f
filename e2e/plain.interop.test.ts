/**
 * RFC 24 PLAIN against libzmq, both directions, TCP and IPC, each libzmq peer in its own
 * process (npm `zeromq`, and Debian's python3-zmq where installed): the right password
 * gets a message through both ways, a wrong one is refused and the client sees an auth
 * failure (status 400) and does not reconnect. Our side's ZAP handler is core's
 * `installZapHandler`; the libzmq side's is the peer's own inproc handler.
 */
import { Dealer } from '@monocoque/dealer';
import { installZapHandler, type ZapRequest } from '@monocoque/core';
import { Router } from '@monocoque/router';
import { afterEach, describe, expect, it } from 'vitest';
import { type Transport, bindEndpoint } from './helpers/endpoints.js';
import { nextEvent, recv } from './helpers/ours.js';
import { type PeerKind, pyzmqAvailability, spawnZmqPeer } from './helpers/peer.js';
import { Scope } from './helpers/util.js';

const py = pyzmqAvailability();
if (!py.available) console.warn(`[e2e] pyzmq PLAIN interop skipped: ${py.reason}`);
const KINDS: PeerKind[] = py.available ? ['zeromq', 'pyzmq'] : ['zeromq'];

const scope = new Scope();
let uninstall: (() => void) | undefined;
afterEach(async () => {
  uninstall?.();
  uninstall = undefined;
  await scope.cleanup();
});

/** Our ZAP handler: alice/secret only; records what it is asked. */
function ourZap(): ZapRequest[] {
  const requests: ZapRequest[] = [];
  uninstall = installZapHandler((r) => {
    requests.push(r);
    const ok = r.credentials[0]?.toString() === 'alice' && r.credentials[1]?.toString() === 'secret';
    return { requestId: r.requestId, statusCode: ok ? 200 : 400, userId: ok ? 'alice' : '' };
  });
  return requests;
}

describe.each(KINDS.flatMap((kind) => (['tcp', 'ipc'] as Transport[]).map((t) => [kind, t] as const)))('PLAIN with libzmq (%s) over %s', (kind, transport) => {
  it('libzmq client → our PLAIN server: the right password round-trips; ZAP sees its credentials', async () => {
    const requests = ourZap();
    const server = scope.track(new Router({ plainServer: true, linger: 0 }));
    await server.bind(bindEndpoint(transport));
    const peer = await spawnZmqPeer({ kind });
    const client = await peer.socket('DEALER', { plainUsername: 'alice', plainPassword: 'secret', linger: 0 });
    await client.connect(server.lastEndpoint!);
    await client.send('hello over PLAIN');
    const [id, body] = await recv(server);
    expect(body?.toString()).toBe('hello over PLAIN');
    await server.send([id!, 'back']);
    expect((await client.receive(1))[0]![0]!.toString()).toBe('back');
    expect(requests).toHaveLength(1);
    expect(requests[0]!.mechanism).toBe('PLAIN');
    expect(requests[0]!.address).toBe(transport === 'tcp' ? '127.0.0.1' : '');
  });

  it('libzmq client with a wrong password: it reports handshake:error:auth 400 and does not reconnect', async () => {
    const requests = ourZap();
    const server = scope.track(new Router({ plainServer: true, linger: 0 }));
    await server.bind(bindEndpoint(transport));
    const refused = nextEvent(server, 'handshake:error:auth');
    const peer = await spawnZmqPeer({ kind });
    const client = await peer.socket('DEALER', { plainUsername: 'alice', plainPassword: 'wrong', linger: 0, reconnectInterval: 20 });
    await client.connect(server.lastEndpoint!);
    const [event] = await client.waitForEvent('handshake:error:auth');
    expect(event!.error?.status).toBe(400);
    await refused;
    // A second, good client connects and round-trips: time enough for ~10 reconnects at 20 ms.
    const good = await peer.socket('DEALER', { plainUsername: 'alice', plainPassword: 'secret', linger: 0 });
    await good.connect(server.lastEndpoint!);
    await good.send('ok');
    await recv(server);
    await new Promise((r) => setTimeout(r, 200));
    expect(requests.filter((r) => r.credentials[1]?.toString() === 'wrong')).toHaveLength(1);
    expect((await client.events()).filter((e) => e.type === 'connect:retry')).toEqual([]);
  });

  it('our PLAIN client → libzmq PLAIN server with a ZAP handler: the right password round-trips', async () => {
    const peer = await spawnZmqPeer({ kind });
    await peer.zap({ plain: { alice: 'secret' } });
    const server = await peer.socket('ROUTER', { plainServer: true, linger: 0 });
    const endpoint = await server.bind(bindEndpoint(transport));
    const client = scope.track(new Dealer({ plainUsername: 'alice', plainPassword: 'secret', linger: 0 }));
    client.connect(endpoint);
    await client.send('hi libzmq');
    const [msg] = await server.receive(1);
    expect(msg![1]!.toString()).toBe('hi libzmq');
    await server.send([msg![0]!, 'hi Monocoque']);
    expect((await recv(client))[0]!.toString()).toBe('hi Monocoque');
    const [request] = await peer.zapRequests();
    expect(request!.slice(5).map(String)).toEqual(['PLAIN', 'alice', 'secret']);
  });

  it('our PLAIN client with a wrong password: libzmq\'s ERROR (its "^RROR" spelling) is an auth failure 400; no reconnect', async () => {
    const peer = await spawnZmqPeer({ kind });
    await peer.zap({ plain: { alice: 'secret' } });
    const server = await peer.socket('ROUTER', { plainServer: true, linger: 0 });
    const endpoint = await server.bind(bindEndpoint(transport));
    const client = scope.track(new Dealer({ plainUsername: 'alice', plainPassword: 'nope', linger: 0, reconnectInterval: 20 }));
    const seen: string[] = [];
    client.events.on('*', (e) => seen.push(e.type));
    const auth = new Promise<{ error: { code: string; status?: number } }>((resolve) => client.events.on('handshake:error:auth', resolve as never));
    client.connect(endpoint);
    const { error } = await auth;
    expect(error).toMatchObject({ code: 'EACCES', status: 400 });
    await server.waitForEvent('handshake:error:auth');
    await new Promise((r) => setTimeout(r, 200));
    expect(seen).not.toContain('connect:retry');
    expect(await peer.zapRequests()).toHaveLength(1);
  });
});
