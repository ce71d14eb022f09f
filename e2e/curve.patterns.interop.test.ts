/**
 * CURVE REQ/REP and PUB/SUB against libzmq in its own process — npm `zeromq` (libzmq 4.3.5)
 * and Debian's python3-zmq (system libzmq 4.3.4; skipped with the reason printed when it is
 * missing) — over TCP and IPC. Every combination of which side is ours (REQ or REP, PUB or
 * SUB) and which side is the CURVE server (it binds; the CURVE client connects). REQ/REP
 * moves 1 MiB each way; PUB/SUB checks the subscription filters (it reached the publisher).
 *
 * Then, through a recording TCP proxy between a SUB and a PUB (ours and libzmq's in both
 * roles): with CURVE, neither the topic (the subscription upstream, the messages
 * downstream) nor the payload appears in clear on the wire; with NULL (the control that
 * makes the check able to fail) both do.
 */
import '@monocoque/curve/register';
import { curveKeyPair } from '@monocoque/curve';
import { Publisher, Subscriber } from '@monocoque/pubsub';
import { Reply, Request } from '@monocoque/reqrep';
import { type FaultProxy, startFaultProxy } from '@monocoque/test-support';
import { afterEach, describe, expect, it } from 'vitest';
import { type Transport, bindEndpoint } from './helpers/endpoints.js';
import { recv } from './helpers/ours.js';
import { type PeerKind, type PeerSocket, type PeerSocketOptions, type SocketType, pyzmqAvailability, spawnZmqPeer } from './helpers/peer.js';
import { Scope, withTimeout } from './helpers/util.js';

const py = pyzmqAvailability();
if (!py.available) console.warn(`[e2e] skipping the pyzmq CURVE pattern tests: ${py.reason}`);

const scope = new Scope();
const proxies: FaultProxy[] = [];
afterEach(async () => {
  await scope.cleanup();
  await Promise.all(proxies.splice(0).map((p) => p.close()));
});

const MiB = 1024 * 1024;
function big(seed: number): Buffer {
  const b = Buffer.alloc(MiB);
  for (let i = 0; i < b.length; i++) b[i] = (i * 131 + seed) & 0xff;
  return b;
}

type Curve = 'server' | 'client';
type Keys = { publicKey: string; secretKey: string };
type Ours = Request | Reply | Publisher | Subscriber;

/** Options making a socket the CURVE server (with `server` keys) or its client (with `client` keys). */
function curveOptions(role: Curve, server: Keys, client: Keys): Record<string, unknown> {
  return role === 'server'
    ? { curveServer: true, curveSecretKey: server.secretKey }
    : { curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey };
}

/**
 * Our socket (made by `make`) and a peer socket of `peerType`; the CURVE server binds on
 * `transport`, the client connects (to `via(endpoint)` when given: a proxy in between).
 * Keys of our side come from curveKeyPair(), the peer's from its own libzmq.
 */
async function pair<T extends Ours>(opts: {
  kind: PeerKind;
  transport: Transport;
  ours: Curve;
  make: (options: Record<string, unknown>) => T;
  peerType: SocketType;
  peerOptions?: PeerSocketOptions;
  /** false: both sides NULL (no CURVE), for the control. */
  curve?: boolean;
  via?: (endpoint: string) => Promise<string>;
}): Promise<{ ours: T; theirs: PeerSocket }> {
  const peer = await spawnZmqPeer({ kind: opts.kind });
  const ourKeys = curveKeyPair();
  const theirKeys = await peer.curveKeyPair();
  const serverKeys = opts.ours === 'server' ? ourKeys : theirKeys;
  const clientKeys = opts.ours === 'server' ? theirKeys : ourKeys;
  const sec = (role: Curve) => (opts.curve === false ? {} : curveOptions(role, serverKeys, clientKeys));
  const via = opts.via ?? (async (e: string) => e);
  if (opts.ours === 'server') {
    const ours = scope.track(opts.make({ linger: 0, ...sec('server') }));
    await ours.bind(bindEndpoint(opts.transport));
    const theirs = await peer.socket(opts.peerType, { linger: 0, ...opts.peerOptions, ...sec('client') });
    await theirs.connect(await via(ours.lastEndpoint!));
    return { ours, theirs };
  }
  const theirs = await peer.socket(opts.peerType, { linger: 0, ...opts.peerOptions, ...sec('server') });
  const endpoint = await theirs.bind(bindEndpoint(opts.transport));
  const ours = scope.track(opts.make({ linger: 0, ...sec('client') }));
  ours.connect(await via(endpoint));
  return { ours, theirs };
}

/**
 * Slow joiner, our Subscriber: the peer publishes `[topic, 'probe']` until one reaches
 * `sub` (each wait is on the one pending receive, 50 ms at a time). Returns the pending
 * receive for whatever comes next.
 */
async function joinFromPeer(pub: PeerSocket, sub: Subscriber, topic: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  const first = sub.receive();
  for (;;) {
    await pub.send([topic, 'probe']);
    const got = await Promise.race([first, new Promise<null>((r) => setTimeout(() => r(null), 50))]);
    if (got) {
      expect(got[1]!.toString()).toBe('probe');
      return;
    }
    if (Date.now() > deadline) throw new Error(`no probe on ${topic} reached our subscriber within 10 s`);
  }
}

/** Slow joiner, libzmq SUB: our Publisher publishes probes until the peer receives one. */
async function joinToPeer(pub: Publisher, sub: PeerSocket, topic: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await pub.send([topic, 'probe']);
    const got = await sub.receiveUpTo(1, 50);
    if (got.length > 0) return;
    if (Date.now() > deadline) throw new Error(`no probe on ${topic} reached the libzmq subscriber within 10 s`);
  }
}

/** The next message of our Subscriber that is not a probe. */
async function nextNonProbe(sub: Subscriber): Promise<Buffer[]> {
  for (;;) {
    const m = await recv(sub, 10_000, 'the published message');
    if (m[1]?.toString() !== 'probe') return m;
  }
}

/** The next message of the peer's SUB that is not a probe. */
async function peerNextNonProbe(sub: PeerSocket): Promise<Buffer[]> {
  for (;;) {
    const [m] = await sub.receive(1, 10_000);
    if (m![1]?.toString() !== 'probe') return m!;
  }
}

const PEERS: Array<[PeerKind, boolean]> = [
  ['zeromq', true],
  ['pyzmq', py.available],
];
const CASES = PEERS.flatMap(([kind, ok]) => (['tcp', 'ipc'] as Transport[]).map((t) => [kind, t, ok] as const));
const ROLES: Curve[] = ['server', 'client'];

describe.each(CASES)('CURVE REQ/REP and PUB/SUB with %s over %s', (kind, transport, available) => {
  describe.skipIf(!available).each(ROLES)('our socket is the CURVE %s', (ours) => {
    it('our REQ ↔ libzmq REP: 1 MiB request and 1 MiB reply, then another round', async () => {
      const { ours: req, theirs: rep } = await pair({ kind, transport, ours, make: (o) => new Request(o), peerType: 'REP' });
      const up = big(1);
      await req.send(up);
      const [got] = await rep.receive(1, 20_000);
      expect(got!.map((f) => f.length)).toEqual([MiB]);
      expect(got![0]!.equals(up)).toBe(true);
      const down = big(2);
      await rep.send([down, 'tail']);
      const back = await recv(req, 20_000, 'the 1 MiB reply');
      expect(back.map((f) => f.length)).toEqual([MiB, 4]);
      expect(back[0]!.equals(down)).toBe(true);
      await req.send('again');
      expect((await rep.receive(1, 5000))[0]!.map(String)).toEqual(['again']);
      await rep.send('done');
      expect((await recv(req, 5000)).map(String)).toEqual(['done']);
    });

    it('libzmq REQ ↔ our REP: 1 MiB request and 1 MiB reply, then another round', async () => {
      const { ours: rep, theirs: req } = await pair({ kind, transport, ours, make: (o) => new Reply(o), peerType: 'REQ' });
      const up = big(3);
      await req.send([up, Buffer.alloc(0)], { timeoutMs: 20_000 });
      const got = await recv(rep, 20_000, 'the 1 MiB request');
      expect(got.map((f) => f.length)).toEqual([MiB, 0]);
      expect(got[0]!.equals(up)).toBe(true);
      const down = big(4);
      await rep.send(down);
      const [back] = await req.receive(1, 20_000);
      expect(back!.map((f) => f.length)).toEqual([MiB]);
      expect(back![0]!.equals(down)).toBe(true);
      await req.send('again');
      expect((await recv(rep, 5000)).map(String)).toEqual(['again']);
      await rep.send('done');
      expect((await req.receive(1, 5000))[0]!.map(String)).toEqual(['done']);
    });

    it('our PUB → libzmq SUB: the subscription filters (X. dropped, T. delivered)', async () => {
      const { ours: pub, theirs: sub } = await pair({
        kind,
        transport,
        ours,
        make: (o) => new Publisher(o),
        peerType: 'SUB',
        peerOptions: { subscribe: 'T.' },
      });
      await joinToPeer(pub, sub, 'T.probe');
      const payload = Buffer.alloc(64 * 1024, 0xa5);
      await pub.send(['X.other', 'not subscribed']);
      await pub.send(['T.curve', payload]);
      const m = await peerNextNonProbe(sub);
      expect(m[0]!.toString()).toBe('T.curve');
      expect(m[1]!.equals(payload)).toBe(true);
    });

    it('libzmq PUB → our SUB: the subscription filters (X. dropped, T. delivered)', async () => {
      const { ours: sub, theirs: pub } = await pair({ kind, transport, ours, make: (o) => new Subscriber(o), peerType: 'PUB' });
      sub.subscribe('T.');
      await joinFromPeer(pub, sub, 'T.probe');
      const payload = Buffer.alloc(64 * 1024, 0x5a);
      await pub.send(['X.other', 'not subscribed']);
      await pub.send(['T.curve', payload]);
      const m = await nextNonProbe(sub);
      expect(m[0]!.toString()).toBe('T.curve');
      expect(m[1]!.equals(payload)).toBe(true);
    });
  });
});

// ---------------------------------------------------------------- on the wire

const TOPIC = 'weather.SECRET-TOPIC-4f1c';
const PAYLOAD = 'SECRET-PAYLOAD-9b2e: this text must never travel in clear';

/** Start a recording proxy in front of `endpoint`; returns the proxy's endpoint. */
async function recordingProxy(endpoint: string, into: { proxy?: FaultProxy }): Promise<string> {
  const proxy = await startFaultProxy({ target: endpoint, record: true });
  proxies.push(proxy);
  into.proxy = proxy;
  return proxy.endpoint;
}

/** Whether `needle` occurs in `hay` (bytes). */
const contains = (hay: Buffer, needle: string) => hay.includes(Buffer.from(needle));

describe.each(PEERS)('PUB/SUB through a recording proxy, libzmq from %s', (kind, available) => {
  describe.skipIf(!available).each([
    ['CURVE', true],
    ['NULL (control)', false],
  ] as const)('%s', (_mechanism, curve) => {
    /** What crossed the wire, after a message on TOPIC was delivered through the proxy. */
    async function checkWire(proxy: FaultProxy): Promise<void> {
      const up = proxy.recorded('upstream'); // SUB → PUB: greeting, handshake, subscription
      const down = proxy.recorded('downstream'); // PUB → SUB: greeting, handshake, messages
      // The greetings name the mechanism: the connection really was CURVE (or NULL).
      const name = curve ? 'CURVE' : 'NULL';
      expect(up.subarray(12, 12 + name.length).toString()).toBe(name);
      expect(down.subarray(12, 12 + name.length).toString()).toBe(name);
      if (curve) {
        expect(contains(up, TOPIC), 'topic in clear upstream (the subscription)').toBe(false);
        expect(contains(up, 'SECRET'), 'any secret upstream').toBe(false);
        expect(contains(down, TOPIC), 'topic in clear downstream').toBe(false);
        expect(contains(down, 'SECRET'), 'any secret downstream').toBe(false);
      } else {
        expect(contains(up, TOPIC), 'the subscription in clear upstream').toBe(true);
        expect(contains(down, TOPIC), 'the topic in clear downstream').toBe(true);
        expect(contains(down, PAYLOAD), 'the payload in clear downstream').toBe(true);
      }
    }

    it('libzmq SUB → proxy → our PUB (binds; the CURVE server)', async () => {
      const at: { proxy?: FaultProxy } = {};
      const { ours: pub, theirs: sub } = await pair({
        kind,
        transport: 'tcp',
        ours: 'server',
        curve,
        make: (o) => new Publisher(o),
        peerType: 'SUB',
        peerOptions: { subscribe: TOPIC },
        via: (e) => recordingProxy(e, at),
      });
      await joinToPeer(pub, sub, TOPIC);
      await pub.send([TOPIC, PAYLOAD]);
      const m = await peerNextNonProbe(sub);
      expect(m.map(String)).toEqual([TOPIC, PAYLOAD]);
      await checkWire(at.proxy!);
    });

    it('our SUB → proxy → libzmq PUB (binds; the CURVE server)', async () => {
      const at: { proxy?: FaultProxy } = {};
      const { ours: sub, theirs: pub } = await pair({
        kind,
        transport: 'tcp',
        ours: 'client',
        curve,
        make: (o) => new Subscriber(o),
        peerType: 'PUB',
        via: (e) => recordingProxy(e, at),
      });
      sub.subscribe(TOPIC);
      await joinFromPeer(pub, sub, TOPIC);
      await pub.send([TOPIC, PAYLOAD]);
      const m = await withTimeout(nextNonProbe(sub), 10_000, 'the payload');
      expect(m.map(String)).toEqual([TOPIC, PAYLOAD]);
      await checkWire(at.proxy!);
    });
  });
});
