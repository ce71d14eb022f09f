/**
 * Monocoque PUB/SUB/XPUB/XSUB against real libzmq (npm `zeromq` 6, libzmq 4.3.5) in a
 * separate process, over TCP and IPC, in both bind directions.
 *
 * Slow joiner: a subscription reaches a publisher some time after `subscribe()`. When our
 * side publishes, tests wait until our publisher's `subscriptionCount` shows it; when
 * libzmq publishes, they send probes until the first one arrives, then drain the probes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Publisher, Subscriber, XPublisher, XSubscriber } from '@monocoque/pubsub';
import { spawnZmqPeer, type PeerSocket } from './helpers/peer.js';
import { bindEndpoint, type Transport } from './helpers/endpoints.js';
import { assertFramesEqual, Scope, sleep, withTimeout } from './helpers/util.js';
import { expectNothing, nextEvent, recv } from './helpers/ours.js';

const scope = new Scope();
afterEach(() => scope.cleanup());

const B = (s: string) => Buffer.from(s, 'utf8');

/** Poll until `cond()` holds, bounded. */
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** libzmq publishes probes (`topic`) until our subscriber gets one; then drains the rest. */
async function joinFromPeer(pub: PeerSocket, sub: { receive(): Promise<Buffer[]>; readable: boolean }, topic: string): Promise<void> {
  const end = Date.now() + 5000;
  for (;;) {
    await pub.send([topic, 'probe']);
    await sleep(20);
    if (sub.readable) break;
    if (Date.now() > end) throw new Error(`no probe on ${topic} reached our subscriber within 5 s (slow joiner)`);
  }
  await sleep(50);
  while (sub.readable) {
    const m = await sub.receive();
    expect(m[1]!.toString()).toBe('probe');
  }
}

/** Our publisher publishes probes until the libzmq subscriber gets one; then drains the rest. */
async function joinToPeer(send: () => Promise<void>, sub: PeerSocket): Promise<void> {
  const end = Date.now() + 5000;
  for (;;) {
    await send();
    const got = await sub.receiveUpTo(1, 50);
    if (got.length > 0) break;
    if (Date.now() > end) throw new Error('no probe reached the libzmq subscriber within 5 s (slow joiner)');
  }
  await sub.receiveUpTo(1000, 100);
}

const MULTIPART = [B('A.topic'), Buffer.alloc(0), Buffer.from([0x00, 0xff, 0x01]), Buffer.alloc(300, 0x5a)];

describe.each<Transport>(['tcp', 'ipc'])('PUB/SUB interop with libzmq over %s', (transport) => {
  it('our Publisher binds, libzmq SUB connects: prefix filtering and multipart', async () => {
    const pub = scope.track(new Publisher({ linger: 0 }));
    await pub.bind(bindEndpoint(transport));
    const peer = await spawnZmqPeer();
    const sub = await peer.socket('SUB', { linger: 0, subscribe: 'A.' });
    await sub.connect(pub.lastEndpoint!);
    await until(() => pub.subscriptionCount === 1, 'the libzmq subscription');
    await pub.send(['B.topic', 'not for you']);
    await pub.send(MULTIPART);
    const [m] = await sub.receive(1, 5000);
    assertFramesEqual(m!, MULTIPART);
    await sub.expectNoMessage(150);
  });

  it('libzmq PUB binds, our Subscriber connects: prefix filtering and multipart', async () => {
    const peer = await spawnZmqPeer();
    const pub = await peer.socket('PUB', { linger: 0 });
    const ep = await pub.bind(bindEndpoint(transport));
    const sub = scope.track(new Subscriber({ linger: 0 }));
    sub.subscribe('A.');
    sub.connect(ep);
    await joinFromPeer(pub, sub, 'A.probe');
    await pub.send(['B.topic', 'not for you']);
    await pub.send(MULTIPART);
    assertFramesEqual(await recv(sub), MULTIPART);
    await expectNothing(sub, 150);
  });

  it('our Subscriber binds, libzmq PUB connects', async () => {
    const sub = scope.track(new Subscriber({ linger: 0 }));
    sub.subscribe('A.');
    await sub.bind(bindEndpoint(transport));
    const peer = await spawnZmqPeer();
    const pub = await peer.socket('PUB', { linger: 0 });
    await pub.connect(sub.lastEndpoint!);
    await joinFromPeer(pub, sub, 'A.probe');
    await pub.send(MULTIPART);
    assertFramesEqual(await recv(sub), MULTIPART);
  });

  it('our Publisher connects, libzmq XSUB binds', async () => {
    // (An idle zeromq.js SUB that binds holds its subscriptions — a zeromq.js event-loop quirk,
    // see docs/patterns/pub-sub.md; pubsub.bound-sub.interop.test.ts covers a real bound SUB.)
    const peer = await spawnZmqPeer();
    const xsub = await peer.socket('XSUB', { linger: 0 });
    const ep = await xsub.bind(bindEndpoint(transport));
    const pub = scope.track(new Publisher({ linger: 0 }));
    const handshake = nextEvent(pub, 'handshake');
    pub.connect(ep);
    await handshake;
    // libzmq attaches the pipe on its own schedule: wait for its side of the handshake,
    // or the subscription can stay queued inside an idle zeromq.js socket.
    await xsub.waitForEvent('handshake');
    await xsub.send(Buffer.from('\x01A.'));
    await until(() => pub.subscriptionCount === 1, 'the libzmq subscription');
    await pub.send(['B.topic', 'not for you']);
    await pub.send(MULTIPART);
    assertFramesEqual((await xsub.receive(1, 5000))[0]!, MULTIPART);
    await xsub.expectNoMessage(150);
  });

  it('our XPublisher binds, libzmq XSUB connects: subscriptions up, messages down, upstream messages', async () => {
    const xpub = scope.track(new XPublisher({ linger: 0 }));
    await xpub.bind(bindEndpoint(transport));
    const peer = await spawnZmqPeer();
    const xsub = await peer.socket('XSUB', { linger: 0 });
    await xsub.connect(xpub.lastEndpoint!);
    // libzmq attaches the pipe on its own schedule: wait for its side of the handshake,
    // or the subscription can stay queued inside an idle zeromq.js socket.
    await xsub.waitForEvent('handshake');
    await xsub.send(Buffer.from('\x01A.'));
    assertFramesEqual(await recv(xpub), [Buffer.from('\x01A.')]);
    await xpub.send(MULTIPART);
    assertFramesEqual((await xsub.receive(1, 5000))[0]!, MULTIPART);
    await xsub.send(['upstream', 'message']);
    assertFramesEqual(await recv(xpub), [B('upstream'), B('message')]);
    await xsub.send(Buffer.from('\x00A.'));
    assertFramesEqual(await recv(xpub), [Buffer.from('\x00A.')]);
    await until(() => xpub.subscriptionCount === 0, 'the unsubscription');
  });

  it('libzmq XPUB binds, our XSubscriber connects', async () => {
    const peer = await spawnZmqPeer();
    const xpub = await peer.socket('XPUB', { linger: 0 });
    const ep = await xpub.bind(bindEndpoint(transport));
    const xsub = scope.track(new XSubscriber({ linger: 0 }));
    xsub.connect(ep);
    await xsub.send(Buffer.from('\x01A.'));
    const [s] = await xpub.receive(1, 5000);
    assertFramesEqual(s!, [Buffer.from('\x01A.')]);
    await xpub.send(MULTIPART);
    assertFramesEqual(await recv(xsub), MULTIPART);
    await xsub.send(Buffer.from('\x00A.'));
    assertFramesEqual((await xpub.receive(1, 5000))[0]!, [Buffer.from('\x00A.')]);
  });
});

describe('PUB/SUB behaviour against libzmq (tcp)', () => {
  it('our Publisher with 3 libzmq subscribers (A, B, AB) delivers each message only where it matches', async () => {
    const pub = scope.track(new Publisher({ linger: 0 }));
    await pub.bind('tcp://127.0.0.1:*');
    const peer = await spawnZmqPeer();
    const subs: PeerSocket[] = [];
    for (const p of ['A', 'B', 'AB']) {
      const s = await peer.socket('SUB', { linger: 0, subscribe: p });
      await s.connect(pub.lastEndpoint!);
      subs.push(s);
    }
    await until(() => pub.subscriptionCount === 3, 'three subscriptions');
    for (const t of ['A1', 'B1', 'AB1', 'C1', 'BA1']) await pub.send([t, 'x']);
    const got = await Promise.all(subs.map((s) => s.receiveUpTo(10, 300)));
    expect(got.map((msgs) => msgs.map((m) => m[0]!.toString()))).toEqual([['A1', 'AB1'], ['B1', 'BA1'], ['AB1']]);
  });

  it('libzmq SUB unsubscribing stops delivery; duplicate subscribes need as many unsubscribes (libzmq counts, our PUB follows)', async () => {
    const pub = scope.track(new Publisher({ linger: 0 }));
    await pub.bind('tcp://127.0.0.1:*');
    const peer = await spawnZmqPeer();
    const sub = await peer.socket('SUB', { linger: 0 });
    await sub.subscribe('T', 'T');
    await sub.connect(pub.lastEndpoint!);
    await until(() => pub.subscriptionCount === 1, 'subscription');
    await sub.unsubscribe('T');
    await sleep(100);
    await pub.send('T1');
    expect((await sub.receive(1, 3000))[0]![0]!.toString()).toBe('T1');
    await sub.unsubscribe('T');
    await until(() => pub.subscriptionCount === 0, 'unsubscription');
    await pub.send('T2');
    await sub.expectNoMessage(200);
  });

  it('our Subscriber sends what libzmq SUB sends: every subscribe, only the last unsubscribe (seen by a verbose libzmq XPUB)', async () => {
    const peer = await spawnZmqPeer();
    const xpub = await peer.socket('XPUB', { linger: 0, verbosity: 'allSubs' });
    const ep = await xpub.bind('tcp://127.0.0.1:*');
    const sub = scope.track(new Subscriber({ linger: 0 }));
    const handshake = nextEvent(sub, 'handshake');
    sub.connect(ep);
    await handshake; // subscribe while connected: each subscribe goes out as it is made
    sub.subscribe('K');
    sub.subscribe('K');
    const subs = await xpub.receive(2, 5000);
    expect(subs.map((m) => m[0]!.toString('latin1'))).toEqual(['\x01K', '\x01K']);
    sub.unsubscribe('K');
    await xpub.expectNoMessage(200);
    sub.unsubscribe('K');
    expect((await xpub.receive(1, 5000))[0]![0]!.toString('latin1')).toBe('\x00K');
  });

  it('our Subscriber counts subscriptions against a libzmq PUB', async () => {
    const peer = await spawnZmqPeer();
    const pub = await peer.socket('PUB', { linger: 0 });
    const ep = await pub.bind('tcp://127.0.0.1:*');
    const sub = scope.track(new Subscriber({ linger: 0 }));
    sub.subscribe('C', 'C');
    sub.connect(ep);
    await joinFromPeer(pub, sub, 'C.probe');
    sub.unsubscribe('C');
    await sleep(100);
    await pub.send('C1');
    expect((await recv(sub))[0]!.toString()).toBe('C1');
    sub.unsubscribe('C');
    await sleep(200);
    await pub.send('C2');
    await expectNothing(sub, 200);
  });

  it('our XPublisher sees libzmq SUB subscriptions: new ones, last ones, and synthesized ones when the peer dies', async () => {
    const xpub = scope.track(new XPublisher({ linger: 0 }));
    await xpub.bind('tcp://127.0.0.1:*');
    const peer = await spawnZmqPeer();
    const s1 = await peer.socket('SUB', { linger: 0, subscribe: ['A', 'B'] });
    await s1.connect(xpub.lastEndpoint!);
    const first = [await recv(xpub), await recv(xpub)].map((m) => m[0]!.toString('latin1')).sort();
    expect(first).toEqual(['\x01A', '\x01B']);
    const peer2 = await spawnZmqPeer();
    const s2 = await peer2.socket('SUB', { linger: 0, subscribe: 'B' });
    await s2.connect(xpub.lastEndpoint!);
    await until(() => xpub.subscriptionCount === 2, 'subscriptions');
    await sleep(150);
    expect(xpub.readable, 'B was not new: nothing passed up').toBe(false);
    await peer.kill(); // s1 dies: A is held by nobody now, B still by s2
    expect((await recv(xpub))[0]!.toString('latin1')).toBe('\x00A');
    await sleep(200);
    expect(xpub.readable, 'B is still held by s2: no unsubscribe').toBe(false);
  });

  it('libzmq XPUB with a welcome message: our Subscriber gets it', async () => {
    const sub = scope.track(new Subscriber({ linger: 0 }));
    sub.subscribe('WELCOME');
    await sub.bind('tcp://127.0.0.1:*');
    const peer = await spawnZmqPeer();
    const xpub = await peer.socket('XPUB', { linger: 0, welcomeMessage: 'WELCOME' });
    await xpub.connect(sub.lastEndpoint!);
    expect((await recv(sub))[0]!.toString()).toBe('WELCOME');
  });

  it('our XPublisher welcome message reaches a libzmq SUB', async () => {
    const xpub = scope.track(new XPublisher({ linger: 0, welcomeMessage: 'HELLO' }));
    await xpub.bind('tcp://127.0.0.1:*');
    const peer = await spawnZmqPeer();
    const sub = await peer.socket('SUB', { linger: 0, subscribe: 'HELLO' });
    await sub.connect(xpub.lastEndpoint!);
    expect((await sub.receive(1, 5000))[0]![0]!.toString()).toBe('HELLO');
  });

  it('PUB never blocks: a slow libzmq subscriber over its HWM loses messages, a fast one gets them all', async () => {
    const pub = scope.track(new Publisher({ linger: 0, sendHighWaterMark: 10 }));
    await pub.bind('tcp://127.0.0.1:*');
    const peer = await spawnZmqPeer();
    const slow = await peer.socket('SUB', { linger: 0, receiveHighWaterMark: 1, subscribe: '' });
    await slow.connect(pub.lastEndpoint!);
    const fast = scope.track(new Subscriber({ linger: 0 }));
    fast.subscribe('');
    fast.connect(pub.lastEndpoint!);
    await until(() => pub.subscriptionCount === 1, 'subscriptions');
    await sleep(100); // both subscribed to '' (one prefix): let the second arrive too
    const N = 1500;
    const BATCH = 10;
    const body = Buffer.alloc(64 * 1024, 0x61);
    let received = 0;
    const t0 = Date.now();
    for (let i = 0; i < N; i += BATCH) {
      for (let j = i; j < i + BATCH; j++) {
        const seq = Buffer.alloc(4);
        seq.writeUInt32BE(j);
        await pub.send([seq, body]); // resolves at once even while the slow one is stuck
      }
      // Keep the fast subscriber below its HWM: read this batch before the next.
      for (; received < i + BATCH; received++) {
        const m = await recv(fast, 5000, `fast subscriber message ${received}`);
        expect(m[0]!.readUInt32BE(0)).toBe(received);
      }
    }
    expect(received).toBe(N);
    expect(Date.now() - t0).toBeLessThan(25_000);
    const slowGot = await slow.receiveUpTo(N, 1500);
    expect(slowGot.length).toBeGreaterThan(0);
    expect(slowGot.length).toBeLessThan(N);
  });

  it('our Subscriber re-subscribes after the libzmq publisher restarts on the same port', async () => {
    const peer = await spawnZmqPeer();
    const pub = await peer.socket('PUB', { linger: 0 });
    const ep = await pub.bind('tcp://127.0.0.1:*');
    const sub = scope.track(new Subscriber({ linger: 0, reconnectInterval: 50 }));
    sub.subscribe('R');
    sub.connect(ep);
    await joinFromPeer(pub, sub, 'R.probe');
    await peer.kill();
    const peer2 = await spawnZmqPeer();
    const pub2 = await peer2.socket('PUB', { linger: 0 });
    expect(await pub2.bind(ep)).toBe(ep);
    await joinFromPeer(pub2, sub, 'R.probe'); // only arrives if we subscribed again
    await pub2.send(['R', 'after restart']);
    assertFramesEqual(await recv(sub), [B('R'), B('after restart')]);
  });

  it('a SUB ↔ PUSH pair is refused with handshake:error:protocol', async () => {
    const sub = scope.track(new Subscriber({ linger: 0 }));
    await sub.bind('tcp://127.0.0.1:*');
    const errors: string[] = [];
    sub.events.on('handshake:error:protocol', (e) => errors.push(e.type));
    const peer = await spawnZmqPeer();
    const push = await peer.socket('PUSH', { linger: 0 });
    await push.connect(sub.lastEndpoint!);
    await withTimeout(until(() => errors.length > 0, 'handshake:error:protocol'), 6000, 'refusal');
    expect(errors[0]).toBe('handshake:error:protocol');
  });
});
