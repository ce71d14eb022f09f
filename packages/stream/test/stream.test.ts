// STREAM against plain node:net peers on loopback: raw bytes, notifications, routing ids,
// closing a connection with an empty frame, EHOSTUNREACH, reconnects, IPC.
import { type AddressInfo, type Server, type Socket as NetSocket, connect as netConnect, createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Stream } from '@monocoque/stream';
import { endpoint, socketTracker, stillPending, str, withTimeout } from '@monocoque/test-support';

const track = socketTracker();
const stream = (o: ConstructorParameters<typeof Stream>[0] = {}) => track(new Stream({ linger: 0, ...o }));

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

/** A node:net client to `ep` (tcp://host:port or ipc://path), with everything it reads collected. */
async function client(ep: string): Promise<{ sock: NetSocket; data: () => string; closed: Promise<void> }> {
  const sock = ep.startsWith('ipc://') ? netConnect(ep.slice('ipc://'.length)) : netConnect(Number(ep.split(':').pop()), '127.0.0.1');
  cleanups.push(() => sock.destroy());
  let data = '';
  sock.on('data', (d: Buffer) => (data += d.toString()));
  sock.on('error', () => {});
  const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
  await withTimeout(new Promise<void>((resolve) => sock.once('connect', () => resolve())), 3000, `node:net connect to ${ep}`);
  return { sock, data: () => data, closed };
}

/** A node:net server on loopback; each connection is handed to `onConnection`. */
async function server(onConnection: (sock: NetSocket) => void): Promise<{ srv: Server; port: number; conns: NetSocket[] }> {
  const conns: NetSocket[] = [];
  const srv = createServer((sock) => {
    conns.push(sock);
    sock.on('error', () => {});
    onConnection(sock);
  });
  cleanups.push(() => {
    for (const c of conns) c.destroy();
    srv.close();
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  return { srv, port: (srv.address() as AddressInfo).port, conns };
}

const recv = (s: Stream, what: string, ms = 3000) => withTimeout(s.receive(), ms, what);

/** Collect event types of `s` from now on. */
function eventLog(s: Stream): Array<{ type: string; code?: string }> {
  const log: Array<{ type: string; code?: string }> = [];
  void (async () => {
    for await (const e of s.events) log.push('error' in e && e.error ? { type: e.type, code: e.error.code } : { type: e.type });
  })();
  return log;
}

async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('STREAM (bound, node:net clients)', () => {
  it('serves an HTTP-like request: connect notification, raw request, raw response, close by empty frame', async () => {
    const s = stream();
    const events = eventLog(s);
    await s.bind('tcp://127.0.0.1:*');
    const c = await client(s.lastEndpoint!);

    const [id, hello] = await recv(s, 'connect notification');
    expect(id!.length).toBe(5);
    expect(id![0]).toBe(0);
    expect(hello!.length).toBe(0);

    c.sock.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    let request = '';
    while (!request.endsWith('\r\n\r\n')) {
      const [rid, chunk] = await recv(s, 'request bytes');
      expect(rid!.equals(id!)).toBe(true);
      request += chunk!.toString();
    }
    expect(request).toBe('GET / HTTP/1.1\r\nHost: x\r\n\r\n');

    await s.send([id!, 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n']);
    await s.send([id!, 'hello']);
    await s.send([id!, '']); // close this connection
    await withTimeout(c.closed, 3000, 'the client to see the connection close');
    expect(c.data()).toBe('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello');

    // Closed by us: no notification, no disconnect event (libzmq reports neither), and the id is gone.
    s.receiveTimeout = 150;
    await expect(s.receive()).rejects.toMatchObject({ code: 'EAGAIN' });
    expect(events.map((e) => e.type)).toEqual(['bind', 'accept']);
    await expect(s.send([id!, 'late'])).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
  });

  it('a close by empty frame comes after everything sent before it, however large', async () => {
    const s = stream();
    await s.bind('tcp://127.0.0.1:*');
    const c = await client(s.lastEndpoint!);
    let bytes = 0;
    c.sock.removeAllListeners('data');
    c.sock.on('data', (d: Buffer) => (bytes += d.length));
    const [id] = await recv(s, 'connect notification');
    const body = Buffer.alloc(4 * 1024 * 1024, 1);
    await s.send([id!, body]);
    await s.send([id!, body]);
    await s.send([id!, '']);
    await withTimeout(c.closed, 5000, 'the client to read 8 MiB and see the close');
    expect(bytes).toBe(2 * body.length);
  });

  it('unbind closes the accepted connections; close() ends them too', async () => {
    const s = stream();
    await s.bind('tcp://127.0.0.1:*');
    const ep = s.lastEndpoint!;
    const a = await client(ep);
    await recv(s, 'notification of a');
    await s.unbind(ep);
    await withTimeout(a.closed, 3000, 'unbind to close the accepted connection');
    const t = stream();
    await t.bind('tcp://127.0.0.1:*');
    const b = await client(t.lastEndpoint!);
    await recv(t, 'notification of b');
    t.close();
    await withTimeout(b.closed, 3000, 'close() to end the accepted connection');
  });

  it('notifies a peer close with an empty frame, reports EPIPE then disconnect, and forgets the id', async () => {
    const s = stream();
    const events = eventLog(s);
    await s.bind('tcp://127.0.0.1:*');
    const c = await client(s.lastEndpoint!);
    const [id] = await recv(s, 'connect notification');
    c.sock.end('bye');
    const frames: string[] = [];
    for (;;) {
      const [rid, data] = await recv(s, 'data or disconnect notification');
      expect(rid!.equals(id!)).toBe(true);
      if (data!.length === 0) break;
      frames.push(data!.toString());
    }
    expect(frames.join('')).toBe('bye');
    await until(() => events.some((e) => e.type === 'disconnect'), 'disconnect event');
    expect(events).toEqual([{ type: 'bind' }, { type: 'accept' }, { type: 'handshake:error:other', code: 'EPIPE' }, { type: 'disconnect', code: 'EPIPE' }]);
    await expect(s.send([id!, 'x'])).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
  });

  it('with notify off delivers only data', async () => {
    const s = stream({ notify: false });
    expect(s.notify).toBe(false);
    await s.bind('tcp://127.0.0.1:*');
    const c = await client(s.lastEndpoint!);
    c.sock.write('abc');
    const [id, data] = await recv(s, 'data');
    expect(data!.toString()).toBe('abc');
    await s.send([id!, 'xyz']);
    await until(() => c.data() === 'xyz', 'the client to read xyz');
    c.sock.end();
    await withTimeout(c.closed, 3000, 'client close');
    s.receiveTimeout = 150;
    await expect(s.receive()).rejects.toMatchObject({ code: 'EAGAIN' });
  });

  it('gives each connection its own id and routes replies by it', async () => {
    const s = stream();
    expect(s.notify).toBe(true);
    await s.bind('tcp://127.0.0.1:*');
    const clients = [await client(s.lastEndpoint!), await client(s.lastEndpoint!), await client(s.lastEndpoint!)];
    const ids: Buffer[] = [];
    for (let i = 0; i < 3; i++) ids.push((await recv(s, `notification ${i}`))[0]!);
    expect(new Set(ids.map((x) => x.toString('hex'))).size).toBe(3);
    for (const [i, c] of clients.entries()) c.sock.write(`client ${i}`);
    for (let i = 0; i < 3; i++) {
      const [id, data] = await recv(s, `request ${i}`);
      await s.send([id!, `echo ${data!.toString()}`]);
    }
    for (const [i, c] of clients.entries()) await until(() => c.data() === `echo client ${i}`, `client ${i} to get its echo`);
  });

  it('rejects unknown ids with EHOSTUNREACH and a one-frame message with EINVAL; sends only the second frame', async () => {
    const s = stream();
    await s.bind('tcp://127.0.0.1:*');
    await expect(s.send(['nobody', 'x'])).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
    await expect(s.send(['only-one-frame'])).rejects.toMatchObject({ code: 'EINVAL' });
    const c = await client(s.lastEndpoint!);
    const [id] = await recv(s, 'connect notification');
    await s.send([id!, 'a', 'b']);
    await s.send([id!, 'c']);
    await until(() => c.data() === 'ac', 'the client to read "ac"');
  });

  it('refuses inproc endpoints', async () => {
    const s = stream();
    await expect(s.bind('inproc://stream-x')).rejects.toMatchObject({ code: 'EPROTONOSUPPORT' });
    expect(() => s.connect('inproc://stream-x')).toThrow(expect.objectContaining({ code: 'EPROTONOSUPPORT' }));
  });

  it('works over IPC', async () => {
    const s = stream();
    await s.bind(endpoint('ipc', 'stream'));
    const c = await client(s.lastEndpoint!);
    const [id] = await recv(s, 'connect notification');
    c.sock.write('over ipc');
    expect(str(await recv(s, 'ipc data'))[1]).toBe('over ipc');
    await s.send([id!, 'reply']);
    await until(() => c.data() === 'reply', 'the ipc client to read the reply');
  });

  it('pauses reading past the receive high-water mark and resumes as the app reads', async () => {
    const s = stream({ receiveHighWaterMark: 4, notify: false });
    await s.bind('tcp://127.0.0.1:*');
    const c = await client(s.lastEndpoint!);
    const chunk = Buffer.alloc(64 * 1024, 7);
    const total = 64 * chunk.length;
    for (let i = 0; i < 64; i++) c.sock.write(chunk);
    let got = 0;
    while (got < total) got += (await recv(s, `bytes ${got}/${total}`))[1]!.length;
    expect(got).toBe(total);
  });
});

describe('STREAM (connecting, node:net servers)', () => {
  it('connect with a routingId: messages queue before the connection, the id survives reconnects', async () => {
    const { port, conns } = await server((sock) => sock.write(`hi ${conns.length}`));
    const received: string[] = [];
    const seen = () => conns.length;
    const s = stream({ reconnectInterval: 20 });
    const events = eventLog(s);
    s.connect(`tcp://127.0.0.1:${port}`, { routingId: 'web' });
    await s.send(['web', 'early']); // queued on the connection's pipe
    expect(str(await recv(s, 'connect notification'))).toEqual(['web', '']);
    expect(str(await recv(s, 'greeting'))).toEqual(['web', 'hi 1']);
    await until(() => seen() === 1, 'the server to accept');
    conns[0]!.on('data', (d: Buffer) => received.push(d.toString()));
    await until(() => received.join('') === 'early', 'the server to read the early message');

    conns[0]!.destroy();
    expect(str(await recv(s, 'disconnect notification'))).toEqual(['web', '']);
    expect(str(await recv(s, 'reconnect notification'))).toEqual(['web', '']);
    expect(str(await recv(s, 'second greeting'))).toEqual(['web', 'hi 2']);
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['connect:delay', 'connect']);
    expect(types).toContain('connect:retry');
    expect(types).not.toContain('handshake');
  });

  it('a duplicate connect routingId is refused; a generated id is 5 bytes from 0x00', async () => {
    const { port } = await server(() => {});
    const s = stream();
    s.connect(`tcp://127.0.0.1:${port}`, { routingId: 'dup' });
    expect(() => s.connect(`tcp://localhost:${port}`, { routingId: 'dup' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    const { port: port2 } = await server(() => {});
    s.connect(`tcp://127.0.0.1:${port2}`);
    const ids = new Set<string>();
    ids.add((await recv(s, 'first notification'))[0]!.toString('latin1'));
    ids.add((await recv(s, 'second notification'))[0]!.toString('latin1'));
    expect(ids.has('dup')).toBe(true);
    const generated = [...ids].find((x) => x !== 'dup')!;
    expect(generated.length).toBe(5);
    expect(generated.charCodeAt(0)).toBe(0);
  });

  it('closing a connected peer with an empty frame does not reconnect', async () => {
    const { port, conns } = await server(() => {});
    const s = stream({ reconnectInterval: 20 });
    s.connect(`tcp://127.0.0.1:${port}`, { routingId: 'once' });
    await recv(s, 'connect notification');
    await until(() => conns.length === 1, 'the server to accept');
    const closed = new Promise<void>((resolve) => conns[0]!.on('close', () => resolve()));
    conns[0]!.on('data', () => {});
    await s.send(['once', 'last words']);
    await s.send(['once', '']);
    await withTimeout(closed, 3000, 'the server side to close');
    await new Promise((r) => setTimeout(r, 150)); // several reconnect intervals
    expect(conns.length).toBe(1);
    await expect(s.send(['once', 'x'])).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
  });

  it('a send waits while the peer is over its send high-water mark', async () => {
    const { port, conns } = await server((sock) => sock.pause());
    const s = stream({ sendHighWaterMark: 2, notify: false });
    s.connect(`tcp://127.0.0.1:${port}`, { routingId: 'slow' });
    await until(() => conns.length === 1, 'the server to accept');
    const big = Buffer.alloc(1024 * 1024);
    let blocked: Promise<void> | undefined;
    for (let i = 0; i < 200; i++) {
      const p = s.send(['slow', big]);
      if (await stillPending(p, 20)) {
        blocked = p;
        break;
      }
    }
    expect(blocked, 'a send should wait once the pipe is full').toBeDefined();
    conns[0]!.resume();
    await withTimeout(blocked!, 5000, 'the waiting send to complete once the server reads');
  });
});
