import { afterEach, describe, expect, it } from 'vitest';
import type { Socket } from '@monocoque/core';
import { Publisher, Subscriber, XPublisher, XSubscriber } from '../src/index.js';

const sockets: Socket[] = [];
function track<T extends Socket>(s: T): T {
  sockets.push(s);
  return s;
}
afterEach(() => {
  for (const s of sockets.splice(0)) s.close();
});

let counter = 0;
const inproc = () => `inproc://pubsub-test-${process.pid}-${++counter}`;
const str = (m: Buffer[]) => m.map((f) => f.toString());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

function recv(sock: Socket, ms = 2000): Promise<Buffer[]> {
  return Promise.race([
    sock.receive(),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no message within ${ms} ms`)), ms)),
  ]);
}

/** Assert nothing arrives within `ms` (polls `readable`, leaves no receive pending). */
async function nothing(sock: Socket, ms = 100): Promise<void> {
  await sleep(ms);
  if (sock.readable) throw new Error(`expected nothing, got ${JSON.stringify(str(await sock.receive()))}`);
}

/** Receive everything that arrives until `ms` of quiet (leaves no receive pending). */
async function drain(sock: Socket, ms = 100): Promise<string[][]> {
  const out: string[][] = [];
  for (;;) {
    const end = Date.now() + ms;
    while (!sock.readable && Date.now() < end) await sleep(2);
    if (!sock.readable) return out;
    out.push(str(await sock.receive()));
  }
}

describe.each(['inproc', 'tcp'] as const)('PUB/SUB over %s', (transport) => {
  async function bound<T extends Socket>(s: T): Promise<string> {
    await s.bind(transport === 'inproc' ? inproc() : 'tcp://127.0.0.1:*');
    return s.lastEndpoint!;
  }

  it('delivers each message only to subscribers of a matching prefix', async () => {
    const pub = track(new Publisher({ linger: 0 }));
    const ep = await bound(pub);
    const subs = ['A', 'B', 'AB'].map((p) => {
      const s = track(new Subscriber({ linger: 0 }));
      s.subscribe(p);
      s.connect(ep);
      return s;
    });
    await waitUntil(() => pub.subscriptionCount === 3, 'subscriptions');
    for (const topic of ['A1', 'B1', 'AB1', 'C1']) await pub.send([topic, 'body']);
    expect(await drain(subs[0]!)).toEqual([['A1', 'body'], ['AB1', 'body']]);
    expect(await drain(subs[1]!)).toEqual([['B1', 'body']]);
    expect(await drain(subs[2]!)).toEqual([['AB1', 'body']]);
  });

  it('a SUB without subscriptions receives nothing; the empty prefix receives everything', async () => {
    const pub = track(new Publisher({ linger: 0 }));
    const ep = await bound(pub);
    const none = track(new Subscriber({ linger: 0 }));
    none.connect(ep);
    const all = track(new Subscriber({ linger: 0 }));
    all.subscribe();
    all.connect(ep);
    await waitUntil(() => pub.subscriptionCount === 1, 'subscription');
    await pub.send('x');
    await pub.send(['', 'empty first frame']);
    expect(await drain(all)).toEqual([['x'], ['', 'empty first frame']]);
    await nothing(none);
  });

  it('counts subscriptions: two subscribes need two unsubscribes', async () => {
    const pub = track(new Publisher({ linger: 0 }));
    const ep = await bound(pub);
    const sub = track(new Subscriber({ linger: 0 }));
    sub.connect(ep);
    sub.subscribe('T', 'T');
    await waitUntil(() => pub.subscriptionCount === 1, 'subscription');
    sub.unsubscribe('T');
    await sleep(50);
    await pub.send('T1');
    expect(str(await recv(sub))).toEqual(['T1']);
    sub.unsubscribe('T');
    await waitUntil(() => pub.subscriptionCount === 0, 'unsubscription');
    await pub.send('T2');
    await nothing(sub);
  });

  // Not defined for inproc: an inproc peer cannot go away and come back (no reconnection).
  if (transport !== 'inproc') it('re-sends subscriptions when the publisher comes back', async () => {
    const pub1 = track(new Publisher({ linger: 0 }));
    await pub1.bind('tcp://127.0.0.1:*');
    const ep = pub1.lastEndpoint!;
    const sub = track(new Subscriber({ linger: 0, reconnectInterval: 20 }));
    sub.subscribe('R');
    sub.connect(ep);
    await waitUntil(() => pub1.subscriptionCount === 1, 'first subscription');
    pub1.close();
    await sleep(50);
    const pub2 = track(new Publisher({ linger: 0 }));
    await pub2.bind(ep);
    await waitUntil(() => pub2.subscriptionCount === 1, 're-subscription');
    await pub2.send(['R', 'again']);
    expect(str(await recv(sub))).toEqual(['R', 'again']);
  });

  it('fans one message out byte-identical to many subscribers, multipart included', async () => {
    const pub = track(new Publisher({ linger: 0 }));
    const ep = await bound(pub);
    const subs = Array.from({ length: 5 }, () => {
      const s = track(new Subscriber({ linger: 0 }));
      s.subscribe('');
      s.connect(ep);
      return s;
    });
    await waitUntil(() => pub.subscriptionCount === 1 && subs.every(() => true), 'subscription');
    await sleep(20);
    const big = Buffer.alloc(70_000, 7);
    await pub.send(['m', Buffer.alloc(0), big]);
    for (const s of subs) {
      const m = await recv(s);
      expect(m.length).toBe(3);
      expect(m[2]!.equals(big)).toBe(true);
    }
  });
});

describe('XPUB / XSUB', () => {
  it('passes new subscriptions and last unsubscriptions up by default', async () => {
    const xpub = track(new XPublisher({ linger: 0 }));
    const ep = inproc();
    await xpub.bind(ep);
    const s1 = track(new Subscriber());
    const s2 = track(new Subscriber());
    s1.connect(ep);
    s2.connect(ep);
    s1.subscribe('A');
    expect(str(await recv(xpub))).toEqual(['\x01A']);
    s2.subscribe('A'); // not new: filtered
    s1.unsubscribe('A'); // s2 still holds it: filtered
    s2.unsubscribe('A'); // last: passed
    expect(str(await recv(xpub))).toEqual(['\x00A']);
    await nothing(xpub);
  });

  it('receiveMany() hands over every queued subscription (XPUB queues them itself)', async () => {
    const xpub = track(new XPublisher({ linger: 0 }));
    const ep = inproc();
    await xpub.bind(ep);
    const s1 = track(new Subscriber());
    s1.connect(ep);
    s1.subscribe('A', 'B', 'C');
    await waitUntil(() => xpub.subscriptionCount === 3, 'three subscriptions');
    expect((await xpub.receiveMany()).map(str)).toEqual([['\x01A'], ['\x01B'], ['\x01C']]);
  });

  it('verbose passes duplicate subscribes, verboser also every unsubscribe', async () => {
    for (const [opts, expected] of [
      [{ verbose: true }, ['\x01A', '\x01A', '\x00A']],
      [{ verbosity: 'allSubsUnsubs' as const }, ['\x01A', '\x01A', '\x00A', '\x00A']],
    ] as const) {
      const xpub = track(new XPublisher({ linger: 0, ...opts }));
      const ep = inproc();
      await xpub.bind(ep);
      const s1 = track(new Subscriber());
      const s2 = track(new Subscriber());
      s1.connect(ep);
      s2.connect(ep);
      s1.subscribe('A');
      s2.subscribe('A');
      s1.unsubscribe('A');
      s2.unsubscribe('A');
      expect((await drain(xpub)).map((m) => m[0])).toEqual(expected);
    }
  });

  it('synthesizes unsubscriptions when a subscriber goes away', async () => {
    const xpub = track(new XPublisher({ linger: 0 }));
    await xpub.bind('tcp://127.0.0.1:*');
    const s1 = track(new Subscriber({ linger: 0 }));
    const s2 = track(new Subscriber({ linger: 0 }));
    s1.subscribe('A', 'B');
    s2.subscribe('B');
    s1.connect(xpub.lastEndpoint!);
    await waitUntil(() => xpub.subscriptionCount === 2, 's1 subscriptions');
    s2.connect(xpub.lastEndpoint!);
    await waitUntil(() => xpub.readable && xpub.subscriptionCount === 2, 'xpub readable');
    await sleep(50);
    expect((await drain(xpub)).map((m) => m[0]).sort()).toEqual(['\x01A', '\x01B']);
    s1.close();
    expect(str(await recv(xpub))).toEqual(['\x00A']); // B is still held by s2
    await nothing(xpub);
  });

  it('sends the welcome message to each new subscriber', async () => {
    const xpub = track(new XPublisher({ linger: 0, welcomeMessage: 'WELCOME' }));
    const ep = inproc();
    await xpub.bind(ep);
    const sub = track(new Subscriber());
    sub.subscribe('WELCOME');
    sub.connect(ep);
    expect(str(await recv(sub))).toEqual(['WELCOME']);
  });

  it('manual mode: the application decides what the last peer heard from gets', async () => {
    const xpub = track(new XPublisher({ linger: 0, manual: true }));
    const ep = inproc();
    await xpub.bind(ep);
    expect(() => new XPublisher().subscribe('x')).toThrow(/manual/);
    const sub = track(new Subscriber());
    sub.subscribe('news');
    sub.connect(ep);
    expect(str(await recv(xpub))).toEqual(['\x01news']);
    sub.subscribe('news'); // manual mode passes duplicates up too
    expect(str(await recv(xpub))).toEqual(['\x01news']);
    await xpub.send('news1'); // nothing applied yet
    xpub.subscribe('news.sport'); // narrower than asked
    await xpub.send('news2');
    await xpub.send('news.sport1');
    expect(str(await recv(sub))).toEqual(['news.sport1']);
    await nothing(sub);
    xpub.unsubscribe('news.sport');
    await xpub.send('news.sport2');
    await nothing(sub);
    sub.close();
    expect(str(await recv(xpub))).toEqual(['\x00news']); // synthesized from what it asked for
  });

  it('XSUB subscribes by message, passes other messages upstream, does not filter', async () => {
    const xpub = track(new XPublisher({ linger: 0 }));
    await xpub.bind('tcp://127.0.0.1:*');
    const xsub = track(new XSubscriber({ linger: 0 }));
    xsub.connect(xpub.lastEndpoint!);
    await xsub.send(Buffer.from('\x01T'));
    expect(str(await recv(xpub))).toEqual(['\x01T']);
    await xsub.send(['hello', 'upstream']);
    expect(str(await recv(xpub))).toEqual(['hello', 'upstream']);
    await xpub.send('T1');
    expect(str(await recv(xsub))).toEqual(['T1']);
    await xsub.send(Buffer.from('\x01T')); // counted: needs two unsubscribes
    await xsub.send(Buffer.from('\x00T'));
    await xsub.send(Buffer.from('\x00T'));
    expect(str(await recv(xpub))).toEqual(['\x00T']);
    await nothing(xpub);
  });

  it('XPUB/XSUB proxy: subscriptions flow up, messages flow down', async () => {
    const pub = track(new Publisher({ linger: 0 }));
    const pubEp = inproc();
    await pub.bind(pubEp);
    const xsub = track(new XSubscriber());
    xsub.connect(pubEp);
    const xpub = track(new XPublisher());
    const xpubEp = inproc();
    await xpub.bind(xpubEp);
    void (async () => {
      for await (const m of xpub) await xsub.send(m);
    })().catch(() => {});
    void (async () => {
      for await (const m of xsub) await xpub.send(m);
    })().catch(() => {});
    const sub = track(new Subscriber());
    sub.connect(xpubEp);
    sub.subscribe('P');
    await waitUntil(() => pub.subscriptionCount === 1, 'subscription through the proxy');
    await pub.send(['P', 'via proxy']);
    await pub.send(['Q', 'filtered']);
    expect(str(await recv(sub))).toEqual(['P', 'via proxy']);
    await nothing(sub);
  });
});

describe('flow control', () => {
  it('PUB never blocks: a subscriber over its HWM loses messages, a fast one gets all', async () => {
    const pub = track(new Publisher({ linger: 0, sendHighWaterMark: 5 }));
    const ep = inproc();
    await pub.bind(ep);
    const slow = track(new Subscriber({ receiveHighWaterMark: 5 }));
    const fast = track(new Subscriber({ receiveHighWaterMark: 5 }));
    slow.subscribe('');
    fast.subscribe('');
    slow.connect(ep);
    fast.connect(ep);
    await waitUntil(() => pub.subscriptionCount === 1, 'subscriptions');
    const got: number[] = [];
    for (let i = 0; i < 100; i++) {
      await pub.send(String(i)); // resolves at once, never waits
      got.push(Number((await recv(fast))[0]!.toString()));
    }
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const slowGot = (await drain(slow, 50)).map((m) => Number(m[0]));
    expect(slowGot).toEqual(Array.from({ length: 10 }, (_, i) => i)); // inproc limit: sndhwm + rcvhwm
  });

  it('noDrop waits for room instead of dropping', async () => {
    const pub = track(new Publisher({ linger: 0, sendHighWaterMark: 1, noDrop: true, sendTimeout: 200 }));
    const ep = inproc();
    await pub.bind(ep);
    const sub = track(new Subscriber({ receiveHighWaterMark: 1 }));
    sub.subscribe('');
    sub.connect(ep);
    await pub.send('1');
    await pub.send('2');
    await expect(pub.send('3')).rejects.toMatchObject({ code: 'EAGAIN' });
    const p = pub.send('4');
    expect(str(await recv(sub))).toEqual(['1']);
    await p;
    expect(str(await recv(sub))).toEqual(['2']);
    expect(str(await recv(sub))).toEqual(['4']);
  });

  it('PUB cannot receive and SUB cannot send', async () => {
    await expect(track(new Publisher()).receive()).rejects.toMatchObject({ code: 'ENOTSUP' });
    await expect(track(new Subscriber()).send('x')).rejects.toMatchObject({ code: 'ENOTSUP' });
  });
});
