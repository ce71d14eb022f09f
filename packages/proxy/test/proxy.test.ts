// Proxy between real Monocoque sockets, in process, over inproc, tcp and ipc.
import { describe, expect, it } from 'vitest';
import { type Socket, ZmqError } from '@monocoque/core';
import { Dealer } from '@monocoque/dealer';
import { Pull, Push } from '@monocoque/pipeline';
import { Proxy } from '@monocoque/proxy';
import { Publisher, Subscriber, XPublisher, XSubscriber } from '@monocoque/pubsub';
import { Reply, Request } from '@monocoque/reqrep';
import { Router } from '@monocoque/router';
import { endpoint, socketTracker, str, withTimeout } from '@monocoque/test-support';

const track = socketTracker();
const KINDS = ['inproc', 'tcp', 'ipc'] as const;

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ZmqError);
    return (error as ZmqError).code;
  }
  return undefined;
}

/** Resolves when `count` stops changing for `quietMs` (the pipeline has stalled), bounded by `ms`. */
async function stalled(count: () => number, quietMs: number, ms: number, what: string): Promise<number> {
  const deadline = Date.now() + ms;
  let last = -1;
  let since = Date.now();
  for (;;) {
    const now = count();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) {
      return now;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what} to stall (at ${now})`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Resolves once `cond()` holds, checked every 5 ms, bounded by `ms`. */
async function waitUntil(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A streamer (PULL front, PUSH back) with a producer and a consumer around it. */
async function streamer(kind: (typeof KINDS)[number], opts: { hwm?: number; capture?: Socket } = {}) {
  const hwm = opts.hwm ?? 1000;
  const front = track(new Pull({ linger: 0, receiveHighWaterMark: hwm }));
  const back = track(new Push({ linger: 0, sendHighWaterMark: hwm }));
  await front.bind(endpoint(kind, 'proxy-in'));
  await back.bind(endpoint(kind, 'proxy-out'));
  const producer = track(new Push({ linger: 0, sendHighWaterMark: hwm }));
  const consumer = track(new Pull({ linger: 0, receiveHighWaterMark: hwm }));
  producer.connect(front.lastEndpoint!);
  consumer.connect(back.lastEndpoint!);
  const proxy = new Proxy(front, back, opts.capture ? { capture: opts.capture } : {});
  return { front, back, producer, consumer, proxy };
}

describe('ROUTER/DEALER queue broker', () => {
  for (const kind of KINDS) {
    it(`carries REQ requests to REP workers and the replies back, over ${kind}`, async () => {
      const front = track(new Router({ linger: 0 }));
      const back = track(new Dealer({ linger: 0 }));
      await front.bind(endpoint(kind, 'broker-front'));
      await back.bind(endpoint(kind, 'broker-back'));
      const proxy = new Proxy(front, back);
      expect(proxy.frontEnd).toBe(front);
      expect(proxy.backEnd).toBe(back);
      expect(proxy.capture).toBeNull();
      const running = proxy.run();

      const workers = [0, 1].map((w) => {
        const rep = track(new Reply({ linger: 0 }));
        rep.connect(back.lastEndpoint!);
        void (async () => {
          try {
            for await (const [body] of rep) await rep.send([`${body!.toString()} by worker ${w}`]);
          } catch {
            /* closed */
          }
        })();
        return rep;
      });
      const clients = [0, 1, 2].map(() => {
        const req = track(new Request({ linger: 0 }));
        req.connect(front.lastEndpoint!);
        return req;
      });
      const seen = new Set<string>();
      await Promise.all(
        clients.map(async (req, c) => {
          for (let i = 0; i < 20; i++) {
            await req.send(`c${c}-${i}`);
            const [reply, ...rest] = await withTimeout(req.receive(), 5000, `reply ${i} to client ${c}`);
            expect(rest).toEqual([]);
            const text = reply!.toString();
            expect(text.startsWith(`c${c}-${i} by worker `)).toBe(true);
            seen.add(text.slice(-1));
          }
        }),
      );
      expect(seen).toEqual(new Set(['0', '1'])); // both workers served
      expect(workers.length).toBe(2);

      proxy.terminate();
      await withTimeout(running, 2000, 'run() to resolve after terminate()');
      expect(front.closed).toBe(true);
      expect(back.closed).toBe(true);
    });
  }
});

describe('XSUB/XPUB forwarder', () => {
  for (const kind of KINDS) {
    it(`forwards subscriptions upstream and messages downstream, over ${kind}`, async () => {
      const front = track(new XSubscriber({ linger: 0 }));
      const back = track(new XPublisher({ linger: 0 }));
      await front.bind(endpoint(kind, 'fwd-front'));
      await back.bind(endpoint(kind, 'fwd-back'));
      const proxy = new Proxy(front, back);
      const running = proxy.run();

      // The upstream publisher is an XPUB so that it can see the subscription arrive.
      const upstream = track(new XPublisher({ linger: 0 }));
      upstream.connect(front.lastEndpoint!);
      const sub = track(new Subscriber({ linger: 0 }));
      sub.connect(back.lastEndpoint!);
      sub.subscribe('weather.');

      const [subscription] = await withTimeout(upstream.receive(), 5000, 'the subscription to reach the upstream publisher');
      expect(subscription).toEqual(Buffer.from('\x01weather.'));

      for (let i = 0; i < 10; i++) {
        await upstream.send(['news.ignored', String(i)]);
        await upstream.send(['weather.today', String(i)]);
      }
      for (let i = 0; i < 10; i++) {
        const m = await withTimeout(sub.receive(), 5000, `forwarded message ${i}`);
        expect(str(m)).toEqual(['weather.today', String(i)]);
      }

      sub.unsubscribe('weather.');
      const [cancel] = await withTimeout(upstream.receive(), 5000, 'the unsubscription to reach the upstream publisher');
      expect(cancel).toEqual(Buffer.from('\x00weather.'));

      proxy.terminate();
      await withTimeout(running, 2000, 'run() to resolve');
    });
  }

  it('a plain Publisher upstream reaches subscribers through the forwarder', async () => {
    const front = track(new XSubscriber({ linger: 0 }));
    const back = track(new XPublisher({ linger: 0 }));
    await front.bind(endpoint('tcp', 'fwd2-front'));
    await back.bind(endpoint('tcp', 'fwd2-back'));
    const proxy = new Proxy(front, back);
    const running = proxy.run();
    const pub = track(new Publisher({ linger: 0 }));
    pub.connect(front.lastEndpoint!);
    const sub = track(new Subscriber({ linger: 0 }));
    sub.connect(back.lastEndpoint!);
    sub.subscribe('t');
    // A PUB drops until the subscription has arrived: publish until one comes through.
    const got = sub.receive();
    let n = 0;
    const ticker = setInterval(() => void pub.send(['t', String(n++)]), 5);
    try {
      const [topic] = await withTimeout(got, 5000, 'a message through the forwarder');
      expect(topic!.toString()).toBe('t');
    } finally {
      clearInterval(ticker);
    }
    proxy.terminate();
    await running;
  });
});

describe('steering', () => {
  it('pause() stops forwarding; resume() forwards everything sent meanwhile, in order', async () => {
    const { producer, consumer, proxy } = await streamer('tcp');
    const running = proxy.run();
    await producer.send('before');
    expect(str(await withTimeout(consumer.receive(), 5000, 'a message before pausing'))).toEqual(['before']);

    proxy.pause();
    proxy.pause(); // idempotent, as zeromq.js
    for (let i = 0; i < 50; i++) await producer.send(['paused', String(i)]);
    consumer.receiveTimeout = 300;
    await expect(consumer.receive()).rejects.toMatchObject({ code: 'EAGAIN' }); // nothing forwarded while paused
    consumer.receiveTimeout = -1;

    proxy.resume();
    proxy.resume();
    for (let i = 0; i < 50; i++) {
      expect(str(await withTimeout(consumer.receive(), 5000, `message ${i} after resume`))).toEqual(['paused', String(i)]);
    }
    await producer.send('after');
    expect(str(await withTimeout(consumer.receive(), 5000, 'a message after resume'))).toEqual(['after']);
    proxy.terminate();
    await running;
  });

  it('pause() while a burst waits for room holds the rest of the burst until resume()', async () => {
    // A deep front-end queue makes one big burst; a shallow back-end makes it wait for room.
    const front = track(new Pull({ linger: 0, receiveHighWaterMark: 1000 }));
    const back = track(new Push({ linger: 0, sendHighWaterMark: 5 }));
    await front.bind(endpoint('inproc', 'midburst-in'));
    await back.bind(endpoint('inproc', 'midburst-out'));
    const producer = track(new Push({ linger: 0, sendHighWaterMark: 1000 }));
    producer.connect(front.lastEndpoint!);
    const consumer = track(new Pull({ linger: 0, receiveHighWaterMark: 5 }));
    const proxy = new Proxy(front, back);
    for (let i = 0; i < 200; i++) await producer.send(String(i));
    const running = proxy.run();
    consumer.connect(back.lastEndpoint!);
    // Let the proxy take its burst (the front-end has nothing left) and stall on the HWMs.
    await waitUntil(() => !front.readable, 5000, 'the proxy to take its burst');
    await new Promise((r) => setTimeout(r, 20));
    proxy.pause();
    const during: string[] = [];
    consumer.receiveTimeout = 300;
    await expect(
      (async () => {
        for (;;) during.push((await consumer.receive())[0]!.toString());
      })(),
    ).rejects.toMatchObject({ code: 'EAGAIN' });
    expect(during.length).toBeGreaterThan(0);
    expect(during.length).toBeLessThan(50); // the queues' worth, not the 200 of the burst
    consumer.receiveTimeout = -1;
    proxy.resume();
    const all = [...during];
    while (all.length < 200) all.push((await withTimeout(consumer.receive(), 2000, `message ${all.length} after resume`))[0]!.toString());
    expect(all).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    proxy.terminate();
    await running;
  });

  it('terminate() resolves run() and closes front-end and back-end; a paused proxy terminates too', async () => {
    const { front, back, proxy } = await streamer('inproc');
    const running = proxy.run();
    proxy.pause();
    proxy.terminate();
    proxy.terminate(); // again before run() settles: accepted, as zeromq.js
    proxy.pause(); // likewise
    await withTimeout(running, 2000, 'run() to resolve after terminate()');
    expect(front.closed).toBe(true);
    expect(back.closed).toBe(true);
  });

  it('pause/resume/terminate before run() and after it ended throw EBADF (as zeromq.js)', async () => {
    const { proxy } = await streamer('inproc');
    expect(codeOf(() => proxy.pause())).toBe('EBADF');
    expect(codeOf(() => proxy.resume())).toBe('EBADF');
    expect(codeOf(() => proxy.terminate())).toBe('EBADF');
    const running = proxy.run();
    proxy.terminate();
    await running;
    expect(codeOf(() => proxy.pause())).toBe('EBADF');
    expect(codeOf(() => proxy.resume())).toBe('EBADF');
    expect(codeOf(() => proxy.terminate())).toBe('EBADF');
  });

  it('run() while running throws EBUSY; run() after termination throws EINVAL (its sockets are closed)', async () => {
    const { proxy, front, back } = await streamer('inproc');
    const running = proxy.run();
    expect(codeOf(() => proxy.run())).toBe('EBUSY');
    const other = new Proxy(front, back);
    expect(codeOf(() => other.run())).toBe('EBUSY'); // another proxy already owns them
    proxy.terminate();
    await running;
    expect(codeOf(() => proxy.run())).toBe('EINVAL');
  });

  it('constructor arguments are checked', () => {
    const push = track(new Push({ linger: 0 }));
    expect(() => new Proxy(undefined as never, push)).toThrow(TypeError);
    expect(() => new Proxy(push, 'x' as never)).toThrow(/Back-end must be a socket object/);
    expect(codeOf(() => new Proxy({} as never, push))).toBe('EINVAL');
    expect(codeOf(() => new Proxy(push, push, { capture: {} as never }))).toBe('EINVAL');
    expect(codeOf(() => new Proxy(push, push, { bogus: 1 } as never))).toBe('EINVAL');
  });

  for (const which of ['front', 'back'] as const) {
    it(`closing the ${which}-end socket ends the proxy cleanly and closes the other`, async () => {
      const { front, back, proxy } = await streamer('tcp');
      const running = proxy.run();
      await new Promise((r) => setImmediate(r));
      (which === 'front' ? front : back).close();
      await withTimeout(running, 2000, 'run() to resolve after a socket was closed');
      expect(front.closed && back.closed).toBe(true);
    });
  }

  it('a forwarding error rejects run() with it, and closes the sockets (ROUTER mandatory, unknown peer)', async () => {
    const front = track(new Pull({ linger: 0 }));
    const back = track(new Router({ linger: 0, mandatory: true }));
    await front.bind(endpoint('inproc', 'err-front'));
    await back.bind(endpoint('inproc', 'err-back'));
    const producer = track(new Push({ linger: 0 }));
    producer.connect(front.lastEndpoint!);
    const someone = track(new Dealer({ linger: 0, routingId: 'someone' }));
    someone.connect(back.lastEndpoint!);
    const proxy = new Proxy(front, back);
    const running = proxy.run();
    await producer.send(['nobody', 'hello']);
    await expect(withTimeout(running, 2000, 'run() to reject')).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
    expect(front.closed && back.closed).toBe(true);
  });

  it('a receiveTimeout on a proxied socket does not end the proxy', async () => {
    const { front, producer, consumer, proxy } = await streamer('inproc');
    front.receiveTimeout = 20;
    const running = proxy.run();
    await new Promise((r) => setTimeout(r, 100));
    await producer.send('late');
    expect(str(await withTimeout(consumer.receive(), 2000, 'a message after receive timeouts'))).toEqual(['late']);
    proxy.terminate();
    await running;
  });
});

describe('capture', () => {
  it('gets every message forwarded in both directions, multipart preserved', async () => {
    const captureOut = track(new Push({ linger: 0 }));
    await captureOut.bind(endpoint('inproc', 'capture'));
    const captured = track(new Pull({ linger: 0 }));
    captured.connect(captureOut.lastEndpoint!);

    const front = track(new Router({ linger: 0 }));
    const back = track(new Dealer({ linger: 0 }));
    await front.bind(endpoint('tcp', 'cap-front'));
    await back.bind(endpoint('tcp', 'cap-back'));
    const proxy = new Proxy(front, back, { capture: captureOut });
    expect(proxy.capture).toBe(captureOut);
    const running = proxy.run();

    const rep = track(new Reply({ linger: 0 }));
    rep.connect(back.lastEndpoint!);
    const req = track(new Request({ linger: 0, routingId: 'client' }));
    req.connect(front.lastEndpoint!);
    for (let i = 0; i < 5; i++) {
      await req.send(['q', String(i)]);
      const [a, b] = await withTimeout(rep.receive(), 5000, `request ${i}`);
      await rep.send([`${a!.toString()}!`, b!]);
      expect(str(await withTimeout(req.receive(), 5000, `reply ${i}`))).toEqual(['q!', String(i)]);
    }
    for (let i = 0; i < 5; i++) {
      expect(str(await withTimeout(captured.receive(), 2000, `captured request ${i}`))).toEqual(['client', '', 'q', String(i)]);
      expect(str(await withTimeout(captured.receive(), 2000, `captured reply ${i}`))).toEqual(['client', '', 'q!', String(i)]);
    }
    proxy.terminate();
    await running;
    expect(captureOut.closed).toBe(false); // the capture socket stays the caller's
  });

  it('a capture socket with no room holds forwarding back (as libzmq), and terminate() still ends the proxy', async () => {
    const capture = track(new Push({ linger: 0 })); // bound, no peer yet: nowhere to queue
    await capture.bind(endpoint('inproc', 'capture-full'));
    const { producer, consumer, proxy } = await streamer('inproc', { capture });
    const running = proxy.run();
    for (let i = 0; i < 10; i++) await producer.send(String(i));
    const got: string[] = [];
    consumer.receiveTimeout = 300;
    await expect(
      (async () => {
        for (;;) got.push((await consumer.receive())[0]!.toString());
      })(),
    ).rejects.toMatchObject({ code: 'EAGAIN' });
    // The first message waits in the capture socket (a PUSH with no peer blocks in libzmq): the proxy waits with it.
    expect(got).toEqual([]);
    proxy.terminate();
    await withTimeout(running, 2000, 'run() to resolve while the capture socket is full');
  });

  it('closing the capture socket ends the proxy cleanly', async () => {
    const capture = track(new Push({ linger: 0 }));
    await capture.bind(endpoint('inproc', 'capture-close'));
    const { front, back, producer, proxy } = await streamer('inproc', { capture });
    const sink = track(new Pull({ linger: 0 }));
    sink.connect(capture.lastEndpoint!);
    const running = proxy.run();
    capture.close();
    await producer.send('x');
    await withTimeout(running, 2000, 'run() to resolve after the capture socket closed');
    expect(front.closed && back.closed).toBe(true);
  });
});

describe('backpressure', () => {
  // Over tcp the kernel's socket buffers hold messages too, so those messages are big enough
  // (32 KiB) that the buffers hold a bounded, small number of them.
  const cases = [
    { kind: 'inproc', size: 16, total: 4000, kernel: 0 },
    { kind: 'tcp', size: 32 * 1024, total: 3000, kernel: 1000 },
  ] as const;
  for (const { kind, size, total, kernel } of cases) {
    it(`a slow consumer loses nothing and the proxy holds no more than its HWMs allow, over ${kind}`, async () => {
      const hwm = 20;
      const { producer, consumer, proxy } = await streamer(kind, { hwm });
      const running = proxy.run();
      const body = Buffer.alloc(size, 7);
      let sent = 0;
      const producing = (async () => {
        for (let i = 0; i < total; i++) {
          await producer.send([String(i), body]);
          sent++;
        }
      })();
      // The consumer does not read: everything backs up to the producer, whose send() waits.
      const plateau = await stalled(() => sent, 300, 10_000, 'the producer');
      // What can be in flight: the producer's and the consumer's HWM, the proxy's two HWMs,
      // one burst taken by the proxy (what its front-end had queued: at most its HWM), the
      // one message its back-end queued past the HWM, and, over tcp, what the kernel's
      // buffers hold (measured ~400 of these).
      expect(plateau).toBeLessThan(total);
      expect(plateau).toBeLessThanOrEqual(5 * hwm + 1 + kernel);

      for (let i = 0; i < total; i++) {
        const m = await withTimeout(consumer.receive(), 5000, `message ${i} of ${total}`);
        expect(m[0]!.toString()).toBe(String(i));
        expect(m[1]!.length).toBe(size);
      }
      await producing;
      proxy.terminate();
      await running;
    });
  }
});

describe('front-end and back-end the same socket', () => {
  it('forwards from the socket to itself (a DEALER echoing back to its peers)', async () => {
    const dealer = track(new Dealer({ linger: 0 }));
    await dealer.bind(endpoint('inproc', 'self'));
    const peer = track(new Dealer({ linger: 0 }));
    peer.connect(dealer.lastEndpoint!);
    const proxy = new Proxy(dealer, dealer);
    const running = proxy.run();
    await peer.send(['echo', 'me']);
    expect(str(await withTimeout(peer.receive(), 2000, 'the echo'))).toEqual(['echo', 'me']);
    proxy.terminate();
    await running;
  });
});
