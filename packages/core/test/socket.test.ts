// Socket-base behaviour over real tcp, ipc and inproc connections.
import { afterEach, describe, expect, it } from 'vitest';
import { ZmqError, encodeGreeting, encodeReady } from '@monocoque/zmtp';
import { TestSocket, ipcEndpoint, nextEvent, rawConnect, sleep, tracker } from './helpers.js';

const t = tracker();
afterEach(() => t.closeAll());

async function boundPair(endpoint: string, a: ConstructorParameters<typeof TestSocket>[0] = {}, b = a) {
  const server = t.add(new TestSocket(a));
  await server.bind(endpoint);
  const client = t.add(new TestSocket(b));
  client.connect(server.lastEndpoint!);
  return { server, client };
}

describe.each([
  ['tcp', () => 'tcp://127.0.0.1:*'],
  ['ipc', ipcEndpoint],
  ['inproc', () => `inproc://core-${Math.random()}`],
])('%s', (_name, endpoint) => {
  it('delivers multipart messages both ways, in order', async () => {
    const { server, client } = await boundPair(endpoint());
    for (let i = 0; i < 100; i++) void client.send([`m${i}`, Buffer.alloc(i)]);
    for (let i = 0; i < 100; i++) {
      const [a, b] = await server.receive();
      expect(a!.toString()).toBe(`m${i}`);
      expect(b!.length).toBe(i);
    }
    await server.send('back');
    expect((await client.receive())[0]!.toString()).toBe('back');
  });

  it('queues sends made before any peer exists and delivers them in order', async () => {
    const server = t.add(new TestSocket());
    const client = t.add(new TestSocket());
    const ep = endpoint();
    const sends = [client.send('one'), client.send('two'), client.send('three')];
    await sleep(20);
    if (ep.startsWith('inproc')) {
      client.connect(ep);
      await server.bind(ep);
    } else {
      await server.bind(ep);
      client.connect(server.lastEndpoint!);
    }
    await Promise.all(sends);
    const got = [await server.receive(), await server.receive(), await server.receive()].map((m) => m[0]!.toString());
    expect(got).toEqual(['one', 'two', 'three']);
  });

  it('close() rejects a pending receive with EAGAIN (as zeromq.js), ends for-await, and later calls get EBADF', async () => {
    const { client } = await boundPair(endpoint());
    const pending = client.receive();
    const iterated = (async () => {
      let n = 0;
      for await (const _ of client) n++;
      return n;
    })();
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'EAGAIN', message: expect.stringContaining('closed') });
    expect(await iterated).toBe(0);
    await expect(client.send('x')).rejects.toMatchObject({ code: 'EBADF' });
  });

  it('a full peer makes send wait instead of dropping (send HWM)', async () => {
    const { server, client } = await boundPair(endpoint(), { sendHighWaterMark: 5, receiveHighWaterMark: 5 });
    await client.send('hello');
    await server.receive();
    const payload = Buffer.alloc(256 * 1024);
    let accepted = 0;
    const total = 400;
    const sending = (async () => {
      for (let i = 0; i < total; i++) {
        await client.send(payload);
        accepted++;
      }
    })();
    await sleep(200);
    // Nobody reads: only a bounded number of messages can be in flight.
    expect(accepted).toBeLessThan(total);
    for (let i = 0; i < total; i++) await server.receive();
    await sending;
    expect(accepted).toBe(total);
  });
});

describe('timeouts', () => {
  it('sendTimeout rejects with EAGAIN when no peer can take the message', async () => {
    const s = t.add(new TestSocket({ sendTimeout: 50 }));
    await expect(s.send('x')).rejects.toMatchObject({ code: 'EAGAIN' });
  });
  it('receiveTimeout rejects with EAGAIN', async () => {
    const s = t.add(new TestSocket({ receiveTimeout: 50 }));
    await expect(s.receive()).rejects.toMatchObject({ code: 'EAGAIN', message: expect.stringMatching(/50 ms/) });
  });
  it('sendTimeout 0 fails at once', async () => {
    const s = t.add(new TestSocket({ sendTimeout: 0 }));
    await expect(s.send('x')).rejects.toMatchObject({ code: 'EAGAIN' });
  });
});

describe('endpoints and events', () => {
  it('bind reports the real port and events name the peer', async () => {
    const server = t.add(new TestSocket());
    const seen: string[] = [];
    server.events.on('*', (e) => seen.push(e.type));
    await server.bind('tcp://127.0.0.1:*');
    expect(server.lastEndpoint).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    const handshake = nextEvent(server, ['handshake']);
    const client = t.add(new TestSocket());
    client.connect(server.lastEndpoint!);
    const e = await handshake;
    expect(e.address).toBe(server.lastEndpoint);
    expect(e.peer?.address).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(e.peer?.socketType).toBe('DEALER');
    const disconnect = nextEvent(server, ['disconnect']);
    client.close();
    await disconnect;
    expect(seen).toEqual(['bind', 'accept', 'handshake', 'disconnect']);
  });

  it('binding the same address twice fails with EADDRINUSE', async () => {
    const a = t.add(new TestSocket());
    await a.bind('tcp://127.0.0.1:*');
    const b = t.add(new TestSocket());
    await expect(b.bind(a.lastEndpoint!)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    const ep = ipcEndpoint();
    await a.bind(ep);
    await expect(b.bind(ep)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await a.bind('inproc://dup');
    await expect(b.bind('inproc://dup')).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('connect throws synchronously on a bad endpoint', () => {
    const s = t.add(new TestSocket());
    expect(() => s.connect('tcp://nohost')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => s.connect('pgm://x')).toThrow(expect.objectContaining({ code: 'EPROTONOSUPPORT' }));
  });

  it('connects before the peer binds, and reconnects after it restarts', async () => {
    const probe = t.add(new TestSocket());
    await probe.bind('tcp://127.0.0.1:*');
    const ep = probe.lastEndpoint!;
    probe.close();
    await sleep(20);
    const client = t.add(new TestSocket({ reconnectInterval: 20 }));
    client.connect(ep);
    const retry = await nextEvent(client, ['connect:retry']);
    // libzmq's interval plus a random jitter of up to one interval.
    expect(retry.interval).toBeGreaterThanOrEqual(20);
    expect(retry.interval).toBeLessThan(40);
    let server = t.add(new TestSocket());
    await server.bind(ep);
    await client.send('first');
    expect((await server.receive())[0]!.toString()).toBe('first');
    server.close();
    await nextEvent(client, ['disconnect']);
    server = t.add(new TestSocket());
    await server.bind(ep);
    await client.send('second');
    expect((await server.receive())[0]!.toString()).toBe('second');
  });

  it('unbind closes the listener and its connections', async () => {
    const { server, client } = await boundPair('tcp://127.0.0.1:*');
    await client.send('x');
    await server.receive();
    const gone = nextEvent(client, ['disconnect']);
    await server.unbind(server.lastEndpoint!);
    await gone;
    await expect(server.unbind('tcp://127.0.0.1:1')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('a leftover file at an IPC path is replaced (as libzmq does); a live listener is not', async () => {
    const ep = ipcEndpoint();
    const { writeFileSync } = await import('node:fs');
    writeFileSync(ep.slice('ipc://'.length), '');
    const s = t.add(new TestSocket());
    await s.bind(ep);
    const client = t.add(new TestSocket());
    client.connect(ep);
    await client.send('through');
    expect((await s.receive())[0]!.toString()).toBe('through');
    const other = t.add(new TestSocket());
    await expect(other.bind(ep)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('inproc refuses incompatible socket types', async () => {
    const pub = t.add(new TestSocket({}, 'PUB'));
    await pub.bind('inproc://mismatch');
    const dealer = t.add(new TestSocket());
    const refused = nextEvent(dealer, ['handshake:error:protocol']);
    dealer.connect('inproc://mismatch');
    expect((await refused).error?.code).toBe('ENOCOMPATPROTO');
    expect(dealer.peerCount).toBe(0);
  });
});

describe('liveness', () => {
  const greeting = () => [
    encodeGreeting({ mechanism: 'NULL', asServer: false }),
    encodeReady([
      ['Socket-Type', Buffer.from('DEALER')],
      ['Identity', Buffer.alloc(0)],
    ]),
  ];

  it('a peer that never completes the handshake is dropped after handshakeInterval', async () => {
    const server = t.add(new TestSocket({ handshakeInterval: 100 }));
    await server.bind('tcp://127.0.0.1:*');
    const failed = nextEvent(server, ['handshake:error:other']);
    const raw = await rawConnect(server.lastEndpoint!);
    t.add({ close: () => raw.destroy() });
    raw.write(greeting()[0]!); // greeting only, no READY
    expect((await failed).error?.code).toBe('ETIMEDOUT');
  });

  it('heartbeats: PINGs go out, and a silent peer is dropped after heartbeatTimeout', async () => {
    const server = t.add(new TestSocket({ heartbeatInterval: 50, heartbeatTimeout: 200 }));
    await server.bind('tcp://127.0.0.1:*');
    const raw = await rawConnect(server.lastEndpoint!);
    t.add({ close: () => raw.destroy() });
    const received: Buffer[] = [];
    raw.on('data', (d: Buffer) => received.push(d));
    for (const b of greeting()) raw.write(b);
    const dropped = await nextEvent(server, ['disconnect']);
    expect(dropped.error?.code).toBe('ETIMEDOUT');
    expect(Buffer.concat(received).includes(Buffer.from('\x04PING'))).toBe(true);
  });

  it('a peer that answers PINGs stays connected', async () => {
    const { server, client } = await boundPair('tcp://127.0.0.1:*', { heartbeatInterval: 30, heartbeatTimeout: 120 });
    await client.send('x');
    await server.receive();
    let disconnected = false;
    server.events.on('disconnect', () => (disconnected = true));
    await sleep(400);
    expect(disconnected).toBe(false);
    await client.send('still here');
    expect((await server.receive())[0]!.toString()).toBe('still here');
  });
});

describe('fairness', () => {
  class DropSocket extends TestSocket {
    protected override sendMessage(): boolean {
      return true; // never blocks, like a PUB with no subscriber
    }
  }

  it('a loop of sends that never block still lets the event loop run', async () => {
    const s = t.add(new DropSocket());
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    let sent = 0;
    while (!timerRan && sent < 100_000) {
      await s.send('x');
      sent++;
    }
    expect(timerRan).toBe(true);
    expect(sent).toBeLessThan(100_000);
  });

  it('flush() lets the event loop run', async () => {
    const s = t.add(new DropSocket());
    let immediateRan = false;
    setImmediate(() => (immediateRan = true));
    s.write('x');
    await s.flush();
    expect(immediateRan).toBe(true);
  });
});

describe('batching API errors', () => {
  class FailAfterFirst extends TestSocket {
    private calls = 0;
    protected override sendMessage(frames: Buffer[]): boolean {
      this.calls++;
      if (this.calls === 1) return false; // first attempt: no room, so write() queues
      if (frames[0]!.toString() === 'bad') throw new ZmqError('EHOSTUNREACH', 'no such peer');
      return true;
    }
    kick(): void {
      this.wakeSenders();
    }
  }

  it('an error met by a queued write() is reported by the next flush()', async () => {
    const s = t.add(new FailAfterFirst());
    expect(s.write('bad')).toBe(false);
    expect(s.write('good')).toBe(false);
    const flushed = s.flush();
    s.kick();
    await expect(flushed).rejects.toMatchObject({ code: 'EHOSTUNREACH' });
    await expect(s.flush()).resolves.toBeUndefined();
  });
});

describe('pattern errors on receive', () => {
  class ThrowingReceive extends TestSocket {
    protected override receiveMessage(): undefined {
      throw new ZmqError('EFSM', 'pattern refuses');
    }
  }

  it('receive() and for-await reject instead of throwing synchronously', async () => {
    const s = t.add(new ThrowingReceive());
    await expect(s.receive()).rejects.toMatchObject({ code: 'EFSM' });
    const it = s[Symbol.asyncIterator]();
    let next: Promise<unknown> | undefined;
    expect(() => (next = it.next())).not.toThrow();
    await expect(next).rejects.toMatchObject({ code: 'EFSM' });
  });
});

describe('fairness', () => {
  it('a loop of awaited receive() over queued messages lets timers run', async () => {
    const ep = `inproc://fair-${Math.random()}`;
    const server = t.add(new TestSocket({ receiveHighWaterMark: 0 }));
    await server.bind(ep);
    const client = t.add(new TestSocket({ sendHighWaterMark: 0 }));
    client.connect(ep);
    // Enough backlog to outlast the scheduler's time budget (YIELD_AFTER_MS) many times over.
    const total = 100_000;
    for (let i = 0; i < total; i++) client.write(String(i));
    await client.flush();
    let receivedWhenTimerFired = -1;
    let received = 0;
    setTimeout(() => (receivedWhenTimerFired = received), 0);
    while (received < total) {
      await server.receive();
      received++;
    }
    // The timer ran in the middle of the backlog, not after it.
    expect(receivedWhenTimerFired).toBeGreaterThan(0);
    expect(receivedWhenTimerFired).toBeLessThan(total);
  });
});

describe('inproc connect before bind', () => {
  it('has its pipe at once: sends complete before the name is bound, and arrive after (libzmq >= 4)', async () => {
    const ep = `inproc://early-${Math.random()}`;
    const client = t.add(new TestSocket({ routingId: 'early-client' }));
    client.connect(ep);
    expect(client.writable).toBe(true);
    let sent = 0;
    for (let i = 0; i < 3; i++) await client.send(`early-${i}`).then(() => sent++);
    expect(sent).toBe(3);
    const server = t.add(new TestSocket());
    const shook = nextEvent(client, ['handshake']);
    await server.bind(ep);
    expect((await shook).peer?.socketType).toBe('DEALER');
    const got = [await server.receive(), await server.receive(), await server.receive()].map((m) => m[0]!.toString());
    expect(got).toEqual(['early-0', 'early-1', 'early-2']);
    await server.send('back');
    expect((await client.receive())[0]!.toString()).toBe('back');
  });

  it('stops at the send high-water mark while the name is unbound', async () => {
    const client = t.add(new TestSocket({ sendHighWaterMark: 2, sendTimeout: 0 }));
    client.connect(`inproc://early-hwm-${Math.random()}`);
    await client.send('1');
    await client.send('2');
    await expect(client.send('3')).rejects.toMatchObject({ code: 'EAGAIN' });
  });
});
