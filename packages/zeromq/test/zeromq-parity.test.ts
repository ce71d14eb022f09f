/**
 * The facade against npm `zeromq` 6.8 (libzmq 4.3.5) in the same process: each scenario
 * runs on both, and the observable results (codes, errno, messages, values) must match.
 * Real sockets over loopback TCP and inproc; no mocks.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import * as ours from '@monocoque/zeromq';

const require = createRequire(import.meta.url);
const theirs = require('zeromq') as typeof ours;

type Api = typeof ours;
interface Closable {
  close(): void;
}
const open: Closable[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});
function track<T extends Closable>(s: T): T {
  open.push(s);
  return s;
}

/** Run `scenario` on both implementations and return [ours, theirs]. */
async function both<T>(scenario: (zmq: Api, name: string) => Promise<T> | T): Promise<[T, T]> {
  return [await scenario(ours, 'ours'), await scenario(theirs, 'zeromq')];
}

/** What a rejection looks like to zeromq.js code. */
function shape(error: unknown): Record<string, unknown> {
  const e = error as { code?: string; errno?: number; message?: string; address?: string };
  return { code: e.code, errno: e.errno, message: e.message, ...(e.address === undefined ? {} : { address: e.address }) };
}
async function failure(run: () => Promise<unknown> | unknown): Promise<Record<string, unknown>> {
  try {
    await run();
  } catch (error) {
    return shape(error);
  }
  throw new Error('expected a failure, but the call succeeded');
}

let inproc = 0;
const inprocName = (zmq: string) => `inproc://parity-${zmq}-${process.pid}-${++inproc}`;

describe('values', () => {
  it('type numbers, null lastEndpoint/routingId, context and version look the same', async () => {
    const [a, b] = await both((zmq) => {
      const socks = [new zmq.Pair(), new zmq.Publisher(), new zmq.Subscriber(), new zmq.Request(), new zmq.Reply(), new zmq.Dealer(), new zmq.Router(), new zmq.Pull(), new zmq.Push(), new zmq.XPublisher(), new zmq.XSubscriber()].map(track);
      const dealer = socks[5] as ours.Dealer;
      return {
        types: socks.map((s) => s.type),
        names: socks.map((s) => s.constructor.name),
        lastEndpoint: dealer.lastEndpoint,
        routingId: dealer.routingId,
        linger: dealer.linger,
        sameContext: dealer.context === zmq.context,
        securityMechanism: dealer.securityMechanism,
        extensible: Object.isExtensible(dealer),
        version: /^4\.\d+\.\d+$/.test(zmq.version),
        capabilityKeys: Object.keys(zmq.capability).sort(),
        isSocket: socks.every((s) => s instanceof zmq.Socket),
        eventsAreObservers: dealer.events instanceof zmq.Observer,
      };
    });
    expect(a).toEqual(b);
  });

  it('new Socket(type) makes a socket of that type', async () => {
    const [a, b] = await both((zmq) => {
      const s = track(new zmq.Socket(5));
      return { type: s.type, isSocket: s instanceof zmq.Socket };
    });
    expect(a).toEqual(b);
  });

  it('a context carries its options and refuses unknown ones', async () => {
    const [a, b] = await both((zmq) => {
      const ctx = new zmq.Context({ ioThreads: 2, ipv6: true });
      const s = track(new zmq.Dealer({ context: ctx }));
      return {
        ioThreads: ctx.ioThreads,
        ipv6: ctx.ipv6,
        socketIpv6: s.ipv6,
        context: s.context === ctx,
        blocky: ctx.blocky,
        maxSockets: ctx.maxSockets,
        limit: ctx.maxSocketsLimit,
        unknown: (() => {
          try {
            new zmq.Context({ nope: 1 } as never);
            return 'accepted';
          } catch (error) {
            return (error as Error).constructor.name;
          }
        })(),
      };
    });
    expect(a).toEqual(b);
  });
});

describe('errors', () => {
  it('receive timeout, close cancelling a pending receive, calls after close', async () => {
    const [a, b] = await both(async (zmq) => {
      const d = track(new zmq.Dealer({ receiveTimeout: 20 }));
      const timedOut = await failure(() => d.receive());
      d.receiveTimeout = -1;
      const pending = d.receive();
      d.close();
      const cancelled = await failure(() => pending);
      const sendAfter = await failure(() => d.send('x'));
      const connectAfter = await failure(() => d.connect('tcp://127.0.0.1:1'));
      return { timedOut, cancelled, sendAfter, connectAfter };
    });
    expect(a).toEqual(b);
    expect(a.cancelled).toMatchObject({ code: 'EAGAIN', errno: 11 });
  });

  it('routing, state and timeout errors', async () => {
    const [a, b] = await both(async (zmq) => {
      const router = track(new zmq.Router({ mandatory: true, sendTimeout: 50 }));
      const unroutable = await failure(() => router.send(['nobody', 'x']));
      const req = track(new zmq.Request({ receiveTimeout: 100 }));
      const efsm = await failure(() => req.receive());
      const nowait = track(new zmq.Dealer({ sendTimeout: 0 }));
      const again = await failure(() => nowait.send('x'));
      return { unroutable, efsm, again };
    });
    expect(a).toEqual(b);
  });

  it('endpoint errors carry the address', async () => {
    const [a, b] = await both(async (zmq) => {
      const s = track(new zmq.Dealer());
      await s.bind('tcp://127.0.0.1:*');
      const inUse = await failure(() => s.bind(s.lastEndpoint!));
      return {
        inUse: { ...inUse, address: inUse.address === s.lastEndpoint },
        protocol: await failure(() => s.bind('foo://x')),
        invalid: await failure(() => s.bind('tcp://x')),
        notBound: await failure(() => s.unbind('tcp://127.0.0.1:1')),
        notConnected: await failure(() => s.disconnect('tcp://127.0.0.1:2')),
      };
    });
    expect(a).toEqual(b);
  });

  it('a second bind while one is pending is refused with EBUSY', async () => {
    const [a, b] = await both(async (zmq) => {
      const s = track(new zmq.Dealer());
      const first = s.bind('tcp://127.0.0.1:*');
      const second = await failure(() => s.bind('tcp://127.0.0.1:*'));
      await first;
      return { second, bound: s.lastEndpoint !== null };
    });
    expect(a).toEqual(b);
    expect(a.second).toMatchObject({ code: 'EBUSY' });
  });

  it('close() during a pending bind takes effect when the bind settles', async () => {
    const [a, b] = await both(async (zmq) => {
      const s = track(new zmq.Dealer());
      const binding = s.bind('tcp://127.0.0.1:*');
      s.close();
      const during = s.closed;
      let outcome = 'resolved';
      await binding.catch((e: { code: string }) => (outcome = e.code));
      return { during, outcome, after: s.closed };
    });
    expect(a).toEqual(b);
    expect(a).toEqual({ during: false, outcome: 'resolved', after: true });
  });
});

describe('messages', () => {
  it('send() stringifies values zeromq.js stringifies', async () => {
    const [a, b] = await both(async (zmq, name) => {
      const address = inprocName(name);
      const x = track(new zmq.Pair());
      await x.bind(address);
      const y = track(new zmq.Pair());
      y.connect(address);
      const out: unknown[] = [];
      for (const value of [null, 42, true, { a: 1 }, [1, null], 'text', new Uint16Array([0x4241])]) {
        await x.send(value as never);
        out.push((await y.receive()).map((f) => f.toString('latin1')));
      }
      const missing = await failure(() => x.send(undefined as never));
      return { out, missing: { message: missing.message } };
    });
    expect(a).toEqual(b);
  });

  it('a for-await loop ends when the socket closes', async () => {
    const [a, b] = await both(async (zmq) => {
      const s = track(new zmq.Pull());
      const loop = (async () => {
        let n = 0;
        for await (const _ of s) n++;
        return n;
      })();
      await new Promise((r) => setImmediate(r));
      s.close();
      return loop;
    });
    expect(a).toBe(b);
  });

  it('ours and libzmq exchange messages through the facade (DEALER ↔ ROUTER over TCP)', async () => {
    const router = track(new theirs.Router());
    await router.bind('tcp://127.0.0.1:*');
    const dealer = track(new ours.Dealer({ routingId: 'facade' }));
    dealer.connect(router.lastEndpoint!);
    await dealer.send(['hello', 'world']);
    const [id, ...body] = await router.receive();
    expect(id!.toString()).toBe('facade');
    expect(body.map(String)).toEqual(['hello', 'world']);
    await router.send([id!, 'back']);
    expect((await dealer.receive()).map(String)).toEqual(['back']);
  });
});

describe('Observer and numeric accessors', () => {
  it('new Observer(socket) sees the socket events', async () => {
    const [a, b] = await both(async (zmq) => {
      const s = track(new zmq.Dealer());
      const observer = new zmq.Observer(s);
      await s.bind('tcp://127.0.0.1:*');
      const event = await observer.receive();
      const result = { isObserver: observer instanceof zmq.Observer, notSocketEvents: observer !== s.events, type: event.type, address: event.address === s.lastEndpoint };
      observer.close();
      return { ...result, closed: observer.closed };
    });
    expect(a).toEqual(b);
  });

  it('getInt32Option(17) is linger, getStringOption(32) is lastEndpoint', async () => {
    const [a, b] = await both(async (zmq) => {
      const s = track(new zmq.Dealer({ linger: 42 })) as unknown as { getInt32Option(id: number): number; getStringOption(id: number): string | null; setInt32Option(id: number, v: number): void; linger: number; bind(a: string): Promise<void>; lastEndpoint: string | null };
      const before = s.getStringOption(32);
      await s.bind('tcp://127.0.0.1:*');
      s.setInt32Option(17, 7);
      return { linger: s.getInt32Option(17), set: s.linger, type: s.getInt32Option(16), before, after: s.getStringOption(32) === s.lastEndpoint };
    });
    expect(a).toEqual(b);
  });
});

describe('patterns through the facade', () => {
  it('subscribe() with no prefix subscribes to everything; unsubscribe() stops it', async () => {
    const [a, b] = await both(async (zmq, name) => {
      const address = inprocName(name);
      const pub = track(new zmq.Publisher());
      await pub.bind(address);
      const sub = track(new zmq.Subscriber({ receiveTimeout: 2000 }));
      sub.subscribe();
      sub.connect(address);
      // PUB drops until the subscription arrives: publish until one gets through.
      let got: string | undefined;
      for (let i = 0; got === undefined && i < 200; i++) {
        await pub.send(`m${i}`);
        sub.receiveTimeout = 10;
        got = await sub.receive().then(
          ([m]) => String(m).slice(0, 1),
          () => undefined,
        );
      }
      return { got };
    });
    expect(a).toEqual(b);
    expect(a.got).toBe('m');
  });

  it('Router.connect(address, { routingId }) addresses a peer before it speaks', async () => {
    const [a, b] = await both(async (zmq, name) => {
      const address = inprocName(name);
      const dealer = track(new zmq.Dealer());
      await dealer.bind(address);
      const router = track(new zmq.Router({ mandatory: true }));
      router.connect(address, { routingId: 'worker-1' });
      await router.send(['worker-1', 'job']);
      return (await dealer.receive()).map(String);
    });
    expect(a).toEqual(b);
  });

  it('readable and writable say whether a call would complete at once', async () => {
    const [a, b] = await both(async (zmq, name) => {
      const address = inprocName(name);
      const push = track(new zmq.Push());
      const pull = track(new zmq.Pull());
      const before = { writable: push.writable, readable: pull.readable };
      await pull.bind(address);
      push.connect(address);
      await push.send('x');
      while (!pull.readable) await new Promise((r) => setImmediate(r));
      const during = { writable: push.writable, readable: pull.readable };
      await pull.receive();
      return { before, during, after: pull.readable };
    });
    expect(a).toEqual(b);
  });

  it('a connection and its loss produce the same event types', async () => {
    const [a, b] = await both(async (zmq) => {
      const server = track(new zmq.Dealer());
      const client = track(new zmq.Dealer());
      const seen: string[] = [];
      const want = new Set(['bind', 'accept', 'handshake', 'disconnect']);
      const done = new Promise<void>((resolve) => {
        for (const type of want) {
          server.events.on(type as 'bind', () => {
            seen.push(type);
            if (type === 'disconnect') resolve();
          });
        }
      });
      await server.bind('tcp://127.0.0.1:*');
      client.connect(server.lastEndpoint!);
      await client.send('x');
      await server.receive();
      client.close();
      await done;
      return seen;
    });
    expect(a).toEqual(b);
  });
});

describe('security options', () => {
  it('CURVE with zeromq.js option names: facade client ↔ libzmq server, keys from curveKeyPair()', async () => {
    const server = ours.curveKeyPair();
    const client = theirs.curveKeyPair();
    const router = track(new theirs.Router({ curveServer: true, curveSecretKey: server.secretKey }));
    await router.bind('tcp://127.0.0.1:*');
    const dealer = track(new ours.Dealer({ curveServerKey: server.publicKey, curvePublicKey: client.publicKey, curveSecretKey: client.secretKey, routingId: 'sealed' }));
    expect(dealer.securityMechanism).toBe('curve');
    expect(dealer.curvePublicKey).toBe(client.publicKey);
    dealer.connect(router.lastEndpoint!);
    await dealer.send('secret');
    const [id, body] = await router.receive();
    expect([String(id), String(body)]).toEqual(['sealed', 'secret']);
  });
});

describe('REQ/REP state: calls wait for the other side instead of failing (zeromq.js polls)', () => {
  it('a REQ receive() made before its send() gets the reply; a second send() waits for it', async () => {
    const [a, b] = await both(async (zmq, name) => {
      const address = inprocName(name);
      const rep = track(new zmq.Reply());
      await rep.bind(address);
      const req = track(new zmq.Request());
      req.connect(address);
      const order: string[] = [];
      const early = req.receive().then(([m]) => order.push(`reply ${m}`));
      await req.send('one');
      const second = req.send('two').then(() => order.push('sent two'));
      const [q1] = await rep.receive();
      order.push(`request ${q1}`);
      await rep.send(`re ${q1}`);
      await early;
      await second;
      const [q2] = await rep.receive();
      order.push(`request ${q2}`);
      return order;
    });
    expect(a).toEqual(b);
    expect(a).toEqual(['request one', 'reply re one', 'sent two', 'request two']);
  });

  it('a REP send() made before a request waits for it; the timeout reports EFSM', async () => {
    const [a, b] = await both(async (zmq, name) => {
      const address = inprocName(name);
      const rep = track(new zmq.Reply({ sendTimeout: 50 }));
      await rep.bind(address);
      const tooEarly = await failure(() => rep.send('nobody asked'));
      rep.sendTimeout = -1;
      const req = track(new zmq.Request());
      req.connect(address);
      const answer = rep.send('answer'); // waits for a request...
      const received = rep.receive(); // ...which is received meanwhile? No: REP must receive first.
      await req.send('question');
      const [q] = await received;
      await answer;
      const [reply] = await req.receive();
      return { tooEarly: tooEarly.code, q: String(q), reply: String(reply) };
    });
    expect(a).toEqual(b);
  });
});

describe('socket.events', () => {
  it('close() ends the socket observer, and the socket keeps working', async () => {
    const [a, b] = await both(async (zmq, name) => {
      const address = inprocName(name);
      const s = track(new zmq.Pair());
      const events = s.events;
      events.close();
      await s.bind(address);
      const peer = track(new zmq.Pair());
      peer.connect(address);
      await peer.send('still works');
      const [m] = await s.receive();
      return { closed: events.closed, message: String(m) };
    });
    expect(a).toEqual(b);
  });
});

describe('bindSync', () => {
  it('an invalid or unsupported endpoint throws at once, with zeromq.js error', async () => {
    const [a, b] = await both((zmq) => {
      const s = track(new zmq.Dealer());
      return { invalid: shapeOf(() => s.bindSync('tcp://x')), protocol: shapeOf(() => s.bindSync('foo://x')) };
    });
    expect(a).toEqual(b);
    expect(a.invalid).toMatchObject({ code: 'EINVAL' });
  });
});

function shapeOf(run: () => unknown): Record<string, unknown> {
  try {
    run();
  } catch (error) {
    return shape(error);
  }
  return { thrown: false };
}

describe('REQ receive() and send() in the same tick', () => {
  it('the receive gets the reply to that one request', async () => {
    const [a, b] = await both(async (zmq, name) => {
      const address = inprocName(name);
      const rep = track(new zmq.Reply());
      await rep.bind(address);
      const req = track(new zmq.Request({ receiveTimeout: 3000 }));
      req.connect(address);
      const reply = req.receive(); // before any request: it waits for one
      await req.send('only');
      const [q] = await rep.receive();
      await rep.send(`re ${q}`);
      return String((await reply)[0]);
    });
    expect(a).toEqual(b);
    expect(a).toBe('re only');
  });
});
