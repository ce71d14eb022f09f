/**
 * STREAM (raw TCP) against libzmq 4.3 (npm zeromq 6.8, in the peer process):
 * - ours <-> theirs in both directions (each side binds once), frames and notifications;
 * - differential: one scenario with plain node:net clients/servers run against a libzmq
 *   STREAM and against ours, whose transcripts (messages, with routing ids replaced by
 *   their order of appearance, and monitor event types) must be equal.
 */
import { type AddressInfo, type Server, type Socket as NetSocket, connect as netConnect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Stream } from '@monocoque/stream';
import { bindEndpoint } from './helpers/endpoints.js';
import { type PeerSocket, spawnZmqPeer } from './helpers/peer.js';
import { Scope, withTimeout } from './helpers/util.js';

const scope = new Scope();
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await scope.cleanup();
});

const s = (m: Buffer[]) => m.map((f) => f.toString());

/** The common surface of our Stream and the peer's, for the differential scenarios. */
interface Under {
  bind(ep: string): Promise<string>;
  connect(ep: string, routingId: string): Promise<void>;
  send(frames: Array<string | Buffer>): Promise<string | null>; // error code or null
  receive(what: string): Promise<Buffer[]>;
  nothing(ms: number): Promise<boolean>;
  eventTypes(): Promise<string[]>;
}

function ours(sock: Stream): Under {
  const types: string[] = [];
  void (async () => {
    for await (const e of sock.events) types.push(e.type);
  })();
  return {
    bind: async (ep) => {
      await sock.bind(ep);
      return sock.lastEndpoint!;
    },
    connect: async (ep, routingId) => sock.connect(ep, { routingId }),
    send: (frames) => sock.send(frames).then(
      () => null,
      (e: { code: string }) => e.code,
    ),
    receive: (what) => withTimeout(sock.receive(), 5000, `ours: ${what}`),
    nothing: async (ms) => {
      const saved = sock.receiveTimeout;
      sock.receiveTimeout = ms;
      try {
        await sock.receive();
        return false;
      } catch {
        return true;
      } finally {
        sock.receiveTimeout = saved;
      }
    },
    eventTypes: async () => types.slice(),
  };
}

function theirs(sock: PeerSocket): Under {
  return {
    bind: (ep) => sock.bind(ep),
    connect: (ep, routingId) => sock.connect(ep, { routingId }),
    send: (frames) => sock.send(frames, { timeoutMs: 1000 }).then(
      () => null,
      (e: { code: string | null }) => e.code,
    ),
    receive: async (what) => {
      const [m] = await sock.receive(1, 5000).catch((e: Error) => {
        throw new Error(`libzmq: ${what}: ${e.message}`);
      });
      return m!;
    },
    nothing: async (ms) => (await sock.receiveUpTo(1, ms)).length === 0,
    eventTypes: async () => (await sock.events()).map((e) => e.type),
  };
}

/** Routing ids replaced by "#n" in order of first appearance (generated ids differ per run). */
function idNamer(): (id: Buffer) => string {
  const names = new Map<string, string>();
  return (id) => {
    const k = id.toString('hex');
    if (!names.has(k)) names.set(k, id[0] === 0 ? `#${names.size}` : id.toString());
    return names.get(k)!;
  };
}

async function netClient(ep: string): Promise<{ sock: NetSocket; data: () => string; closed: Promise<void> }> {
  const sock = netConnect(Number(ep.split(':').pop()), '127.0.0.1');
  cleanups.push(() => sock.destroy());
  let data = '';
  sock.on('data', (d: Buffer) => (data += d.toString()));
  sock.on('error', () => {});
  const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
  await withTimeout(new Promise<void>((resolve) => sock.once('connect', () => resolve())), 3000, `node:net connect to ${ep}`);
  return { sock, data: () => data, closed };
}

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The bound-side scenario with plain TCP clients; returns its transcript. */
async function boundScenario(u: Under): Promise<string[]> {
  const log: string[] = [];
  const name = idNamer();
  const rec = (m: Buffer[]) => {
    log.push(`recv ${name(m[0]!)} ${JSON.stringify(m[1]!.toString())}`);
    return m[0]!;
  };
  const ep = await u.bind('tcp://127.0.0.1:*');

  const a = await netClient(ep);
  const idA = rec(await u.receive('connect notification of A'));
  a.sock.write('ping');
  rec(await u.receive('A: ping'));
  log.push(`send -> ${await u.send([idA, 'pong'])}`);
  await until(() => a.data() === 'pong', 'A to read pong');
  log.push(`send close -> ${await u.send([idA, ''])}`);
  // libzmq (under zeromq.js) acts on the close when the socket next processes commands, e.g.
  // in a receive: so receive while waiting for the close.
  log.push(`nothing after self-close: ${await u.nothing(300)}`);
  await withTimeout(a.closed, 5000, 'A to see its connection closed');
  log.push(`A read ${JSON.stringify(a.data())}`);
  log.push(`send to closed -> ${await u.send([idA, 'late'])}`);

  const b = await netClient(ep);
  const idB = rec(await u.receive('connect notification of B'));
  b.sock.end('bye');
  rec(await u.receive('B: bye'));
  rec(await u.receive('disconnect notification of B'));
  // libzmq forgets the id once its socket has processed the pipe's termination (a receive
  // does that); until then a send to it fails with EAGAIN rather than EHOSTUNREACH.
  log.push(`nothing after peer close: ${await u.nothing(100)}`);
  log.push(`send to gone -> ${await u.send([idB, 'x'])}`);
  log.push(`send unknown -> ${await u.send(['nobody', 'x'])}`);
  log.push(`nothing more: ${await u.nothing(200)}`);
  log.push(`events ${(await u.eventTypes()).join(',')}`);
  return log;
}

/** The connecting-side scenario against a node:net server; returns its transcript. */
async function connectScenario(u: Under): Promise<string[]> {
  const log: string[] = [];
  const conns: NetSocket[] = [];
  const reads: string[] = [];
  const srv: Server = createServer((sock) => {
    conns.push(sock);
    sock.on('error', () => {});
    const n = conns.length;
    sock.on('data', (d: Buffer) => reads.push(`${n}:${d.toString()}`));
    sock.write(`hi ${n}`);
  });
  cleanups.push(() => {
    for (const c of conns) c.destroy();
    srv.close();
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const ep = `tcp://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const rec = (m: Buffer[]) => log.push(`recv ${s(m).map((x) => JSON.stringify(x)).join(' ')}`);

  await u.connect(ep, 'web');
  log.push(`early send -> ${await u.send(['web', 'early'])}`);
  rec(await u.receive('connect notification'));
  rec(await u.receive('greeting 1'));
  await until(() => reads.join() === '1:early', 'the server to read the early message');
  conns[0]!.destroy();
  rec(await u.receive('disconnect notification'));
  rec(await u.receive('reconnect notification'));
  rec(await u.receive('greeting 2'));
  log.push(`send -> ${await u.send(['web', 'again'])}`);
  await until(() => reads.join() === '1:early,2:again', 'the server to read again');
  const closed = new Promise<void>((resolve) => conns[1]!.on('close', () => resolve()));
  log.push(`send close -> ${await u.send(['web', ''])}`);
  // Receiving lets libzmq act on the close (see boundScenario); reconnectInterval is 50,
  // so within the 300 ms a reconnection would have come back.
  log.push(`nothing after self-close: ${await u.nothing(300)}`);
  await withTimeout(closed, 5000, 'the server to see the connection closed');
  log.push(`connections ${conns.length}`);
  const types = await u.eventTypes();
  log.push(`events ${types.join(',')}`);
  return log;
}

describe('STREAM: the same transcript as libzmq with plain TCP peers', () => {
  it('bound: notifications, data, close by empty frame, peer close, EHOSTUNREACH, events', async () => {
    const peer = await spawnZmqPeer();
    const reference = await boundScenario(theirs(await peer.socket('STREAM', { linger: 0 })));
    const got = await boundScenario(ours(scope.track(new Stream({ linger: 0 }))));
    expect(got).toEqual(reference);
    // The reference itself says what the scenario checks (a broken peer cannot pass it vacuously).
    expect(reference).toContain('send to gone -> EHOSTUNREACH');
    expect(reference).toContain('nothing after self-close: true');
  });

  it('connecting: early send, same id across a reconnect, no reconnect after close by empty frame', async () => {
    const peer = await spawnZmqPeer();
    const reference = await connectScenario(theirs(await peer.socket('STREAM', { linger: 0, reconnectInterval: 50 })));
    const got = await connectScenario(ours(scope.track(new Stream({ linger: 0, reconnectInterval: 50 }))));
    expect(got).toEqual(reference);
    expect(reference).toContain('connections 2');
  });
});

describe('STREAM: ours <-> libzmq STREAM', () => {
  it.each(['tcp', 'ipc'] as const)('ours binds (%s), libzmq connects with a routing id: both see notifications and raw bytes', async (transport) => {
    const peer = await spawnZmqPeer();
    const zs = await peer.socket('STREAM', { linger: 0, reconnectInterval: 50 });
    const mine = scope.track(new Stream({ linger: 0 }));
    await mine.bind(bindEndpoint(transport));
    await zs.connect(mine.lastEndpoint!, { routingId: 'lz' });

    const [id, hello] = await withTimeout(mine.receive(), 5000, 'our connect notification');
    expect(hello!.length).toBe(0);
    expect(s((await zs.receive(1))[0]!)).toEqual(['lz', '']);

    await zs.send(['lz', 'from libzmq']);
    expect(s(await withTimeout(mine.receive(), 5000, 'bytes from libzmq'))).toEqual([id!.toString(), 'from libzmq']);
    await mine.send([id!, 'from monocoque']);
    expect(s((await zs.receive(1))[0]!)).toEqual(['lz', 'from monocoque']);

    // We close it: libzmq is told, and reconnects as a new connection (a new id here).
    await mine.send([id!, '']);
    expect(s((await zs.receive(1))[0]!)).toEqual(['lz', '']);
    await zs.waitForEvent('disconnect');
    expect(s((await zs.receive(1))[0]!)).toEqual(['lz', '']); // reconnected
    const [id2, again] = await withTimeout(mine.receive(), 5000, 'our notification of the reconnection');
    expect(again!.length).toBe(0);
    expect(id2!.equals(id!)).toBe(false);
  });

  it('libzmq binds, ours connects with a routing id; libzmq closes and ours reconnects under the same id', async () => {
    const peer = await spawnZmqPeer();
    const zs = await peer.socket('STREAM', { linger: 0 });
    const ep = await zs.bind('tcp://127.0.0.1:*');
    const mine = scope.track(new Stream({ linger: 0, reconnectInterval: 50 }));
    mine.connect(ep, { routingId: 'mq' });

    expect(s(await withTimeout(mine.receive(), 5000, 'our connect notification'))).toEqual(['mq', '']);
    const [zid, zhello] = (await zs.receive(1))[0]!;
    expect(zhello!.length).toBe(0);
    expect(zid!.length).toBe(5);

    await mine.send(['mq', 'ping']);
    expect((await zs.receive(1))[0]!.map((f) => f.toString('latin1'))).toEqual([zid!.toString('latin1'), 'ping']);
    await zs.send([zid!, 'pong']);
    expect(s(await withTimeout(mine.receive(), 5000, 'pong'))).toEqual(['mq', 'pong']);

    await zs.send([zid!, '']); // libzmq closes the connection once it processes commands (in a receive):
    const [zid2, zhello2] = (await zs.receive(1))[0]!; // the notification of our reconnection
    expect(zhello2!.length).toBe(0);
    expect(zid2!.equals(zid!)).toBe(false); // (libzmq does not notify its own close)
    expect(s(await withTimeout(mine.receive(), 5000, 'our disconnect notification'))).toEqual(['mq', '']);
    expect(s(await withTimeout(mine.receive(), 5000, 'our reconnect notification'))).toEqual(['mq', '']);
    await mine.send(['mq', 'still here']);
    expect((await zs.receive(1))[0]!.map((f) => f.toString('latin1'))).toEqual([zid2!.toString('latin1'), 'still here']);
  });
});
