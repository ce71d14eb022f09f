/**
 * `@monocoque/zeromq/v5-compat`: the zeromq.js 5.x API between our sockets, and, where the
 * exact behaviour matters (names, argument shapes, errors, quirks), the same scenario run
 * against npm `zeromq/v5-compat` (zeromq.js 6.8, libzmq 4.3.5) with both results compared.
 */
import { once } from 'node:events';
import { connect as connectTcp } from 'node:net';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import * as ours from '@monocoque/zeromq/v5-compat';
import * as v6 from '@monocoque/zeromq';

type V5 = typeof ours;
type V5Socket = ours.Socket;

const require = createRequire(import.meta.url);
const theirs = require('zeromq/v5-compat') as V5;
const impls: Array<[string, V5]> = [
  ['ours', ours],
  ['zeromq', theirs],
];

/** Whether the v6 API here has STREAM sockets (`new Socket(11)`); another helper adds them. */
const hasStream = (() => {
  try {
    new v6.Socket(11).close();
    return true;
  } catch {
    return false;
  }
})();
if (!hasStream) console.warn('v5-compat tests: SKIPPING the stream socket: the v6 API here has no STREAM yet');

const open: V5Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) if (!s.closed) s.close();
});
function track(s: V5Socket): V5Socket {
  open.push(s);
  return s;
}
function sock(zmq: V5, type: ours.SocketType, options: Record<string, unknown> = {}): V5Socket {
  return track(zmq.socket(type, { linger: 0, ...options }));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** The next `event` on `s`, as its argument list. */
function next(s: V5Socket, event: string, ms = 3000): Promise<unknown[]> {
  return withTimeout(once(s, event), ms, `'${event}' on a ${String(s.type)} socket`);
}

/** The next 'message' on `s`, frames as strings. */
async function nextMessage(s: V5Socket, ms = 3000): Promise<string[]> {
  const frames = await next(s, 'message', ms);
  for (const f of frames) expect(Buffer.isBuffer(f), 'every frame is a Buffer').toBe(true);
  return frames.map(String);
}

/** Bind via the callback API; resolve with the resolved endpoint. */
function bound(s: V5Socket, address = 'tcp://127.0.0.1:*'): Promise<string> {
  return withTimeout(
    new Promise<string>((resolve, reject) =>
      s.bind(address, (err?: Error) => (err ? reject(err) : resolve(s.last_endpoint as string))),
    ),
    3000,
    `bind(${address}) callback`,
  );
}

/** The error `fn` throws, reduced to what user code looks at. */
function thrown(fn: () => unknown): { message: string; code: unknown; errno: unknown } | 'no throw' {
  try {
    fn();
  } catch (err) {
    const e = err as { message: string; code?: unknown; errno?: unknown };
    return { message: e.message, code: e.code, errno: e.errno };
  }
  return 'no throw';
}

/** Run `scenario` with each implementation; expect equal results and return ours. */
async function same<T>(scenario: (zmq: V5, name: string) => Promise<T> | T): Promise<T> {
  const a = await scenario(ours, 'ours');
  const b = await scenario(theirs, 'zeromq');
  expect(a, 'ours (left) and zeromq.js v5-compat (right) agree').toEqual(b);
  return a;
}

describe('module surface', () => {
  it('exports the same names and constant values as zeromq/v5-compat', () => {
    const mine = new Set(Object.keys(ours).filter((k) => k !== 'default'));
    expect([...mine].sort()).toEqual(Object.keys(theirs).sort());
    for (const k of Object.keys(theirs)) {
      const v = (theirs as Record<string, unknown>)[k];
      if (typeof v === 'number') expect((ours as Record<string, unknown>)[k], k).toBe(v);
    }
    expect(ours.options).toEqual(theirs.options);
    expect(ours.socket).toBe(ours.createSocket);
    // `import zmq from ...` gets the same API (as from the CommonJS zeromq/v5-compat).
    const { default: all, ...named } = ours;
    expect(all).toEqual(named);
  });

  it('version is the v6 API version string', () => {
    expect(ours.version).toBe(v6.version);
    expect(ours.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('curveKeypair() gives a fresh { public, secret } pair of Z85 strings', async () => {
    const shape = (kp: { public: string; secret: string }) => [
      Object.keys(kp).sort(),
      kp.public.length,
      kp.secret.length,
      kp.public !== kp.secret,
    ];
    await same((zmq) => shape(zmq.curveKeypair()));
    expect(ours.curveKeypair().public).not.toBe(ours.curveKeypair().public);
  });

  it('Context cannot be instantiated and exposes the shared context limits', async () => {
    await same((zmq) => thrown(() => new (zmq.Context as unknown as new () => unknown)()));
    const before = ours.Context.getMaxSockets();
    try {
      ours.Context.setMaxSockets(before + 1);
      expect(ours.Context.getMaxSockets()).toBe(before + 1);
      expect(v6.context.maxSockets).toBe(before + 1);
    } finally {
      ours.Context.setMaxSockets(before);
    }
    expect(ours.Context.getMaxThreads()).toBe(v6.context.ioThreads);
  });
});

describe('socket creation', () => {
  it('every type name gives that libzmq type; unknown names throw alike', async () => {
    const names: ours.SocketType[] = [
      'pair', 'req', 'rep', 'pub', 'sub', 'dealer', 'xreq', 'router', 'xrep', 'pull', 'push', 'xpub', 'xsub',
      ...(hasStream ? (['stream'] as const) : []),
    ];
    const result = await same((zmq) =>
      names.map((n) => {
        const s = sock(zmq, n);
        return [n, s.type, s.getsockopt(zmq.ZMQ_TYPE), s.closed];
      }),
    );
    expect(result).toContainEqual(['xrep', 'xrep', ours.ZMQ_ROUTER, false]);
    const bad = await same((zmq) => thrown(() => zmq.socket('bogus' as ours.SocketType)));
    expect(bad).toMatchObject({ message: 'Invalid socket type: bogus' });
  });

  it('createSocket options and short-name properties set options (strings as bytes)', async () => {
    await same((zmq) => {
      const s = sock(zmq, 'dealer', { identity: 'abc', sndhwm: 7, linger: 5, reconnect_ivl: 123, custom: 'x' });
      s.rcvhwm = 9; // not a short name: a plain property, the option is untouched
      s.linger = 3;
      return [s.identity, s.getsockopt(zmq.ZMQ_IDENTITY), s.linger, s.getsockopt('reconnect_ivl'), s.custom, s.rcvhwm, s.getsockopt(zmq.ZMQ_RCVHWM)];
    });
    const s = sock(ours, 'router', { identity: 'me' });
    expect(s.getsockopt(ours.ZMQ_IDENTITY)).toBe('me');
  });

  it('read() is gone, as in zeromq.js', async () => {
    const r = await same((zmq) => thrown(() => sock(zmq, 'pull').read()));
    expect(r).toMatchObject({ message: expect.stringContaining("use on('message', ...)") });
  });
});

describe('socket options', () => {
  it('getsockopt answers (or refuses) every libzmq code 0..100 the same way', async () => {
    await same((zmq) => {
      const s = sock(zmq, 'dealer');
      const out: unknown[] = [];
      for (let code = 0; code <= 100; code++) {
        // The compat layer's own answers: "Unknown option" and the "not supported" messages.
        // Anything else comes from the v6 property itself (e.g. libzmq refuses to read an
        // unset CURVE key): that is the v6 API's business, so only "answered" is compared.
        try {
          s.getsockopt(code);
          out.push([code, 'answered']);
        } catch (err) {
          const m = (err as Error).message;
          out.push([code, /Unknown option|not supported/.test(m) ? m : 'answered']);
        }
      }
      return out;
    });
  });

  it('setsockopt then getsockopt round-trips, with zeromq.js compat quirks', async () => {
    const r = await same((zmq) => {
      const s = sock(zmq, 'router');
      const set: Array<[number, unknown]> = [
        [zmq.ZMQ_LINGER, 0],
        [zmq.ZMQ_SNDHWM, 11],
        [zmq.ZMQ_RCVHWM, 12],
        [zmq.ZMQ_RCVTIMEO, 500],
        [zmq.ZMQ_SNDTIMEO, 600],
        [zmq.ZMQ_RECONNECT_IVL, 250],
        [zmq.ZMQ_RECONNECT_IVL_MAX, 2000],
        [zmq.ZMQ_MAXMSGSIZE, 4096],
        [zmq.ZMQ_DELAY_ATTACH_ON_CONNECT, 1],
        [zmq.ZMQ_IPV6, 1],
        [zmq.ZMQ_HEARTBEAT_IVL, 1000],
        [zmq.ZMQ_HEARTBEAT_TIMEOUT, 3000],
        [zmq.ZMQ_CONNECT_TIMEOUT, 700],
        [zmq.ZMQ_IDENTITY, Buffer.from('rid')],
        [zmq.ZMQ_ZAP_DOMAIN, 'dom'],
      ];
      const out: unknown[] = [];
      for (const [code, value] of set) {
        expect(s.setsockopt(code, value), 'setsockopt returns the socket').toBe(s);
        out.push([code, s.getsockopt(code)]);
      }
      s.setsockopt(zmq.ZMQ_IPV4ONLY, 1);
      out.push(['ipv4only', s.getsockopt(zmq.ZMQ_IPV4ONLY), s.getsockopt(zmq.ZMQ_IPV6)]);
      out.push(['events', s.getsockopt(zmq.ZMQ_EVENTS), s._ioevents]);
      out.push(['mechanism', s.getsockopt(zmq.ZMQ_MECHANISM)]);
      return out;
    });
    // The quirks: IPV4ONLY reads back as a boolean, IPV6 and the flags as 0/1.
    expect(r).toContainEqual(['ipv4only', true, 0]);
    expect(r).toContainEqual([ours.ZMQ_DELAY_ATTACH_ON_CONNECT, 1]);
    expect(r).toContainEqual([ours.ZMQ_IDENTITY, 'rid']);
  });

  it('unsupported and unknown options throw the same errors', async () => {
    await same((zmq) => {
      const s = sock(zmq, 'dealer');
      return [
        thrown(() => s.setsockopt(9999, 1)),
        thrown(() => s.setsockopt('nope' as ours.ShortOption, 1)),
        thrown(() => s.setsockopt(zmq.ZMQ_ROUTER_RAW, 1)),
        thrown(() => s.setsockopt(zmq.ZMQ_TYPE, 1)),
        thrown(() => s.setsockopt(zmq.ZMQ_LAST_ENDPOINT, 'x')),
        thrown(() => s.getsockopt(zmq.ZMQ_XPUB_VERBOSE)),
        thrown(() => s.getsockopt(zmq.ZMQ_RCVMORE)),
        thrown(() => s._fd),
        thrown(() => s.getsockopt(zmq.ZMQ_SUBSCRIBE)),
        thrown(() => s.subscribe('x')),
        thrown(() => s.unsubscribe('x')),
      ];
    });
  });
});

describe('bind, unbind, connect', () => {
  it("bind(addr, cb): 'bind' event with the given address, then cb(); last_endpoint resolved", async () => {
    await same(async (zmq) => {
      const s = sock(zmq, 'rep');
      const order: unknown[] = [];
      s.on('bind', (addr: string) => order.push(['event', addr]));
      const ep = await bound(s);
      order.push(['cb']);
      return [order, /^tcp:\/\/127\.0\.0\.1:\d+$/.test(ep), s.getsockopt(zmq.ZMQ_LAST_ENDPOINT) === ep];
    });
  });

  it('bind errors go to the callback, else to an error event; connect throws them', async () => {
    const r = await same(async (zmq) => {
      const s = sock(zmq, 'rep');
      const viaCb = await new Promise<unknown>((resolve) => s.bind('bogus', resolve));
      const t = sock(zmq, 'rep');
      const viaEvent = (await next(t.bind('foo://x'), 'error'))[0];
      const pick = (e: unknown) => {
        const x = e as { message: string; code: string; errno: number; address: string };
        return [x instanceof Error, x.message, x.code, x.errno, x.address];
      };
      return [
        pick(viaCb),
        pick(viaEvent),
        thrown(() => s.connect('bogus')),
        thrown(() => s.connect('foo://x')),
      ];
    });
    expect(r[0]).toEqual([true, 'Invalid argument', 'EINVAL', 22, 'bogus']);
  });

  it('binding an address in use fails with EADDRINUSE alike', async () => {
    await same(async (zmq) => {
      const a = sock(zmq, 'pull');
      const ep = await bound(a);
      const b = sock(zmq, 'pull');
      const err = (await new Promise<unknown>((resolve) => b.bind(ep, resolve))) as { code: string; message: string };
      return [err.code, err.message];
    });
  });

  it('bindSync binds (the v6 API here finishes it in the background: see its README)', async () => {
    const pull = sock(ours, 'pull');
    const listen = next(pull.monitor(), 'listen');
    pull.bindSync('tcp://127.0.0.1:*');
    const [, ep] = await listen;
    expect(pull.last_endpoint).toBe(ep);
    const push = sock(ours, 'push');
    push.connect(ep as string);
    push.send('via bindSync');
    expect(await nextMessage(pull)).toEqual(['via bindSync']);
    // A bad address: zeromq.js throws here; the v6 API here reports it as a process warning.
    const bad = sock(ours, 'pull');
    const warned = withTimeout(once(process, 'warning'), 1000, 'process warning');
    const sync = thrown(() => bad.bindSync('bogus'));
    if (sync === 'no throw') expect(String(((await warned) as [Error])[0].message)).toContain('bogus');
    else expect(sync).toMatchObject({ code: 'EINVAL', message: 'Invalid argument' });
  });

  it("unbind(addr, cb) emits 'unbind' and frees the address; unbindSync too", async () => {
    const s = sock(ours, 'pull');
    const ep = await bound(s);
    const ev = next(s, 'unbind');
    await withTimeout(new Promise<void>((res, rej) => s.unbind(ep, (e?: Error) => (e ? rej(e) : res()))), 3000, 'unbind cb');
    expect(await ev).toEqual([ep]);
    // The address is free again: another socket can take it.
    const t = sock(ours, 'pull');
    expect(await bound(t, ep)).toBe(ep);
    // unbindSync releases it (zeromq.js 6.8's unbindSync binds instead; ours does what it
    // says). It may finish in the background (see bindSync), so retry the bind briefly.
    t.unbindSync(ep);
    const u = sock(ours, 'pull');
    let rebound: string | undefined;
    for (let i = 0; rebound === undefined; i++) {
      try {
        rebound = await bound(u, ep);
      } catch (err) {
        if (i >= 100 || (err as { code?: string }).code !== 'EADDRINUSE') throw err;
        await new Promise((res) => setTimeout(res, 10));
      }
    }
    expect(rebound).toBe(ep);
  });

  it('operations on a closed socket fail the same way', async () => {
    await same((zmq) => {
      const s = sock(zmq, 'dealer');
      s.close();
      return [s.closed, thrown(() => s.bindSync('tcp://127.0.0.1:*')), thrown(() => s.connect('tcp://127.0.0.1:5'))];
    });
  });
});

describe('messages', () => {
  it('req/rep: SNDMORE assembles a message; frames arrive as Buffers in one message event', async () => {
    const r = await same(async (zmq) => {
      const rep = sock(zmq, 'rep');
      const req = sock(zmq, 'req');
      const ep = await bound(rep);
      req.connect(ep);
      const sent: unknown[] = [];
      req.send('a', zmq.ZMQ_SNDMORE);
      req.send(['b', Buffer.from('c')], zmq.ZMQ_SNDMORE);
      req.send(5, null, (err?: Error) => sent.push(err ?? 'ok'));
      const request = await nextMessage(rep);
      rep.send(['r1', 'r2']);
      const reply = await nextMessage(req);
      return [request, reply, sent];
    });
    expect(r).toEqual([['a', 'b', 'c', '5'], ['r1', 'r2'], ['ok']]);
  });

  it('REQ: requests sent back to back go out one at a time, each after the previous reply', async () => {
    const r = await same(async (zmq) => {
      const rep = sock(zmq, 'rep');
      const req = sock(zmq, 'req');
      const served: string[] = [];
      // The reply comes later, from a timer, as a v5 server that does I/O would send it.
      rep.on('message', (m: Buffer) => {
        served.push(m.toString());
        setTimeout(() => rep.send(`re:${m.toString()}`), 20);
      });
      req.connect(await bound(rep));
      const events: string[] = [];
      req.on('error', (e: Error) => events.push(`error ${e.message}`));
      req.on('message', (m: Buffer) => events.push(`reply ${m.toString()}`));
      for (const q of ['a', 'b', 'c']) req.send(q, 0, (err?: Error) => events.push(`sent ${q}${err ? ` ${err.message}` : ''}`));
      await withTimeout(
        (async () => {
          while (!events.includes('reply re:c')) await new Promise((res) => setTimeout(res, 5));
        })(),
        3000,
        'the third reply',
      );
      return [served, events];
    });
    expect(r).toEqual([
      ['a', 'b', 'c'],
      ['sent a', 'reply re:a', 'sent b', 'reply re:b', 'sent c', 'reply re:c'],
    ]);
  });

  it('dealer identity reaches the router as the first frame; router replies by it', async () => {
    const r = await same(async (zmq) => {
      const router = sock(zmq, 'router');
      const dealer = sock(zmq, 'dealer', { identity: 'd1' });
      dealer.connect(await bound(router));
      dealer.send(['', 'hi']);
      const got = await nextMessage(router);
      router.send(['d1', '', 'back']);
      return [got, await nextMessage(dealer)];
    });
    expect(r).toEqual([['d1', '', 'hi'], ['', 'back']]);
  });

  it('pub/sub: subscribe, setsockopt(ZMQ_SUBSCRIBE) and unsubscribe filter; xpub sees the subscriptions', async () => {
    const r = await same(async (zmq) => {
      const xpub = sock(zmq, 'xpub');
      const sub = sock(zmq, 'sub');
      const subs: string[] = [];
      xpub.on('message', (f: Buffer) => subs.push(`${f[0]}:${f.subarray(1).toString()}`));
      sub.connect(await bound(xpub));
      // First make sure the connection is up, so each change travels as its own message.
      sub.subscribe('sync');
      await withTimeout(
        (async () => {
          while (!subs.includes('1:sync')) await new Promise((r) => setTimeout(r, 5));
        })(),
        3000,
        'the first subscription to reach the XPUB',
      );
      sub.subscribe('t');
      sub.setsockopt(zmq.ZMQ_SUBSCRIBE, Buffer.from('u'));
      sub.subscribe('v');
      sub.unsubscribe('v');
      const got: string[][] = [];
      sub.on('message', (...f: Buffer[]) => got.push(f.map(String)));
      // Wait until the last subscription change reached the XPUB before publishing.
      await withTimeout(
        (async () => {
          while (!subs.includes('0:v')) await new Promise((r) => setTimeout(r, 5));
        })(),
        3000,
        'the unsubscribe to reach the XPUB',
      );
      for (const t of ['v1', 't1', 'x1', 'u1']) xpub.send([t, 'body']);
      await withTimeout(
        (async () => {
          while (got.length < 2) await new Promise((r) => setTimeout(r, 5));
        })(),
        3000,
        'two matching messages',
      );
      return [subs, got];
    });
    expect(r).toEqual([['1:sync', '1:t', '1:u', '1:v', '0:v'], [['t1', 'body'], ['u1', 'body']]]);
  });

  it.runIf(hasStream)('stream: a raw TCP peer appears as [id, data] messages; [id, data] replies reach it', async () => {
    const r = await same(async (zmq) => {
      const stream = sock(zmq, 'stream');
      const ep = await bound(stream);
      const got: Buffer[][] = [];
      stream.on('message', (...f: Buffer[]) => got.push(f));
      const port = Number(ep.slice(ep.lastIndexOf(':') + 1));
      const client = connectTcp({ host: '127.0.0.1', port });
      try {
        await withTimeout(once(client, 'connect'), 3000, 'raw TCP connect');
        client.write('hello');
        await withTimeout(
          (async () => {
            while (!got.some((m) => m[1]?.toString() === 'hello')) await new Promise((res) => setTimeout(res, 5));
          })(),
          3000,
          "the raw peer's bytes",
        );
        const id = got[0]![0]!;
        const answer = withTimeout(once(client, 'data'), 3000, 'the reply at the raw peer');
        stream.send([id, 'world']);
        const [data] = (await answer) as [Buffer];
        return [got.map((m) => [m.length, m[0]!.equals(id), m[1]!.toString()]), data.toString()];
      } finally {
        client.destroy();
      }
    });
    // libzmq announces a connection with an empty data frame (ZMQ_STREAM_NOTIFY).
    expect(r).toEqual([
      [
        [2, true, ''],
        [2, true, 'hello'],
      ],
      'world',
    ]);
  });

  it('push/pull: many sends arrive in order, each callback called once', async () => {
    const push = sock(ours, 'push');
    const pull = sock(ours, 'pull');
    push.connect(await bound(pull));
    const acks: number[] = [];
    for (let i = 0; i < 200; i++) push.send(String(i), 0, () => acks.push(i));
    const got: string[] = [];
    pull.on('message', (f: Buffer) => got.push(f.toString()));
    await withTimeout(
      (async () => {
        while (got.length < 200) await new Promise((r) => setTimeout(r, 5));
      })(),
      5000,
      '200 messages',
    );
    expect(got).toEqual(Array.from({ length: 200 }, (_, i) => String(i)));
    expect(acks).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('pause() holds messages and sends; resume() delivers and sends them in order', async () => {
    const r = await same(async (zmq) => {
      const pull = sock(zmq, 'pull');
      const push = sock(zmq, 'push');
      push.connect(await bound(pull));
      const got: string[] = [];
      pull.on('message', (f: Buffer) => got.push(f.toString()));
      push.send('first');
      await next(pull, 'message');
      pull.pause();
      push.send('m1');
      push.send('m2');
      // PUSH paused: its queued send stays queued.
      push.pause();
      const acked: string[] = [];
      push.send('m3', 0, () => acked.push('m3'));
      await new Promise((res) => setTimeout(res, 150));
      const whilePaused = [...got, ...acked];
      pull.resume();
      push.resume();
      await withTimeout(
        (async () => {
          while (got.length < 4) await new Promise((res) => setTimeout(res, 5));
        })(),
        3000,
        'messages after resume',
      );
      return [whilePaused, got, acked];
    });
    expect(r).toEqual([['first'], ['first', 'm1', 'm2', 'm3'], ['m3']]);
  });

  it('send() on a receive-only socket reports "Cannot send on this socket type." (zeromq.js leaves it unhandled)', async () => {
    const pull = sock(ours, 'pull');
    const err = await withTimeout(new Promise<unknown>((res) => pull.send('x', 0, res)), 1000, 'send cb');
    expect((err as Error).message).toBe('Cannot send on this socket type.');
    const sub = sock(ours, 'sub');
    const ev = next(sub, 'error');
    sub.send('x');
    expect(((await ev)[0] as Error).message).toBe('Cannot send on this socket type.');
  });

  it('close() ends the receive loop without an error event', async () => {
    await same(async (zmq) => {
      const s = sock(zmq, 'dealer');
      const errors: unknown[] = [];
      s.on('error', (e) => errors.push(e));
      s.connect('tcp://127.0.0.1:9');
      expect(s.close()).toBe(s);
      await new Promise((res) => setTimeout(res, 50));
      return [s.closed, errors];
    });
  });

  it('a failed send without callback is emitted as error (sendTimeout EAGAIN)', async () => {
    const r = await same(async (zmq) => {
      const s = sock(zmq, 'dealer', {});
      s.setsockopt(zmq.ZMQ_SNDTIMEO, 0);
      const ev = next(s, 'error');
      s.send('nobody');
      const [e] = (await ev) as [{ code: string; message: string }];
      const cbErr = await new Promise<unknown>((res) => s.send('again', 0, res));
      return [e.code, e.message, (cbErr as { code: string }).code];
    });
    expect(r[0]).toBe('EAGAIN');
  });
});

describe('monitor', () => {
  it('emits v5 event names with (value, address, error) arguments', async () => {
    const r = await same(async (zmq) => {
      const rep = sock(zmq, 'rep').monitor();
      const req = sock(zmq, 'req').monitor();
      const listen = next(rep, 'listen');
      const ep = await bound(rep);
      const [lv, laddr, lerr] = await listen;
      const connect = next(req, 'connect');
      const accept = next(rep, 'accept');
      req.connect(ep);
      const [cv, caddr, cerr] = await connect;
      const [av, aaddr] = await accept;
      const disconnect = next(rep, 'disconnect');
      req.close();
      const [, daddr] = await disconnect;
      return [
        [lv, laddr === ep, lerr],
        [cv, caddr === ep, cerr],
        [av, aaddr === ep],
        [daddr === ep],
      ];
    });
    expect(r[0]).toEqual([undefined, true, undefined]);
  });

  it('bind_error carries the errno and the error; connect_retry the interval', async () => {
    const r = await same(async (zmq) => {
      const a = sock(zmq, 'pull');
      const used = await bound(a);
      const b = sock(zmq, 'pull').monitor();
      const bindError = next(b, 'bind_error');
      b.bind(used, () => {});
      const [value, , error] = (await bindError) as [number, string, { code: string; errno: number }];
      const c = sock(zmq, 'push', { reconnect_ivl: 20 }).monitor();
      const retry = next(c, 'connect_retry');
      // A port nobody listens on (just freed).
      const t = sock(zmq, 'pull');
      const dead = await bound(t);
      t.close();
      c.connect(dead);
      const [interval, raddr] = await retry;
      return [value, error.code, error.errno === value, typeof interval, raddr === dead];
    });
    expect(r).toEqual([98, 'EADDRINUSE', true, 'number', true]);
  });

  it('unmonitor() stops the events quietly; monitor(args) warns that they are ignored', async () => {
    const s = sock(ours, 'pull').monitor();
    const seen: string[] = [];
    for (const e of ['listen', 'accept', 'error']) s.on(e, () => seen.push(e));
    const listen = next(s, 'listen');
    const ep = await bound(s);
    await listen;
    s.unmonitor();
    const push = sock(ours, 'push');
    push.connect(ep);
    push.send('after unmonitor');
    expect(await nextMessage(s)).toEqual(['after unmonitor']);
    await new Promise((res) => setTimeout(res, 20));
    expect(seen).toEqual(['listen']);
    const warned = withTimeout(once(process, 'warning'), 1000, 'process warning');
    sock(ours, 'pull').monitor(10, 0);
    const [w] = (await warned) as [Error];
    expect(w.message).toContain('ignored in compatibility mode');
  });
});

describe('proxy', () => {
  it('rejects unsupported pairs alike', async () => {
    await same((zmq) => thrown(() => zmq.proxy(sock(zmq, 'req'), sock(zmq, 'rep'))));
  });

  it('router/dealer forwards requests and replies; capture gets replies without the envelope', async () => {
    const r = await same(async (zmq) => {
      const front = sock(zmq, 'router');
      const back = sock(zmq, 'dealer');
      const capIn = sock(zmq, 'pull');
      const capture = sock(zmq, 'push');
      capture.connect(await bound(capIn));
      zmq.proxy(front, back, capture);
      const worker = sock(zmq, 'rep');
      const client = sock(zmq, 'req');
      back.connect(await bound(worker));
      client.connect(await bound(front));
      worker.on('message', (m: Buffer) => worker.send(`re:${m.toString()}`));
      const captured = nextMessage(capIn);
      client.send('ping');
      return [await nextMessage(client), await captured];
    });
    expect(r).toEqual([['re:ping'], ['re:ping']]);
  });

  it('xpub/xsub forwards subscriptions up and publications down', async () => {
    const got = await same(async (zmq) => {
      const front = sock(zmq, 'xpub');
      const back = sock(zmq, 'xsub');
      zmq.proxy(front, back);
      const pub = sock(zmq, 'pub');
      const sub = sock(zmq, 'sub');
      pub.connect(await bound(back));
      sub.connect(await bound(front));
      sub.subscribe('a');
      const first = nextMessage(sub);
      // Publish until the subscription has travelled sub -> xpub -> xsub -> pub.
      const timer = setInterval(() => {
        pub.send(['b', 'dropped']);
        pub.send(['a', 'kept']);
      }, 10);
      try {
        return await first;
      } finally {
        clearInterval(timer);
      }
    });
    expect(got).toEqual(['a', 'kept']);
  });

  it('pull/push forwards one way', async () => {
    const s = await same(async (zmq) => {
      const front = sock(zmq, 'pull');
      const back = sock(zmq, 'push');
      zmq.proxy(front, back);
      const src = sock(zmq, 'push');
      const dst = sock(zmq, 'pull');
      src.connect(await bound(front));
      dst.connect(await bound(back));
      src.send(['a', 'b']);
      return nextMessage(dst);
    });
    expect(s).toEqual(['a', 'b']);
  });
});
