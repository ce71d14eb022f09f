/**
 * Self-test of the peer harness, libzmq against libzmq in two processes: when these fail,
 * the interop failures elsewhere are about the harness, not about Monocoque.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PeerError, pyzmqAvailability, spawnZmqPeer } from './helpers/peer.js';
import { bindEndpoint, ipcEndpoint, TCP_ANY, type Transport } from './helpers/endpoints.js';
import { assertFramesEqual, frameOf, Scope } from './helpers/util.js';

const scope = new Scope();
afterEach(() => scope.cleanup());

describe('harness: npm zeromq peer', () => {
  it('loads libzmq in a child process (fails loudly when it cannot)', async () => {
    const peer = await spawnZmqPeer();
    expect(peer.zmqVersion).toMatch(/^4\.\d+\.\d+$/);
    expect(peer.pid).toBeGreaterThan(0);
    expect(peer.pid).not.toBe(process.pid);
  });

  it.each<Transport>(['tcp', 'ipc'])('%s: ROUTER <-> DEALER across two peer processes, 1 MiB frame', async (t) => {
    const a = await spawnZmqPeer();
    const b = await spawnZmqPeer();
    const router = await a.socket('ROUTER', { linger: 0 });
    const ep = await router.bind(bindEndpoint(t));
    if (t === 'tcp') expect(ep).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
    else expect(ep).toMatch(/^ipc:\/\/\/tmp\/monocoque-e2e-/);
    const dealer = await b.socket('DEALER', { routingId: 'd1', linger: 0 });
    await dealer.connect(ep);
    const big = frameOf(1 << 20);
    await dealer.send(['x', Buffer.alloc(0), big]);
    const [m] = await router.receive(1, 5000);
    assertFramesEqual(m!, [Buffer.from('d1'), Buffer.from('x'), Buffer.alloc(0), big]);
    await router.send(['d1', 'back']);
    const [r] = await dealer.receive(1, 5000);
    assertFramesEqual(r!, [Buffer.from('back')]);
    await router.waitForEvent('accept', 1, 2000);
    await dealer.waitForEvent('handshake', 1, 2000);
  });

  it('reports libzmq error codes, receive timeouts and partial receives', async () => {
    const peer = await spawnZmqPeer();
    const router = await peer.socket('ROUTER', { mandatory: true, linger: 0 });
    await router.bind(TCP_ANY);
    const err = await router.send(['nobody', 'x'], { timeoutMs: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PeerError);
    expect((err as PeerError).code).toBe('EHOSTUNREACH');
    const t0 = Date.now();
    expect(await router.receiveUpTo(3, 150)).toEqual([]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    await expect(router.receive(1, 100)).rejects.toThrow(/expected 1 message/);
    await expect(peer.socket('NOPE' as never)).rejects.toThrow(/unknown socket type/);
  });

  it('supports several sockets per peer and the shortcut API on the last one', async () => {
    const peer = await spawnZmqPeer();
    const pull = await peer.socket('PULL', { linger: 0 });
    const ep = await pull.bind(ipcEndpoint());
    await peer.socket('PUSH', { linger: 0 });
    await peer.connect(ep);
    await peer.send(['one', 'two']);
    const [m] = await pull.receive(1, 5000);
    assertFramesEqual(m!, [Buffer.from('one'), Buffer.from('two')]);
  });

  it('close() kills the process and later requests fail fast', async () => {
    const peer = await spawnZmqPeer();
    await peer.socket('DEALER');
    await peer.close();
    await expect(peer.bind(TCP_ANY)).rejects.toThrow(/exited/);
    await peer.close(); // idempotent
  });
});

const py = pyzmqAvailability();
if (!py.available) console.warn(`[e2e] skipping pyzmq harness tests: ${py.reason}`);

describe.skipIf(!py.available)('harness: pyzmq peer (python3-zmq)', () => {
  it.each<Transport>(['tcp', 'ipc'])('%s: pyzmq ROUTER <-> npm zeromq DEALER, events, error codes', async (t) => {
    const a = await spawnZmqPeer({ kind: 'pyzmq' });
    expect(a.zmqVersion).toMatch(/^4\.\d+\.\d+$/);
    const b = await spawnZmqPeer();
    const router = await a.socket('ROUTER', { linger: 0, mandatory: true });
    const ep = await router.bind(bindEndpoint(t));
    const dealer = await b.socket('DEALER', { routingId: 'd1', linger: 0 });
    await dealer.connect(ep);
    const big = frameOf(1 << 20);
    await dealer.send(['x', Buffer.alloc(0), big]);
    const [m] = await router.receive(1, 5000);
    assertFramesEqual(m!, [Buffer.from('d1'), Buffer.from('x'), Buffer.alloc(0), big]);
    await router.send(['d1', 'back']);
    assertFramesEqual((await dealer.receive(1, 5000))[0]!, [Buffer.from('back')]);
    await router.waitForEvent('accept', 1, 2000);
    const err = await router.send(['nobody', 'x'], { timeoutMs: 0 }).catch((e: unknown) => e);
    expect((err as PeerError).code).toBe('EHOSTUNREACH');
    expect(await router.receiveUpTo(1, 100)).toEqual([]);
  });
});

describe.skipIf(!py.available)('harness: security plumbing (CURVE, PLAIN, ZAP) libzmq <-> libzmq', () => {
  it('npm zeromq CURVE server with a ZAP allow-list: pyzmq client with a listed key passes, another gets 400', async () => {
    const srv = await spawnZmqPeer();
    const cli = await spawnZmqPeer({ kind: 'pyzmq' });
    const server = await srv.curveKeyPair();
    const good = await cli.curveKeyPair();
    const bad = await cli.curveKeyPair();
    expect(server.publicKey).toMatch(/^[\x21-\x7e]{40}$/);
    await srv.zap({ curveKeys: [good.publicKey], metadata: { Hello: 'world' } });
    const router = await srv.socket('ROUTER', { linger: 0, curveServer: true, curveSecretKey: server.secretKey });
    const ep = await router.bind(TCP_ANY);

    const ok = await cli.socket('DEALER', {
      linger: 0,
      routingId: 'good',
      curveServerKey: server.publicKey,
      curvePublicKey: good.publicKey,
      curveSecretKey: good.secretKey,
    });
    await ok.connect(ep);
    await ok.send('hi');
    assertFramesEqual((await router.receive(1, 5000))[0]!, [Buffer.from('good'), Buffer.from('hi')]);

    const no = await cli.socket('DEALER', {
      linger: 0,
      curveServerKey: server.publicKey,
      curvePublicKey: bad.publicKey,
      curveSecretKey: bad.secretKey,
    });
    await no.connect(ep);
    const [clientSide] = await no.waitForEvent('handshake:error:auth', 1, 5000);
    expect(clientSide!.error?.status).toBe(400);
    const [serverSide] = await router.waitForEvent('handshake:error:auth', 1, 5000);
    expect(serverSide!.error?.status).toBe(400);

    const reqs = await srv.zapRequests();
    expect(reqs).toHaveLength(2);
    for (const r of reqs) {
      expect(r.slice(0, 3).map(String)).toEqual(['1.0', '1', '']);
      expect(r[3]!.toString()).toBe('127.0.0.1');
      expect(r[5]!.toString()).toBe('CURVE');
      expect(r[6]).toHaveLength(32);
    }
  });

  it('pyzmq PLAIN server with a ZAP user table: npm zeromq client with a wrong password gets 400', async () => {
    const srv = await spawnZmqPeer({ kind: 'pyzmq' });
    const cli = await spawnZmqPeer();
    await srv.zap({ plain: { alice: 'secret' } });
    const router = await srv.socket('ROUTER', { linger: 0, plainServer: true, zapDomain: 'test' });
    const ep = await router.bind(TCP_ANY);

    const ok = await cli.socket('DEALER', { linger: 0, routingId: 'a', plainUsername: 'alice', plainPassword: 'secret' });
    await ok.connect(ep);
    await ok.send('in');
    assertFramesEqual((await router.receive(1, 5000))[0]!, [Buffer.from('a'), Buffer.from('in')]);

    const no = await cli.socket('DEALER', { linger: 0, plainUsername: 'alice', plainPassword: 'wrong' });
    await no.connect(ep);
    const [ev] = await no.waitForEvent('handshake:error:auth', 1, 5000);
    expect(ev!.error?.status).toBe(400);
    const [sev] = await router.waitForEvent('handshake:error:auth', 1, 5000);
    expect(sev!.error?.status).toBe(400);
    expect(sev!.value).toBe(400);

    const reqs = (await srv.zapRequests()).map((r) => r.map(String));
    expect(reqs).toEqual([
      ['1.0', '1', 'test', '127.0.0.1', '', 'PLAIN', 'alice', 'secret'],
      ['1.0', '1', 'test', '127.0.0.1', '', 'PLAIN', 'alice', 'wrong'],
    ]);
  });
});
