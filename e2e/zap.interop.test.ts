/**
 * @monocoque/zap against libzmq clients (npm `zeromq` 6, libzmq 4.3.5) in a separate
 * process: a Monocoque server with the authenticator, a libzmq PLAIN or NULL client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Router } from '@monocoque/router';
import { type ZapAuthenticator, type ZapDecision, startAuthenticator } from '@monocoque/zap';
import { type Transport, TCP_ANY, bindEndpoint } from './helpers/endpoints.js';
import { spawnZmqPeer } from './helpers/peer.js';
import { recv } from './helpers/ours.js';
import { Scope, withTimeout } from './helpers/util.js';

const scope = new Scope();
let auth: ZapAuthenticator | undefined;
afterEach(async () => {
  await scope.cleanup();
  await auth?.stop();
  auth = undefined;
});

function nextDecision(a: ZapAuthenticator, ms = 10_000): Promise<ZapDecision> {
  return withTimeout(new Promise<ZapDecision>((resolve) => a.once('decision', resolve)), ms, 'a ZAP decision');
}

describe.each<Transport>(['tcp', 'ipc'])('a libzmq PLAIN client against a Monocoque PLAIN server with @monocoque/zap over %s', (transport) => {
  it('the right password: the request is what RFC 27 says and a message round-trips', async () => {
    auth = startAuthenticator({ plain: { admin: 'secret' } });
    const server = scope.track(new Router({ plainServer: true, zapDomain: 'global', routingId: 'srv' }));
    await server.bind(bindEndpoint(transport));
    const peer = await spawnZmqPeer();
    const client = await peer.socket('DEALER', { plainUsername: 'admin', plainPassword: 'secret' });
    const decided = nextDecision(auth);
    await client.connect(server.lastEndpoint!);
    const { request, reply } = await decided;
    expect(request).toMatchObject({ domain: 'global', address: transport === 'tcp' ? '127.0.0.1' : '', mechanism: 'PLAIN' });
    expect(request.identity.toString()).toBe('srv');
    expect(request.credentials.map((c) => c.toString())).toEqual(['admin', 'secret']);
    expect(reply).toMatchObject({ statusCode: 200, userId: 'admin' });

    await client.send([Buffer.from('hello libzmq')]);
    const [id, body] = await recv(server, 10_000, 'the libzmq client message');
    expect(body!.toString()).toBe('hello libzmq');
    await server.send([id!, Buffer.from('hello back')]);
    const [echo] = await client.receive(1, 10_000);
    expect(echo?.[0]?.toString()).toBe('hello back');
    await client.waitForEvent('handshake', 1, 5000);
    expect((await client.events()).filter((e) => e.type.startsWith('handshake:error'))).toEqual([]);
  });

  it('a wrong password: the libzmq client reports handshake:error:auth with status 400', async () => {
    auth = startAuthenticator({ plain: { admin: 'secret' } });
    const server = scope.track(new Router({ plainServer: true }));
    await server.bind(bindEndpoint(transport));
    const peer = await spawnZmqPeer();
    const client = await peer.socket('DEALER', { plainUsername: 'admin', plainPassword: 'wrong' });
    const decided = nextDecision(auth);
    await client.connect(server.lastEndpoint!);
    expect((await decided).reply.statusCode).toBe(400);
    const [event] = await client.waitForEvent('handshake:error:auth', 1, 10_000);
    expect(event!.error?.status).toBe(400);
    await client.expectNoMessage(50);
    expect((await client.events()).some((e) => e.type === 'handshake')).toBe(false);
  });
});

describe('libzmq clients and the other rules', () => {
  it('a NULL client of a server with a zapDomain, denied by address: handshake:error:auth 400', async () => {
    auth = startAuthenticator({ addresses: { deny: ['127.0.0.1'] } });
    const server = scope.track(new Router({ zapDomain: 'global' }));
    await server.bind(TCP_ANY);
    const peer = await spawnZmqPeer();
    const client = await peer.socket('DEALER');
    const decided = nextDecision(auth);
    await client.connect(server.lastEndpoint!);
    const { request, reply } = await decided;
    expect(request).toMatchObject({ mechanism: 'NULL', address: '127.0.0.1', domain: 'global' });
    expect(reply.statusCode).toBe(400);
    const [event] = await client.waitForEvent('handshake:error:auth', 1, 10_000);
    expect(event!.error?.status).toBe(400);
  });

  it('status 300: the libzmq client gets no auth error, is closed at the server handshakeInterval, retries and gets in', async () => {
    let attempts = 0;
    auth = startAuthenticator({ plain: () => (++attempts === 1 ? { status: 300, text: 'try later' } : true) });
    const server = scope.track(new Router({ plainServer: true, handshakeInterval: 300 }));
    await server.bind(TCP_ANY);
    const peer = await spawnZmqPeer();
    const client = await peer.socket('DEALER', { plainUsername: 'admin', plainPassword: 'pw', reconnectInterval: 50 });
    const first = nextDecision(auth);
    await client.connect(server.lastEndpoint!);
    expect((await first).reply.statusCode).toBe(300);
    const second = await nextDecision(auth);
    expect(second.reply.statusCode).toBe(200);
    await client.waitForEvent('handshake', 1, 10_000);
    await client.send([Buffer.from('after 300')]);
    const [, body] = await recv(server, 10_000, 'the message after the retry');
    expect(body!.toString()).toBe('after 300');
    expect((await client.events()).filter((e) => e.type === 'handshake:error:auth')).toEqual([]);
    expect(attempts).toBe(2);
  });
});
