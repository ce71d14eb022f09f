// Security wiring in the engine: libzmq's option rules, the process-wide ZAP handler (RFC 27),
// PLAIN over real tcp/ipc connections, the ERROR flushed before close, ZAP 300 holding the peer.
import { afterEach, describe, expect, it } from 'vitest';
import { type ZapRequest, installZapHandler, hasZapHandler } from '../src/index.js';
import { verdictOf, zapAddress } from '../src/zap.js';
import { TestSocket, ipcEndpoint, nextEvent, tracker } from './helpers.js';

const t = tracker();
let uninstall: (() => void) | undefined;
afterEach(() => {
  t.closeAll();
  uninstall?.();
  uninstall = undefined;
});

const request = (over: Partial<ZapRequest> = {}): ZapRequest => ({
  version: '1.0',
  requestId: '7',
  domain: '',
  address: '127.0.0.1',
  identity: Buffer.alloc(0),
  mechanism: 'PLAIN',
  credentials: [],
  ...over,
});

describe('security options follow libzmq: the last mechanism option assigned wins', () => {
  it.each([
    [{}, null],
    [{ plainServer: true }, 'plain'],
    [{ plainServer: true, plainServer2: undefined }, 'plain'],
    [{ plainUsername: 'u' }, 'plain'],
    [{ plainUsername: 'u', plainUsername2: undefined }, 'plain'],
    [{ plainServer: false }, null],
    [{ plainUsername: 'u', plainServer: false }, null],
    [{ plainServer: true, plainPassword: null }, null],
  ])('%j → %s', (options, expected) => {
    const clean = Object.fromEntries(Object.entries(options).filter(([k]) => !k.endsWith('2')));
    const s = t.add(new TestSocket(clean));
    expect(s.securityMechanism).toBe(expected);
  });

  it('assignments change it too; zapDomain is a plain option', () => {
    const s = t.add(new TestSocket());
    s.plainUsername = 'u';
    expect(s.securityMechanism).toBe('plain');
    s.plainUsername = null;
    expect(s.securityMechanism).toBe(null);
    s.zapDomain = 'global';
    expect(s.zapDomain).toBe('global');
  });

  it('refuses CURVE options while @monocoque/curve/register is not loaded, naming it', () => {
    expect(() => new TestSocket({ curveServer: true })).toThrow(expect.objectContaining({ code: 'ENOTSUP', message: expect.stringContaining('@monocoque/curve') }));
  });
});

describe('the ZAP handler', () => {
  it('is one per process: a second install is EADDRINUSE; uninstalling frees the slot', () => {
    uninstall = installZapHandler((r) => ({ requestId: r.requestId, statusCode: 200 }));
    expect(hasZapHandler()).toBe(true);
    expect(() => installZapHandler((r) => ({ requestId: r.requestId, statusCode: 200 }))).toThrow(expect.objectContaining({ code: 'EADDRINUSE' }));
    uninstall();
    expect(hasZapHandler()).toBe(false);
    uninstall = installZapHandler((r) => ({ requestId: r.requestId, statusCode: 200 }));
  });

  it('checks replies: version 1.0, the request id echoed, a known status', () => {
    expect(verdictOf(request(), { requestId: '7', statusCode: '200', userId: 'u', metadata: { role: 'x' } })).toMatchObject({ status: 200, userId: 'u' });
    expect(() => verdictOf(request(), { requestId: '8', statusCode: 200 })).toThrow(/expected request id "7" echoed, got "8"/);
    expect(() => verdictOf(request(), { version: '2.0', requestId: '7', statusCode: 200 })).toThrow(/version/);
    expect(() => verdictOf(request(), { requestId: '7', statusCode: 201 })).toThrow(/200, 300, 400 or 500, got 201/);
    expect(() => verdictOf(request(), 'yes')).toThrow(/reply object/);
  });

  it('names peers by IP for tcp (v4 and v6), and by nothing for ipc', () => {
    expect(zapAddress('tcp://127.0.0.1:5555')).toBe('127.0.0.1');
    expect(zapAddress('tcp://[::1]:5555')).toBe('::1');
    expect(zapAddress('ipc:///tmp/x.sock')).toBe('');
  });
});

describe.each([
  ['tcp', () => 'tcp://127.0.0.1:*', '127.0.0.1'],
  ['ipc', ipcEndpoint, ''],
])('PLAIN over %s', (_name, endpoint, address) => {
  async function serve(handler: (r: ZapRequest) => ReturnType<Parameters<typeof installZapHandler>[0]>, options = {}) {
    const requests: ZapRequest[] = [];
    uninstall = installZapHandler((r) => {
      requests.push(r);
      return handler(r);
    });
    const server = t.add(new TestSocket({ plainServer: true, routingId: 'srv', zapDomain: 'dom', linger: 0, ...options }, 'ROUTER'));
    await server.bind(endpoint());
    return { server, requests };
  }

  it('a client the handler allows gets through; the request names the peer, domain and server', async () => {
    const { server, requests } = await serve((r) => ({ requestId: r.requestId, statusCode: 200, userId: 'alice' }));
    const client = t.add(new TestSocket({ plainUsername: 'alice', plainPassword: 'pw', linger: 0 }));
    client.connect(server.lastEndpoint!);
    const handshake = nextEvent(server, ['handshake']);
    await client.send('hello');
    const [body] = await server.receive();
    expect(body?.toString()).toBe('hello');
    await handshake;
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ domain: 'dom', address, mechanism: 'PLAIN', identity: Buffer.from('srv') });
    expect(requests[0]!.credentials.map(String)).toEqual(['alice', 'pw']);
  });

  it('a refused client: both sides report an auth error with status 400 (the ERROR reaches the client before the close), no reconnect', async () => {
    const { server, requests } = await serve((r) => ({ requestId: r.requestId, statusCode: 400, statusText: 'bad password' }));
    const client = t.add(new TestSocket({ plainUsername: 'alice', plainPassword: 'wrong', linger: 0, reconnectInterval: 10 }));
    const serverSide = nextEvent(server, ['handshake:error:auth']);
    const clientSide = nextEvent(client, ['handshake:error:auth', 'handshake:error:other', 'handshake:error:protocol']);
    client.connect(server.lastEndpoint!);
    const [s, c] = await Promise.all([serverSide, clientSide]);
    expect(s.error).toMatchObject({ code: 'EACCES', status: 400 });
    expect(s.error?.message).toContain('bad password');
    expect(c.type).toBe('handshake:error:auth');
    expect(c.error).toMatchObject({ code: 'EACCES', status: 400 });
    // Would-be reconnects (every ~10 ms) would ask again; a second client's success proves time passed.
    const other = t.add(new TestSocket({ plainUsername: 'bob', plainPassword: 'pw', linger: 0 }));
    uninstall!();
    uninstall = installZapHandler((r) => {
      requests.push(r);
      return { requestId: r.requestId, statusCode: String(r.credentials[0]) === 'bob' ? 200 : 400 };
    });
    other.connect(server.lastEndpoint!);
    await other.send('x');
    await server.receive();
    await new Promise((r) => setTimeout(r, 100));
    expect(requests.filter((r) => String(r.credentials[0]) === 'alice')).toHaveLength(1);
  });

  it('ZAP 300: the server reports it at once and holds the peer silently until handshakeInterval, then the client retries', async () => {
    const { server } = await serve((r) => ({ requestId: r.requestId, statusCode: 300 }), { handshakeInterval: 300 });
    const client = t.add(new TestSocket({ plainUsername: 'alice', plainPassword: 'pw', linger: 0, reconnectInterval: 5000 }));
    const seen: string[] = [];
    client.events.on('*', (e) => seen.push(e.type));
    const held = nextEvent(server, ['handshake:error:auth']);
    const retried = nextEvent(client, ['connect:retry']);
    client.connect(server.lastEndpoint!);
    const at = Date.now();
    expect((await held).error).toMatchObject({ code: 'EACCES', status: 300 });
    await retried;
    expect(Date.now() - at).toBeGreaterThanOrEqual(250);
    expect(seen.filter((type) => type !== 'connect:delay')).toEqual(['connect', 'handshake:error:other', 'disconnect', 'connect:retry']);
  });

  it('no handler installed: a PLAIN server lets nobody in; it closes without ERROR (EFAULT) so clients retry, as with libzmq', async () => {
    const server = t.add(new TestSocket({ plainServer: true, linger: 0 }, 'ROUTER'));
    await server.bind(endpoint());
    const client = t.add(new TestSocket({ plainUsername: 'alice', plainPassword: 'pw', linger: 0, reconnectInterval: 20 }));
    const refused = nextEvent(server, ['handshake:error:auth', 'handshake:error:other', 'handshake']);
    const retried = nextEvent(client, ['connect:retry']);
    client.connect(server.lastEndpoint!);
    const e = await refused;
    expect(e.type).toBe('handshake:error:other');
    expect(e.error?.code).toBe('EFAULT');
    await retried;
    // Once a handler exists, the retrying client gets in.
    uninstall = installZapHandler((r) => ({ requestId: r.requestId, statusCode: 200 }));
    await client.send('late');
    expect((await server.receive())[0]?.toString()).toBe('late');
  });

  it('zapEnforceDomain: a NULL server with a domain and no handler refuses peers (EFAULT); without a domain ZAP is not asked', async () => {
    const strict = t.add(new TestSocket({ zapDomain: 'dmz', zapEnforceDomain: true, linger: 0 }, 'ROUTER'));
    await strict.bind(endpoint());
    const c1 = t.add(new TestSocket({ linger: 0 }));
    const refused = nextEvent(strict, ['handshake:error:other', 'handshake']);
    c1.connect(strict.lastEndpoint!);
    expect((await refused).error?.code).toBe('EFAULT');

    const requests: ZapRequest[] = [];
    uninstall = installZapHandler((r) => (requests.push(r), { requestId: r.requestId, statusCode: 200 }));
    const open = t.add(new TestSocket({ zapEnforceDomain: true, linger: 0 }, 'ROUTER'));
    await open.bind(endpoint());
    const c2 = t.add(new TestSocket({ linger: 0 }));
    c2.connect(open.lastEndpoint!);
    await c2.send('x');
    await open.receive();
    expect(requests).toHaveLength(0);
  });

  it('the handshake deadline covers a ZAP handler that never answers (ETIMEDOUT), and the client retries', async () => {
    const { server } = await serve(() => new Promise(() => {}), { handshakeInterval: 200 });
    const client = t.add(new TestSocket({ plainUsername: 'alice', plainPassword: 'pw', linger: 0 }));
    const timedOut = nextEvent(server, ['handshake:error:other', 'handshake:error:auth', 'handshake']);
    const retried = nextEvent(client, ['connect:retry']);
    client.connect(server.lastEndpoint!);
    expect((await timedOut).error?.code).toBe('ETIMEDOUT');
    await retried;
  });

  it('a handler that throws answers 500: refused, never let in', async () => {
    const { server } = await serve(() => {
      throw new Error('database down');
    });
    const client = t.add(new TestSocket({ plainUsername: 'alice', plainPassword: 'pw', linger: 0 }));
    const s = nextEvent(server, ['handshake:error:auth', 'handshake']);
    const c = nextEvent(client, ['handshake:error:auth', 'handshake']);
    client.connect(server.lastEndpoint!);
    expect((await s).error).toMatchObject({ status: 500, message: expect.stringContaining('database down') });
    expect((await c).error).toMatchObject({ code: 'EACCES', status: 500 });
  });
});
