/**
 * Monitor events as zeromq.js v6 reports them (libzmq's zmq_socket_monitor): the same
 * scenario runs against npm `zeromq` and against Monocoque, and the event types must come
 * in the same order. Also the Observer API (on/off chaining, receive(), async iteration,
 * end) and what we add: events that name the peer and its routing id.
 */
import { describe, expect, it } from 'vitest';
import * as zmq from 'zeromq';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';
import type { SocketEvent } from '@monocoque/core';
import { withTimeout } from '../helpers/util.js';

interface AnySocket {
  events: AsyncIterable<{ type: string }>;
  connect(address: string): void;
  bind(address: string): Promise<void>;
  unbind(address: string): Promise<void>;
  send(message: string): Promise<void>;
  receive(): Promise<unknown>;
  close(): void;
  readonly lastEndpoint: string | null;
}
interface Lib {
  name: string;
  Dealer: new (options?: { reconnectInterval?: number }) => AnySocket;
  Router: new () => AnySocket;
}
const LIBS: Lib[] = [
  { name: 'zeromq.js', Dealer: zmq.Dealer as unknown as Lib['Dealer'], Router: zmq.Router as unknown as Lib['Router'] },
  { name: 'monocoque', Dealer: Dealer as unknown as Lib['Dealer'], Router: Router as unknown as Lib['Router'] },
];

/** Collects a socket's event types; `until(type, n)` resolves once `n` of `type` were seen. */
function recorder(sock: AnySocket) {
  const types: string[] = [];
  const waiters: Array<() => void> = [];
  void (async () => {
    for await (const e of sock.events) {
      types.push(e.type);
      for (const w of waiters.splice(0)) w();
    }
  })();
  const until = async (type: string, n = 1) => {
    while (types.filter((t) => t === type).length < n) await new Promise<void>((r) => waiters.push(r));
  };
  return { types, until: (type: string, n?: number) => withTimeout(until(type, n), 5000, `${n ?? 1} ${type} event(s)`) };
}

async function refusedConnect(lib: Lib): Promise<string[]> {
  const d = new lib.Dealer({ reconnectInterval: 20 });
  const r = recorder(d);
  d.connect('tcp://127.0.0.1:9'); // the discard port: nothing listens on loopback
  await r.until('connect:retry', 3);
  d.close();
  await r.until('end');
  return r.types.slice(0, 9).concat(r.types.slice(-1));
}

async function serverAndClient(lib: Lib): Promise<{ server: string[]; client: string[] }> {
  const router = new lib.Router();
  const rs = recorder(router);
  await router.bind('tcp://127.0.0.1:*');
  const client = new lib.Dealer();
  const cs = recorder(client);
  client.connect(router.lastEndpoint!);
  await client.send('x');
  await router.receive();
  await cs.until('handshake');
  client.close();
  await rs.until('disconnect');
  await router.unbind(router.lastEndpoint!);
  await rs.until('close');
  router.close();
  await Promise.all([rs.until('end'), cs.until('end')]);
  return { server: rs.types, client: cs.types };
}

describe('monitor events match zeromq.js', () => {
  it('a refused connect: connect:delay, close, connect:retry ..., end', async () => {
    const [theirs, ours] = await Promise.all(LIBS.map(refusedConnect));
    expect(theirs).toEqual(['connect:delay', 'close', 'connect:retry', 'connect:delay', 'close', 'connect:retry', 'connect:delay', 'close', 'connect:retry', 'end']);
    expect(ours).toEqual(theirs);
  });

  it('bind, accept, handshake, disconnect, close (unbind), end; connect:delay, connect, handshake, end', async () => {
    const theirs = await serverAndClient(LIBS[0]!);
    const ours = await serverAndClient(LIBS[1]!);
    expect(theirs).toEqual({ server: ['bind', 'accept', 'handshake', 'disconnect', 'close', 'end'], client: ['connect:delay', 'connect', 'handshake', 'end'] });
    expect(ours).toEqual(theirs);
  });
});

describe('the Observer API', () => {
  it('on()/off() chain, receive() gives the next event, iteration ends after end', async () => {
    const router = new Router();
    const seen: string[] = [];
    const listener = (e: SocketEvent) => seen.push(e.type);
    expect(router.events.on('bind', listener).on('close', listener)).toBe(router.events);
    const next = router.events.receive();
    await router.bind('tcp://127.0.0.1:*');
    expect(await next).toMatchObject({ type: 'bind', address: router.lastEndpoint });
    router.events.off('close', listener);
    router.close();
    const rest: string[] = [];
    for await (const e of router.events) rest.push(e.type);
    expect(seen).toEqual(['bind']);
    expect(rest).toEqual(['close', 'end']);
    expect(router.events.closed).toBe(true);
  });

  it('handshake and disconnect events name the peer: its address, socket type and routing id', async () => {
    const router = new Router();
    await router.bind('tcp://127.0.0.1:*');
    const dealer = new Dealer({ routingId: 'peer-7' });
    try {
      const shook = router.events.once('handshake');
      const connected = dealer.events.once('handshake');
      dealer.connect(router.lastEndpoint!);
      const e = await withTimeout(shook, 5000, 'handshake on the router');
      expect(e.address).toBe(router.lastEndpoint);
      expect(e.peer?.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
      expect(e.peer?.socketType).toBe('DEALER');
      expect(e.peer?.routingId?.toString()).toBe('peer-7');
      expect((await withTimeout(connected, 5000, 'handshake on the dealer')).peer?.socketType).toBe('ROUTER');
      const gone = router.events.once('disconnect');
      dealer.close();
      expect((await withTimeout(gone, 5000, 'disconnect')).peer?.routingId?.toString()).toBe('peer-7');
    } finally {
      dealer.close();
      router.close();
    }
  });
});

describe('after a protocol error in the handshake', () => {
  it('a connecting socket does not reconnect (zeromq.js agrees)', async () => {
    // A PUB bound (libzmq), a DEALER connecting: the socket types cannot talk.
    const pub = new zmq.Publisher({ linger: 0 });
    await pub.bind('tcp://127.0.0.1:*');
    const results: Record<string, string[]> = {};
    try {
      for (const lib of LIBS) {
        const d = new lib.Dealer({ reconnectInterval: 20 });
        const r = recorder(d);
        d.connect(pub.lastEndpoint!);
        await r.until('disconnect');
        // Well past several reconnect intervals: no new attempt may start.
        await new Promise((resolve) => setTimeout(resolve, 300));
        d.close();
        await r.until('end');
        // libzmq reports only `disconnect` on this side; we add `handshake:error:protocol`.
        results[lib.name] = r.types.filter((t) => t === 'connect' || t === 'connect:retry');
      }
    } finally {
      pub.close();
    }
    expect(results['zeromq.js']).toEqual(['connect']);
    expect(results.monocoque).toEqual(results['zeromq.js']);
  });
});
