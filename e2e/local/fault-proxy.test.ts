// The fault-injecting proxy of @monocoque/test-support, checked with plain node:net on
// both ends: what it forwards, how it splits, delays, stalls, blackholes, resets, refuses,
// records and corrupts.
import { EventEmitter, once } from 'node:events';
import { type AddressInfo, type Server, type Socket, connect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '@monocoque/test-support';
import { frameOf, sleep, waitFor, withTimeout } from '../helpers/util.js';

/** A TCP target on 127.0.0.1:0 that records each accepted connection and what it read. */
interface Target {
  server: Server;
  endpoint: string;
  accepted: Socket[];
  /** Chunks read, per accepted connection. */
  chunks: Buffer[][];
  nextConnection(ms?: number): Promise<Socket>;
}

/** Emits 'data' whenever a target or client socket of these tests reads something. */
const progress = new EventEmitter();

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startTarget(): Promise<Target> {
  const accepted: Socket[] = [];
  const chunks: Buffer[][] = [];
  const server = createServer((s) => {
    const mine: Buffer[] = [];
    chunks.push(mine);
    accepted.push(s);
    s.on('data', (d: Buffer) => {
      mine.push(d);
      progress.emit('data');
    });
    s.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    for (const s of accepted) s.destroy();
    return new Promise((r) => server.close(r));
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    endpoint: `tcp://127.0.0.1:${port}`,
    accepted,
    chunks,
    nextConnection: (ms = 5000) =>
      withTimeout(once(server, 'connection').then(([s]) => s as Socket), ms, 'target connection'),
  };
}

async function proxyTo(target: Target): Promise<FaultProxy> {
  const proxy = await startFaultProxy({ target: target.endpoint });
  cleanups.push(() => proxy.close());
  return proxy;
}

/** Connect a plain client to the proxy; resolves once TCP is connected (to the proxy). */
async function client(proxy: FaultProxy): Promise<Socket & { received: Buffer[] }> {
  const port = Number(/:(\d+)$/.exec(proxy.endpoint)![1]);
  const s = connect({ host: '127.0.0.1', port }) as Socket & { received: Buffer[] };
  s.received = [];
  s.on('data', (d: Buffer) => {
    s.received.push(d);
    progress.emit('data');
  });
  s.on('error', () => {});
  cleanups.push(() => s.destroy());
  await withTimeout(once(s, 'connect'), 5000, 'client connect');
  return s;
}

/** Wait until `cond` holds, re-checked whenever a socket of these tests reads data. */
function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  return waitFor(progress, 'data', cond, ms, what);
}

/** Target, proxy in front of it, and one client connected through it (`s`: the target's side). */
async function connectedThroughProxy(): Promise<{ target: Target; proxy: FaultProxy; c: Awaited<ReturnType<typeof client>>; s: Socket }> {
  const target = await startTarget();
  const proxy = await proxyTo(target);
  const serverSide = target.nextConnection();
  const c = await client(proxy);
  const s = await serverSide;
  return { target, proxy, c, s };
}

/** Resolves when `s` closes, for whatever reason (unlike `once`, an 'error' does not reject). */
function closeOf(s: Socket): Promise<void> {
  return new Promise((r) => (s.destroyed ? r() : s.once('close', () => r())));
}

const total = (chunks: Buffer[]): number => chunks.reduce((n, c) => n + c.length, 0);

describe('fault proxy (plain node:net on both ends)', () => {
  it('forwards both directions byte for byte and counts connections', async () => {
    const target = await startTarget();
    const proxy = await proxyTo(target);
    expect(proxy.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(proxy.endpoint).not.toBe(target.endpoint);

    const serverSide = target.nextConnection();
    const c = await client(proxy);
    const s = await serverSide;
    expect(proxy.connections).toBe(1);
    expect(proxy.accepted).toBe(1);

    const up = frameOf(1024 * 1024);
    const down = frameOf(300 * 1024);
    c.write(up);
    s.write(down);
    await until(() => total(target.chunks[0]!) >= up.length && total(c.received) >= down.length, 5000, 'both payloads');
    expect(Buffer.concat(target.chunks[0]!).equals(up)).toBe(true);
    expect(Buffer.concat(c.received).equals(down)).toBe(true);

    // A clean close from the client reaches the target as an end, and the count drops.
    const ended = once(s, 'end');
    const closed = once(proxy, 'connectionClosed');
    c.end();
    await withTimeout(ended, 5000, 'end at the target');
    s.end();
    await withTimeout(closed, 5000, 'proxy connection closed');
    expect(proxy.connections).toBe(0);
  });

  it('splitWrites(1) forwards one byte per write in the chosen direction only', async () => {
    const { target, proxy, c, s } = await connectedThroughProxy();
    proxy.splitWrites(1, 'upstream');

    const up = frameOf(300);
    c.write(up); // one write of 300 bytes ...
    await until(() => total(target.chunks[0]!) >= up.length, 5000, '300 bytes at the target');
    // ... arrives as 300 reads of one byte each: the proxy writes each piece in its own
    // turn of the event loop, and this process's target reads between them.
    expect(Buffer.concat(target.chunks[0]!).equals(up)).toBe(true);
    expect(target.chunks[0]!.map((b) => b.length)).toEqual(new Array<number>(300).fill(1));

    const down = frameOf(64 * 1024);
    s.write(down);
    await until(() => total(c.received) >= down.length, 5000, 'downstream payload');
    expect(Buffer.concat(c.received).equals(down)).toBe(true);
    expect(Math.max(...c.received.map((b) => b.length))).toBeGreaterThan(1);
  });

  it('delay() adds latency to every chunk and keeps order when the delay changes', async () => {
    const { target, proxy, c } = await connectedThroughProxy();

    proxy.delay(200, 'upstream');
    const start = Date.now();
    c.write('a');
    await sleep(20);
    proxy.delay(0, 'upstream'); // a later chunk with no delay must still wait behind 'a'
    c.write('b');
    await until(() => total(target.chunks[0]!) >= 2, 5000, 'a and b');
    const elapsed = Date.now() - start;
    expect(Buffer.concat(target.chunks[0]!).toString()).toBe('ab');
    expect(elapsed).toBeGreaterThanOrEqual(190);

    // Many small writes under delay come out in order.
    proxy.delay(30);
    const seq = Array.from({ length: 200 }, (_, i) => `${i},`).join('');
    for (let i = 0; i < 200; i++) c.write(`${i},`);
    await until(() => total(target.chunks[0]!) >= 2 + seq.length, 5000, '200 small writes');
    expect(Buffer.concat(target.chunks[0]!).toString()).toBe(`ab${seq}`);
  });

  it('stall() holds data without closing anything; resume() delivers it in order', async () => {
    const { target, proxy, c, s } = await connectedThroughProxy();

    proxy.stall();
    c.write('held-1|');
    s.write('down-held');
    c.write('held-2');
    await sleep(250); // the scenario is "nothing happens for a while"
    expect(total(target.chunks[0]!)).toBe(0);
    expect(total(c.received)).toBe(0);
    expect(c.destroyed || s.destroyed).toBe(false);
    expect(proxy.connections).toBe(1);

    proxy.resume();
    await until(() => total(target.chunks[0]!) >= 13 && total(c.received) >= 9, 5000, 'held data after resume');
    expect(Buffer.concat(target.chunks[0]!).toString()).toBe('held-1|held-2');
    expect(Buffer.concat(c.received).toString()).toBe('down-held');
  });

  it('stall() bounds what it holds: the sender meets back-pressure', async () => {
    const { target, proxy, c } = await connectedThroughProxy();

    proxy.stall('upstream');
    const chunk = frameOf(64 * 1024);
    let written = 0;
    // Write until the socket buffers locally: the proxy stopped reading (plus kernel buffers).
    await until(
      () => {
        while (c.writableLength === 0 && written < 256 * 1024 * 1024) {
          c.write(chunk);
          written += chunk.length;
        }
        return c.writableLength > 0;
      },
      5000,
      'local buffering at the sender',
    );
    expect(written).toBeLessThan(256 * 1024 * 1024);
    expect(total(target.chunks[0]!)).toBe(0);
    proxy.resume();
    await until(() => total(target.chunks[0]!) >= written, 10_000, 'all held bytes after resume');
    expect(total(target.chunks[0]!)).toBe(written);
  });

  it('blackhole() accepts but never connects upstream nor answers', async () => {
    const target = await startTarget();
    const proxy = await proxyTo(target);
    proxy.blackhole();
    const c = await client(proxy); // TCP connect to the proxy succeeds
    c.write('hello?');
    await sleep(200);
    expect(target.accepted.length).toBe(0);
    expect(c.received.length).toBe(0);
    expect(c.destroyed).toBe(false);
    expect(proxy.connections).toBe(1);

    proxy.blackhole(false);
    const serverSide = target.nextConnection();
    const c2 = await client(proxy);
    await serverSide;
    c2.write('x');
    await until(() => total(target.chunks[0]!) === 1, 5000, 'forwarding after blackhole(false)');
    expect(proxy.connections).toBe(2);
  });

  it('reset() destroys every current connection with an RST on both sides', async () => {
    const { target, proxy, c, s } = await connectedThroughProxy();

    const clientError = once(c, 'error');
    const serverError = once(s, 'error');
    const closed = once(proxy, 'connectionClosed');
    proxy.reset();
    const [ce] = (await withTimeout(clientError, 5000, 'client error')) as [NodeJS.ErrnoException];
    const [se] = (await withTimeout(serverError, 5000, 'target error')) as [NodeJS.ErrnoException];
    expect(ce.code).toBe('ECONNRESET');
    expect(se.code).toBe('ECONNRESET');
    await withTimeout(closed, 5000, 'proxy connection closed');
    expect(proxy.connections).toBe(0);

    // New connections are forwarded normally afterwards.
    const serverSide2 = target.nextConnection();
    const c2 = await client(proxy);
    await serverSide2;
    c2.write('again');
    await until(() => total(target.chunks[1]!) === 5, 5000, 'forwarding after reset');
  });

  it('refuse(true) closes new connections at once; refuse(false) restores forwarding', async () => {
    const target = await startTarget();
    const proxy = await proxyTo(target);
    proxy.refuse(true);
    const c = await client(proxy);
    await withTimeout(closeOf(c), 5000, 'refused client closed');
    expect(c.received.length).toBe(0);
    expect(target.accepted.length).toBe(0);
    expect(proxy.accepted).toBe(1);
    expect(proxy.connections).toBe(0);

    proxy.refuse(false);
    const serverSide = target.nextConnection();
    await client(proxy);
    await serverSide;
    expect(proxy.connections).toBe(1);
  });

  it('record: true keeps what was forwarded per direction; recorded() without it throws', async () => {
    const target = await startTarget();
    const proxy = await startFaultProxy({ target: target.endpoint, record: true });
    cleanups.push(() => proxy.close());
    const serverSide = target.nextConnection();
    const c = await client(proxy);
    const s = await serverSide;
    const up = frameOf(200 * 1024);
    c.write(up.subarray(0, 100));
    c.write(up.subarray(100));
    s.write('down');
    await until(() => total(target.chunks[0]!) >= up.length && total(c.received) >= 4, 5000, 'both directions');
    expect(proxy.recorded('upstream').equals(up)).toBe(true);
    expect(proxy.recorded('downstream').toString()).toBe('down');

    const plain = await proxyTo(target);
    expect(() => plain.recorded('upstream')).toThrow(/record: true/);
  });

  it('flipByte(n) corrupts exactly the n-th byte from now, across chunks, once', async () => {
    const target = await startTarget();
    const proxy = await startFaultProxy({ target: target.endpoint, record: true });
    cleanups.push(() => proxy.close());
    const serverSide = target.nextConnection();
    const c = await client(proxy);
    await serverSide;
    const before = Buffer.from('0123456789');
    c.write(before);
    await until(() => total(target.chunks[0]!) >= 10, 5000, 'the bytes before arming');
    const flipped = proxy.flipByte(25, 'upstream'); // counted from byte 10 on: byte 35
    const rest = frameOf(100);
    for (let i = 0; i < rest.length; i += 20) {
      c.write(rest.subarray(i, i + 20)); // the flipped byte is in the second chunk
      await until(() => total(target.chunks[0]!) >= 10 + i + 20, 5000, 'chunk through');
    }
    await withTimeout(flipped, 5000, 'the flip');
    const got = Buffer.concat(target.chunks[0]!);
    const want = Buffer.concat([before, rest]);
    want[35]! ^= 0xff;
    expect(got.equals(want)).toBe(true);
    expect(proxy.recorded('upstream').equals(want)).toBe(true);
    // Downstream untouched, and the flip fired once only.
    c.write('tail');
    await until(() => total(target.chunks[0]!) >= 114, 5000, 'tail');
    expect(Buffer.concat(target.chunks[0]!).subarray(110).toString()).toBe('tail');
  });

  it('an unreachable target drops the client; close() stops listening', async () => {
    const target = await startTarget();
    const proxy = await proxyTo(target);
    await new Promise((r) => target.server.close(r)); // nothing listens at the target any more
    const c = await client(proxy);
    await withTimeout(closeOf(c), 5000, 'client dropped');
    expect(c.received.length).toBe(0);

    await proxy.close();
    const port = Number(/:(\d+)$/.exec(proxy.endpoint)![1]);
    const s = connect({ host: '127.0.0.1', port });
    const [err] = (await withTimeout(once(s, 'error'), 5000, 'connect error')) as [NodeJS.ErrnoException];
    expect(err.code).toBe('ECONNREFUSED');
  });
});
