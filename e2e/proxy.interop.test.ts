/**
 * `@monocoque/proxy` between real libzmq peers (npm `zeromq` 6.8, libzmq 4.3.5, in another
 * process): a ROUTER/DEALER broker between libzmq REQ clients and REP workers, an
 * XSUB/XPUB forwarder between a libzmq publisher and subscriber (subscriptions upstream,
 * messages downstream), a PULL/PUSH streamer with a capture socket read by libzmq. Then the
 * steering semantics (pause/resume/terminate, run twice, closed sockets), run against npm
 * zeromq's own `Proxy` in this process and against ours, with the results compared.
 */
import { afterEach, describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { Dealer } from '@monocoque/dealer';
import { Pull, Push } from '@monocoque/pipeline';
import { Proxy } from '@monocoque/proxy';
import { XPublisher, XSubscriber } from '@monocoque/pubsub';
import { Router } from '@monocoque/router';
import { spawnZmqPeer } from './helpers/peer.js';
import { bindEndpoint, type Transport } from './helpers/endpoints.js';
import { Scope, withTimeout } from './helpers/util.js';

const scope = new Scope();
afterEach(() => scope.cleanup());

const TRANSPORTS: Transport[] = ['tcp', 'ipc'];
const text = (m: Buffer[]) => m.map((f) => f.toString());

/** Resolves once `n` handshakes completed on our socket. */
function handshakes(sock: { events: { on(t: 'handshake', f: () => void): unknown; off(t: 'handshake', f: () => void): unknown } }, n: number, what: string): Promise<void> {
  let seen = 0;
  let fn: (() => void) | undefined;
  const p = new Promise<void>((resolve) => {
    fn = () => {
      if (++seen >= n) resolve();
    };
    sock.events.on('handshake', fn);
  });
  return withTimeout(p, 10_000, what).finally(() => sock.events.off('handshake', fn!));
}

describe('our Proxy between libzmq peers', () => {
  for (const transport of TRANSPORTS) {
    it(`ROUTER/DEALER broker: libzmq REQ clients -> our proxy -> libzmq REP workers (${transport})`, async () => {
      const front = scope.track(new Router({ linger: 0 }));
      const back = scope.track(new Dealer({ linger: 0 }));
      await front.bind(bindEndpoint(transport));
      await back.bind(bindEndpoint(transport));
      const proxy = new Proxy(front, back);
      const running = proxy.run();

      const workersUp = handshakes(back, 2, 'both libzmq REP workers to connect to our DEALER');
      const clientsUp = handshakes(front, 2, 'both libzmq REQ clients to connect to our ROUTER');
      const workerPeer = await spawnZmqPeer();
      const clientPeer = await spawnZmqPeer();
      const workers = [];
      for (let w = 0; w < 2; w++) {
        const rep = await workerPeer.socket('REP', { linger: 0 });
        await rep.connect(back.lastEndpoint!);
        workers.push(rep);
      }
      const clients = [];
      for (let c = 0; c < 2; c++) {
        const req = await clientPeer.socket('REQ', { linger: 0 });
        await req.connect(front.lastEndpoint!);
        clients.push(req);
      }
      await workersUp;
      await clientsUp;

      const servedBy = new Set<number>();
      for (let round = 0; round < 10; round++) {
        for (const [c, req] of clients.entries()) await req.send(['hello', `c${c}-r${round}`]);
        // Our DEALER deals one request to each worker; each answers it.
        for (const [w, rep] of workers.entries()) {
          const [request] = await rep.receive(1, 5000);
          expect(text(request!)[0]).toBe('hello');
          await rep.send(['reply', request![1]!, `w${w}`]);
          servedBy.add(w);
        }
        for (const [c, req] of clients.entries()) {
          const [reply] = await req.receive(1, 5000);
          const [kind, body, worker] = text(reply!);
          expect([kind, body]).toEqual(['reply', `c${c}-r${round}`]);
          expect(['w0', 'w1']).toContain(worker);
        }
      }
      expect(servedBy).toEqual(new Set([0, 1]));

      proxy.terminate();
      await withTimeout(running, 5000, 'run() to resolve after terminate()');
      expect(front.closed && back.closed).toBe(true);
    });

    it(`XSUB/XPUB forwarder: libzmq XPUB upstream sees the subscription, libzmq SUB gets the messages (${transport})`, async () => {
      const front = scope.track(new XSubscriber({ linger: 0 }));
      const back = scope.track(new XPublisher({ linger: 0 }));
      await front.bind(bindEndpoint(transport));
      await back.bind(bindEndpoint(transport));
      const proxy = new Proxy(front, back);
      const running = proxy.run();

      const peer = await spawnZmqPeer();
      const upstream = await peer.socket('XPUB', { linger: 0 });
      await upstream.connect(front.lastEndpoint!);
      const sub = await peer.socket('SUB', { linger: 0, subscribe: 'weather' });
      await sub.connect(back.lastEndpoint!);

      // The subscription travels SUB -> our XPUB -> proxy -> our XSUB -> libzmq XPUB.
      const [subscription] = await upstream.receive(1, 10_000);
      expect(subscription).toEqual([Buffer.from('\x01weather')]);

      for (let i = 0; i < 20; i++) {
        await upstream.send(['sports', String(i)]);
        await upstream.send(['weather', String(i)]);
      }
      const got = await sub.receive(20, 10_000);
      expect(got.map(text)).toEqual(Array.from({ length: 20 }, (_, i) => ['weather', String(i)]));
      await sub.expectNoMessage(200);

      await sub.unsubscribe('weather');
      const [cancel] = await upstream.receive(1, 10_000);
      expect(cancel).toEqual([Buffer.from('\x00weather')]);

      proxy.terminate();
      await withTimeout(running, 5000, 'run() to resolve');
    });
  }

  it('XSUB/XPUB forwarder: libzmq PUB -> our proxy -> libzmq SUB (tcp)', async () => {
    const front = scope.track(new XSubscriber({ linger: 0 }));
    const back = scope.track(new XPublisher({ linger: 0 }));
    await front.bind(bindEndpoint('tcp'));
    await back.bind(bindEndpoint('tcp'));
    const proxy = new Proxy(front, back);
    const running = proxy.run();
    const pubConnected = new Promise<void>((resolve) => front.events.on('handshake', () => resolve()));
    const peer = await spawnZmqPeer();
    const pub = await peer.socket('PUB', { linger: 0 });
    await pub.connect(front.lastEndpoint!);
    const sub = await peer.socket('SUB', { linger: 0, subscribe: 'k' });
    await sub.connect(back.lastEndpoint!);
    await withTimeout(pubConnected, 10_000, 'the libzmq PUB to connect to our XSUB');
    // A PUB drops messages until the subscription reached it: publish until one arrives.
    let got: Buffer[][] = [];
    for (let attempt = 0; attempt < 50 && got.length === 0; attempt++) {
      await pub.send(['k', `try ${attempt}`]);
      got = await sub.receiveUpTo(1, 100);
    }
    expect(got.length).toBe(1);
    expect(text(got[0]!)[0]).toBe('k');
    proxy.terminate();
    await running;
  });

  it('PULL/PUSH streamer with a capture socket read by libzmq: everything forwarded is captured, multipart intact', async () => {
    const front = scope.track(new Pull({ linger: 0 }));
    const back = scope.track(new Push({ linger: 0 }));
    const capture = scope.track(new Push({ linger: 0 }));
    await front.bind(bindEndpoint('tcp'));
    await back.bind(bindEndpoint('tcp'));
    await capture.bind(bindEndpoint('ipc'));
    const proxy = new Proxy(front, back, { capture });
    const running = proxy.run();

    const peer = await spawnZmqPeer();
    const captured = await peer.socket('PULL', { linger: 0 });
    await captured.connect(capture.lastEndpoint!);
    const sink = await peer.socket('PULL', { linger: 0 });
    await sink.connect(back.lastEndpoint!);
    const source = await peer.socket('PUSH', { linger: 0 });
    await source.connect(front.lastEndpoint!);

    const n = 500;
    await source.sendMany(['part-a', Buffer.alloc(3, 1), 'part-c'], n); // the peer appends a 4-byte sequence number
    const delivered = await sink.receive(n, 10_000);
    const copies = await captured.receive(n, 10_000);
    for (const received of [delivered, copies]) {
      received.forEach((m, i) => {
        expect(text(m.slice(0, 3))).toEqual(['part-a', '\x01\x01\x01', 'part-c']);
        expect(m.length).toBe(4);
        expect(m[3]!.readUInt32BE(0)).toBe(i);
      });
    }
    proxy.terminate();
    await running;
    expect(capture.closed).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------
// Same scenarios against npm zeromq's Proxy (in this process) and ours.

interface Side {
  proxy: { run(): Promise<void>; pause(): void; resume(): void; terminate(): void };
  front: { closed: boolean; close(): void };
  back: { closed: boolean; close(): void };
  producer: { send(m: string[]): Promise<void>; close(): void };
  consumer: { receive(): Promise<Buffer[]>; receiveTimeout: number; close(): void };
}

/** A streamer: producer PUSH -> [PULL front | proxy | PUSH back] -> consumer PULL, all of one library. */
async function streamerOf(lib: 'zeromq' | 'monocoque'): Promise<Side> {
  if (lib === 'zeromq') {
    const front = scope.track(new zmq.Pull({ linger: 0 }));
    const back = scope.track(new zmq.Push({ linger: 0 }));
    await front.bind('tcp://127.0.0.1:*');
    await back.bind('tcp://127.0.0.1:*');
    const producer = scope.track(new zmq.Push({ linger: 0 }));
    const consumer = scope.track(new zmq.Pull({ linger: 0 }));
    producer.connect(front.lastEndpoint!);
    consumer.connect(back.lastEndpoint!);
    return { proxy: new zmq.Proxy(front, back), front, back, producer, consumer };
  }
  const front = scope.track(new Pull({ linger: 0 }));
  const back = scope.track(new Push({ linger: 0 }));
  await front.bind('tcp://127.0.0.1:*');
  await back.bind('tcp://127.0.0.1:*');
  const producer = scope.track(new Push({ linger: 0 }));
  const consumer = scope.track(new Pull({ linger: 0 }));
  producer.connect(front.lastEndpoint!);
  consumer.connect(back.lastEndpoint!);
  return { proxy: new Proxy(front, back), front, back, producer, consumer };
}

/** What a synchronous call did: 'ok' or the error code it threw. */
function outcome(fn: () => unknown): string {
  try {
    const r = fn();
    if (r instanceof Promise) r.catch(() => {});
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('steering: the same scenario against npm zeromq Proxy and ours', () => {
  const both = async (scenario: (side: Side) => Promise<unknown>) => {
    const theirs = await scenario(await streamerOf('zeromq'));
    const ours = await scenario(await streamerOf('monocoque'));
    expect(ours).toEqual(theirs);
    return ours;
  };

  it('pause/resume/terminate before run() throw EBADF', async () => {
    const result = await both(async ({ proxy }) => [outcome(() => proxy.pause()), outcome(() => proxy.resume()), outcome(() => proxy.terminate())]);
    expect(result).toEqual(['EBADF', 'EBADF', 'EBADF']);
  });

  it('terminate() resolves run() and closes both sockets; afterwards steering throws EBADF and run() throws EINVAL', async () => {
    const result = await both(async ({ proxy, front, back }) => {
      const running = proxy.run();
      const during = [outcome(() => proxy.pause()), outcome(() => proxy.resume()), outcome(() => proxy.terminate()), outcome(() => proxy.terminate()), outcome(() => proxy.pause())];
      await withTimeout(running, 5000, 'run() to resolve');
      return {
        during,
        closed: [front.closed, back.closed],
        after: [outcome(() => proxy.pause()), outcome(() => proxy.resume()), outcome(() => proxy.terminate()), outcome(() => proxy.run())],
      };
    });
    expect(result).toEqual({ during: ['ok', 'ok', 'ok', 'ok', 'ok'], closed: [true, true], after: ['EBADF', 'EBADF', 'EBADF', 'EINVAL'] });
  });

  it('run() on a closed socket throws EINVAL', async () => {
    const result = await both(async ({ proxy, front }) => {
      front.close();
      return outcome(() => proxy.run());
    });
    expect(result).toBe('EINVAL');
  });

  // libzmq 4.3.5 (npm zeromq 6.8) swaps PAUSE and RESUME in zmq_proxy_steerable (fixed
  // later, libzmq pull request 4600): zeromq.js's resume() pauses and its pause() resumes.
  // Ours do what their names say. Run the same scenario with the call that stops
  // forwarding and the one that restarts it, and compare.
  it('stopping forwarding queues messages, restarting forwards them all in order (zeromq.js 6.8: pause/resume swapped)', async () => {
    const scenario = async ({ proxy, producer, consumer }: Side, hold: () => void, release: () => void) => {
      const running = proxy.run();
      await producer.send(['first']);
      const first = (await withTimeout(consumer.receive(), 5000, 'the first message'))[0]!.toString();
      hold();
      // zeromq.js steers its proxy thread through a control socket: the command takes
      // effect a little later. There is no event to wait for on their side; ours is at once.
      await new Promise((r) => setTimeout(r, 100));
      for (let i = 0; i < 20; i++) await producer.send(['held', String(i)]);
      consumer.receiveTimeout = 300;
      const whileHeld = await consumer.receive().then(
        (m) => `received ${m[1]?.toString()}`,
        (e: { code?: string }) => e.code,
      );
      consumer.receiveTimeout = -1;
      release();
      const after: string[] = [];
      for (let i = 0; i < 20; i++) after.push((await withTimeout(consumer.receive(), 5000, `message ${i} after restarting`))[1]!.toString());
      proxy.terminate();
      await withTimeout(running, 5000, 'run() to resolve');
      return { first, whileHeld, after };
    };
    const theirs = await streamerOf('zeromq');
    const theirResult = await scenario(theirs, () => theirs.proxy.resume(), () => theirs.proxy.pause());
    const ours = await streamerOf('monocoque');
    const ourResult = await scenario(ours, () => ours.proxy.pause(), () => ours.proxy.resume());
    expect(ourResult).toEqual(theirResult);
    expect(ourResult).toEqual({ first: 'first', whileHeld: 'EAGAIN', after: Array.from({ length: 20 }, (_, i) => String(i)) });
  });

  it('a forwarding error (ROUTER mandatory, unknown routing id) rejects run() with EHOSTUNREACH and closes the sockets', async () => {
    const scenario = async (lib: 'zeromq' | 'monocoque') => {
      const front = scope.track(lib === 'zeromq' ? new zmq.Pull({ linger: 0 }) : new Pull({ linger: 0 }));
      const back = scope.track(lib === 'zeromq' ? new zmq.Router({ linger: 0, mandatory: true }) : new Router({ linger: 0, mandatory: true }));
      await front.bind('tcp://127.0.0.1:*');
      await back.bind('tcp://127.0.0.1:*');
      // A peer is connected (a ROUTER with mandatory and no peer at all is not writable for
      // libzmq's proxy, which then waits; see docs/proxy.md), just not the one addressed.
      const peerUp = new Promise<void>((resolve) => back.events.on('handshake', () => resolve()));
      const someone = scope.track(lib === 'zeromq' ? new zmq.Dealer({ linger: 0, routingId: 'someone' }) : new Dealer({ linger: 0, routingId: 'someone' }));
      someone.connect(back.lastEndpoint!);
      await withTimeout(peerUp, 5000, `${lib}: the DEALER to connect to the ROUTER`);
      const producer = scope.track(lib === 'zeromq' ? new zmq.Push({ linger: 0 }) : new Push({ linger: 0 }));
      producer.connect(front.lastEndpoint!);
      const proxy = lib === 'zeromq' ? new zmq.Proxy(front as zmq.Pull, back as zmq.Router) : new Proxy(front as Pull, back as Router);
      const running = proxy.run();
      await producer.send(['nobody', 'hello']);
      const code = await withTimeout(
        running.then(
          () => 'resolved',
          (e: { code?: string }) => e.code,
        ),
        5000,
        `${lib}: run() to settle`,
      );
      return { code, closed: [front.closed, back.closed] };
    };
    const theirs = await scenario('zeromq');
    const ours = await scenario('monocoque');
    expect(ours).toEqual(theirs);
    expect(ours).toEqual({ code: 'EHOSTUNREACH', closed: [true, true] });
  });

  it('documented difference: closing a proxied socket ends our proxy; zeromq.js defers the close until terminate()', async () => {
    const theirs = await streamerOf('zeromq');
    const theirRun = theirs.proxy.run();
    theirs.front.close();
    const theirsClosedAtOnce = theirs.front.closed;
    theirs.proxy.terminate();
    await withTimeout(theirRun, 5000, 'zeromq.js run() to resolve');

    const ours = await streamerOf('monocoque');
    const ourRun = ours.proxy.run();
    ours.front.close();
    await withTimeout(ourRun, 5000, 'our run() to resolve after the front-end was closed');
    expect({ theirsClosedAtOnce, oursBackClosed: ours.back.closed }).toEqual({ theirsClosedAtOnce: false, oursBackClosed: true });
  });
});
