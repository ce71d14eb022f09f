/**
 * Transport conformance for the io_uring transport. When the addon is not built the
 * suite is skipped with a printed reason, or fails if MONOCOQUE_REQUIRE_URING=1.
 */
import { existsSync } from 'node:fs';
import * as net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import type { Listener, Stream, StreamEndpoint, Transport } from '@monocoque/core';
import { isUringAvailable, loadUring, uringTransport } from '../src/index.js';
import { loadNative } from '../src/native.js';
import { cleanupIpcDirs, ipcPath, payload, Sink, sleep, splitRandom, writeAll } from './helpers.js';

const loaded = loadUring();
const required = process.env.MONOCOQUE_REQUIRE_URING === '1';
if (!loaded.ok && !required) {
  console.warn(`[@monocoque/uring] skipping io_uring transport tests: ${loaded.reason}`);
}

describe('availability', () => {
  it.runIf(required)('addon is available (MONOCOQUE_REQUIRE_URING=1)', () => {
    expect(loaded.ok ? 'available' : `unavailable: ${loaded.reason}`).toBe('available');
  });
  it('loadUring / isUringAvailable / uringTransport agree', () => {
    expect(isUringAvailable()).toBe(loaded.ok);
    if (loaded.ok) expect(uringTransport().name).toBe('uring');
    else expect(() => uringTransport()).toThrow(expect.objectContaining({ code: 'ENOTSUP' }));
  });
});

const suite = loaded.ok ? describe : describe.skip;

/** Live native sockets (leak check). */
function nativeSockets(): number {
  const n = loadNative();
  return n.ok ? n.binding.stats().sockets : 0;
}

interface Pair {
  listener: Listener;
  client: Stream;
  server: Stream;
  c: Sink;
  s: Sink;
}

suite('io_uring transport', () => {
  const t: Transport = loaded.ok ? loaded.transport : (undefined as never);
  const open: Listener[] = [];

  afterAll(async () => {
    await Promise.all(open.map((l) => l.close()));
    cleanupIpcDirs();
  });

  async function pair(endpoint: StreamEndpoint, start = true): Promise<Pair> {
    let gotServer!: (s: Stream) => void;
    const accepted = new Promise<Stream>((r) => (gotServer = r));
    const listener = await t.listen(endpoint, (s) => gotServer(s));
    open.push(listener);
    const target: StreamEndpoint =
      endpoint.protocol === 'tcp' ? { protocol: 'tcp', host: '127.0.0.1', port: Number(listener.endpoint.split(':').pop()) } : endpoint;
    const client = await t.connect(target);
    const server = await accepted;
    const c = new Sink();
    const s = new Sink();
    if (start) {
      client.start(c);
      server.start(s);
    }
    return { listener, client, server, c, s };
  }

  const endpoints: Array<[string, () => StreamEndpoint]> = [
    ['tcp', () => ({ protocol: 'tcp', host: '127.0.0.1', port: 0 })],
    ['ipc', () => ({ protocol: 'ipc', path: ipcPath() })],
    ['ipc abstract', () => ({ protocol: 'ipc', path: `\0monocoque-uring-test-${process.pid}-${Math.random()}` })],
  ];

  for (const [name, ep] of endpoints) {
    describe(name, () => {
      it('exchanges bytes both ways and reports endpoints', async () => {
        const endpoint = ep();
        const { listener, client, server, c, s } = await pair(endpoint);
        if (endpoint.protocol === 'tcp') {
          expect(listener.endpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
          expect(listener.endpoint.endsWith(':0')).toBe(false);
          expect(server.remoteAddress).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
          expect(client.remoteAddress).toBe(listener.endpoint);
        } else {
          expect(listener.endpoint).toBe(endpoint.path.startsWith('\0') ? `ipc://@${endpoint.path.slice(1)}` : `ipc://${endpoint.path}`);
          expect(client.remoteAddress).toBe(listener.endpoint);
          expect(server.remoteAddress).toBe(listener.endpoint);
        }
        expect(client.write([Buffer.from('hello '), Buffer.from('server')])).toBe(true);
        await s.untilBytes(12);
        expect(s.data().toString()).toBe('hello server');
        server.write([Buffer.from('hi client')]);
        await c.untilBytes(9);
        expect(c.data().toString()).toBe('hi client');
        client.destroy();
        await Promise.all([c.closed, s.closed]);
        expect(c.closes).toBe(1);
        expect(s.closes).toBe(1);
        await listener.close();
      });

      it('moves 4 MiB in many chunks each way, in order', async () => {
        const { client, server, c, s } = await pair(ep());
        const up = payload(4 << 20);
        const down = payload(4 << 20);
        await Promise.all([writeAll(client, c, splitRandom(up, 70_000), 16), writeAll(server, s, splitRandom(down, 3_000), 64)]);
        await Promise.all([s.untilBytes(up.length, 20_000), c.untilBytes(down.length, 20_000)]);
        expect(s.data().equals(up)).toBe(true);
        expect(c.data().equals(down)).toBe(true);
        client.end();
        await Promise.all([c.closed, s.closed]);
        expect(c.closeError).toBeUndefined();
        expect(s.closeError).toBeUndefined();
      }, 30_000);
    });
  }

  it('listen on a bound port rejects with EADDRINUSE', async () => {
    const l = await t.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 }, () => {});
    open.push(l);
    const port = Number(l.endpoint.split(':').pop());
    await expect(t.listen({ protocol: 'tcp', host: '127.0.0.1', port }, () => {})).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const path = ipcPath();
    const l2 = await t.listen({ protocol: 'ipc', path }, () => {});
    await expect(t.listen({ protocol: 'ipc', path }, () => {})).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await l2.close();
    expect(existsSync(path)).toBe(false);
  });

  it('binds tcp://*:0 and reports a real port; resolves host names', async () => {
    const l = await t.listen({ protocol: 'tcp', host: '*', port: 0 }, (s) => s.destroy());
    open.push(l);
    expect(l.endpoint).toMatch(/^tcp:\/\/0\.0\.0\.0:[1-9]\d*$/);
    const port = Number(l.endpoint.split(':').pop());
    const stream = await t.connect({ protocol: 'tcp', host: 'localhost', port }).catch(() => t.connect({ protocol: 'tcp', host: '127.0.0.1', port }));
    const sink = new Sink();
    stream.start(sink);
    await sink.closed;
    expect(sink.closes).toBe(1);
  });

  it('connect to a closed port rejects with ECONNREFUSED', async () => {
    const l = await t.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 }, () => {});
    const port = Number(l.endpoint.split(':').pop());
    await l.close();
    await expect(t.connect({ protocol: 'tcp', host: '127.0.0.1', port })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(t.connect({ protocol: 'ipc', path: ipcPath() })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('pause stops delivery and pushes back on the writer; resume delivers everything', async () => {
    const { client, server, c, s } = await pair({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
    server.pause();
    const data = payload(8 << 20);
    const chunks = splitRandom(data, 64 * 1024);
    let i = 0;
    let blocked = false;
    while (i < chunks.length) {
      if (!client.write([chunks[i++]!])) {
        blocked = true;
        break;
      }
    }
    expect(blocked).toBe(true); // the kernel buffers filled, write() said stop
    await sleep(150);
    const seenWhilePaused = s.bytes;
    await sleep(150);
    expect(s.bytes).toBe(seenWhilePaused); // nothing delivered while paused
    expect(seenWhilePaused).toBeLessThan(data.length);
    server.resume();
    const rest = chunks.slice(i);
    await writeAll(client, c, rest, 4);
    await s.untilBytes(data.length, 20_000);
    expect(s.data().equals(data)).toBe(true);
    // pause/resume again, quickly (cancel/re-arm races)
    for (let k = 0; k < 20; k++) {
      server.pause();
      server.resume();
      client.write([Buffer.from([k])]);
    }
    await s.untilBytes(data.length + 20);
    expect([...s.data().subarray(data.length)]).toEqual([...Array(20).keys()]);
    client.destroy();
    await Promise.all([c.closed, s.closed]);
  }, 30_000);

  it('end() flushes queued writes, then both sides close cleanly once', async () => {
    const { client, server, c, s } = await pair({ protocol: 'ipc', path: ipcPath() });
    const data = payload(2 << 20);
    client.write(splitRandom(data, 100_000));
    client.end();
    client.end();
    expect(client.write([Buffer.from('late')])).toBe(true); // accepted and dropped
    await s.untilBytes(data.length);
    await Promise.all([c.closed, s.closed]);
    expect(s.data().equals(data)).toBe(true);
    expect(c.closes).toBe(1);
    expect(s.closes).toBe(1);
    expect(c.closeError).toBeUndefined();
    expect(s.closeError).toBeUndefined();
    client.destroy(); // after close: no second onClose
    server.end();
    await sleep(20);
    expect(c.closes).toBe(1);
    expect(s.closes).toBe(1);
    void server;
  });

  it('destroy() closes now; onClose exactly once on both sides; peer gets no error', async () => {
    const { client, server, c, s } = await pair({ protocol: 'tcp', host: '127.0.0.1', port: 0 });
    client.write([payload(1 << 20)]);
    server.destroy();
    server.destroy();
    await Promise.all([c.closed, s.closed]);
    await sleep(20);
    expect(s.closes).toBe(1);
    expect(c.closes).toBe(1);
    expect(s.closeError).toBeUndefined();
  });

  it('destroy before start reports onClose after start', async () => {
    const { client, server, s } = await pair({ protocol: 'tcp', host: '127.0.0.1', port: 0 }, false);
    const c = new Sink();
    client.start(c);
    server.destroy();
    await c.closed;
    server.start(s);
    await s.closed;
    expect(s.closes).toBe(1);
    expect(c.closes).toBe(1);
  });

  it('interop: node:net client -> uring listener', async () => {
    let gotServer!: (s: Stream) => void;
    const accepted = new Promise<Stream>((r) => (gotServer = r));
    const l = await t.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 }, (s) => gotServer(s));
    open.push(l);
    const port = Number(l.endpoint.split(':').pop());
    const sock = net.connect({ host: '127.0.0.1', port });
    const got: Buffer[] = [];
    sock.on('data', (d) => got.push(d));
    const ended = new Promise<void>((r) => sock.on('close', () => r()));
    const server = await accepted;
    const s = new Sink();
    server.start(s);
    const up = payload(1 << 20);
    sock.write(up);
    await s.untilBytes(up.length);
    expect(s.data().equals(up)).toBe(true);
    const down = payload(1 << 20);
    server.write(splitRandom(down, 10_000));
    server.end();
    sock.on('end', () => sock.end());
    await Promise.all([ended, s.closed]);
    expect(Buffer.concat(got).equals(down)).toBe(true);
    expect(s.closeError).toBeUndefined();
  });

  it.each(['ipc', 'tcp'] as const)('interop: uring client -> node:net server (%s), then peer reset', async (kind) => {
    const path = ipcPath();
    const server = net.createServer();
    const conns: net.Socket[] = [];
    const received: Buffer[] = [];
    server.on('connection', (sock) => {
      conns.push(sock);
      sock.on('data', (d) => {
        received.push(d);
        sock.write(d); // echo
      });
      sock.on('error', () => {});
    });
    if (kind === 'ipc') await new Promise<void>((r) => server.listen(path, r));
    else await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const client = await t.connect(
      kind === 'ipc' ? { protocol: 'ipc', path } : { protocol: 'tcp', host: '127.0.0.1', port: (server.address() as net.AddressInfo).port },
    );
    const c = new Sink();
    client.start(c);
    const data = payload(3 << 20);
    await writeAll(client, c, splitRandom(data, 5_000), 32);
    await c.untilBytes(data.length);
    expect(c.data().equals(data)).toBe(true);
    if (kind === 'tcp') {
      conns[0]!.resetAndDestroy(); // RST: an abnormal close
      const err = await c.closed;
      expect(err).toBeInstanceOf(Error);
      expect((err as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    } else {
      conns[0]!.destroy(); // orderly close by the peer: a clean close here
      expect(await c.closed).toBeUndefined();
    }
    expect(c.closes).toBe(1);
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('200 concurrent connections echo independently', async () => {
    const N = 200;
    const l = await t.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 }, (server) => {
      const sink = {
        onData: (chunk: Buffer, transient?: boolean) => void server.write([transient === true ? Buffer.from(chunk) : chunk]),
        onDrain: () => {},
        onClose: () => {},
      };
      server.start(sink);
    });
    open.push(l);
    const port = Number(l.endpoint.split(':').pop());
    const clients = await Promise.all(Array.from({ length: N }, () => t.connect({ protocol: 'tcp', host: '127.0.0.1', port })));
    const sinks = clients.map((cl) => {
      const sk = new Sink();
      cl.start(sk);
      return sk;
    });
    const msgs = clients.map((cl, i) => {
      const m = Buffer.from(`client ${i} `.repeat(50 + i));
      cl.write([m.subarray(0, 7), m.subarray(7)]);
      return m;
    });
    await Promise.all(sinks.map((sk, i) => sk.untilBytes(msgs[i]!.length)));
    sinks.forEach((sk, i) => expect(sk.data().equals(msgs[i]!)).toBe(true));
    clients.forEach((cl) => cl.end());
    await Promise.all(sinks.map((sk) => sk.closed));
    sinks.forEach((sk) => expect(sk.closes).toBe(1));
    await l.close();
  }, 30_000);

  it('releases every native socket once streams and listeners are closed', async () => {
    await Promise.all(open.splice(0).map((l) => l.close()));
    await sleep(50);
    expect(nativeSockets()).toBe(0);
  });
});
