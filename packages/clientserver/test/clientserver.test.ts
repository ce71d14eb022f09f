import { describe, expect, it } from 'vitest';
import { ZmqError } from '@monocoque/core';
import { Client, Server } from '@monocoque/clientserver';
import { endpoint, expectCode, handshakes, RawSocket, socketTracker, stillPending, withTimeout } from '@monocoque/test-support';

const track = socketTracker();
const server = (o: ConstructorParameters<typeof Server>[0] = {}) => track(new Server({ linger: 0, ...o }));
const client = (o: ConstructorParameters<typeof Client>[0] = {}) => track(new Client({ linger: 0, ...o }));

describe('CLIENT <-> SERVER', () => {
  for (const kind of ['inproc', 'tcp', 'ipc'] as const) {
    it(`gives each client its own non-zero routing id and routes replies by it over ${kind}`, async () => {
      const s = server();
      await s.bind(endpoint(kind, 'cs'));
      const c1 = client();
      const c2 = client();
      c1.connect(s.lastEndpoint!);
      c2.connect(s.lastEndpoint!);
      await c1.send('from 1');
      await c2.send('from 2');
      const ids = new Map<string, number>();
      for (let i = 0; i < 2; i++) {
        const [payload, meta] = await withTimeout(s.receive(), 2000, 'server receive');
        expect(Number.isInteger(meta.routingId) && meta.routingId > 0 && meta.routingId <= 0xffffffff).toBe(true);
        ids.set(payload.toString(), meta.routingId);
      }
      expect(ids.get('from 1')).not.toBe(ids.get('from 2'));
      await s.send('to 2', { routingId: ids.get('from 2')! });
      await s.send('to 1', { routingId: ids.get('from 1')! });
      expect((await withTimeout(c1.receive(), 2000, 'c1 receive')).map(String)).toEqual(['to 1']);
      expect((await withTimeout(c2.receive(), 2000, 'c2 receive')).map(String)).toEqual(['to 2']);
      // The id stays the same for the life of the pipe.
      await c1.send('again');
      const [, again] = await withTimeout(s.receive(), 2000, 'server receive again');
      expect(again.routingId).toBe(ids.get('from 1'));
    });
  }

  it('SERVER refuses an unknown routing id with EHOSTUNREACH and a missing one with EINVAL', async () => {
    const s = server();
    await s.bind(endpoint('inproc', 'unknown'));
    expect(s.writable).toBe(true); // as libzmq's SERVER: whether a send completes depends on its peer
    await expectCode(s.send('x', { routingId: 12345 }), 'EHOSTUNREACH');
    await expectCode(s.send('x', { routingId: 0 }), 'EHOSTUNREACH');
    await expectCode(s.send('x', undefined as never), 'EINVAL');
    await expectCode(s.send('x', { routingId: -1 }), 'EINVAL');
    await expectCode(s.send('x', { routingId: 2 ** 32 }), 'EINVAL');
    expect(() => s.write('x', { routingId: 12345 })).toThrow(ZmqError);
  });

  it('SERVER: a send to a peer that goes away while waiting fails with EHOSTUNREACH', async () => {
    const s = server({ sendHighWaterMark: 1 });
    await s.bind(endpoint('inproc', 'gone'));
    const c = client({ receiveHighWaterMark: 1 });
    c.connect(s.lastEndpoint!);
    await c.send('hi');
    const [, { routingId }] = await withTimeout(s.receive(), 2000, 'server receive');
    let waiting: Promise<void> | undefined;
    for (let i = 0; i < 100 && waiting === undefined; i++) {
      const p = s.send(`m${i}`, { routingId });
      if (await stillPending(p, 20)) waiting = p;
    }
    expect(waiting, 'a SERVER send to a full peer should wait, not fail or drop').toBeDefined();
    c.close();
    await expectCode(withTimeout(waiting!, 2000, 'waiting send'), 'EHOSTUNREACH');
  });

  it('SERVER waits at the high-water mark of a peer and completes once it reads', async () => {
    const s = server({ sendHighWaterMark: 1 });
    await s.bind(endpoint('inproc', 'hwm'));
    const c = client({ receiveHighWaterMark: 1 });
    c.connect(s.lastEndpoint!);
    await c.send('hi');
    const [, { routingId }] = await withTimeout(s.receive(), 2000, 'server receive');
    let sent = 0;
    let waiting: Promise<void> | undefined;
    for (let i = 0; i < 100 && waiting === undefined; i++) {
      const p = s.send(String(i), { routingId });
      if (await stillPending(p, 20)) waiting = p;
      else sent++;
    }
    expect(waiting).toBeDefined();
    for (let i = 0; i <= sent; i++) expect(String((await withTimeout(c.receive(), 2000, `receive ${i}`))[0])).toBe(String(i));
    await withTimeout(waiting!, 2000, 'the waiting send completes');
  });

  it('refuses multipart sends with EINVAL on both sides', async () => {
    const s = server();
    const c = client();
    await expectCode(c.send(['a', 'b']), 'EINVAL');
    expect(() => c.write(['a', 'b'])).toThrow(/single-part/);
    await expectCode(s.send(['a', 'b'], { routingId: 1 }), 'EINVAL');
  });

  it('drops a multipart message that arrives from the wire, whole', async () => {
    const s = server();
    await s.bind(endpoint('tcp', 'multi'));
    const raw = track(new RawSocket('CLIENT', { linger: 0 }));
    const up = handshakes(s, 1);
    raw.connect(s.lastEndpoint!);
    await up;
    raw.writeTo(0, ['part 1', 'part 2']);
    raw.writeTo(0, ['single']);
    const [payload, { routingId }] = await withTimeout(s.receive(), 2000, 'server receive');
    expect(String(payload)).toBe('single');
    await s.send('reply', { routingId });
    const [, frames] = await raw.receiveFrom();
    expect(frames.map(String)).toEqual(['reply']);

    const c = client();
    await c.bind(endpoint('ipc', 'multi-client'));
    const raw2 = track(new RawSocket('SERVER', { linger: 0 }));
    const up2 = handshakes(c, 1);
    raw2.connect(c.lastEndpoint!);
    await up2;
    raw2.writeTo(0, ['x', 'y', 'z']);
    raw2.writeTo(0, ['ok']);
    expect((await withTimeout(c.receive(), 2000, 'client receive')).map(String)).toEqual(['ok']);
  });

  it('CLIENT round-robins over servers; SERVER fair-queues clients', async () => {
    const c = client();
    const servers = [server(), server()];
    for (const s of servers) {
      await s.bind(endpoint('tcp', 'rr'));
    }
    const up = handshakes(c, 2);
    for (const s of servers) c.connect(s.lastEndpoint!);
    await up;
    for (let i = 0; i < 10; i++) await c.send(String(i));
    for (const [n, s] of servers.entries()) {
      const got: string[] = [];
      for (let i = 0; i < 5; i++) got.push(String((await withTimeout(s.receive(), 2000, `server ${n}`))[0]));
      expect(got).toEqual([0, 2, 4, 6, 8].map((x) => String(x + n)));
    }

    const s = server();
    await s.bind(endpoint('inproc', 'fq'));
    const a = client();
    const b = client();
    a.connect(s.lastEndpoint!);
    b.connect(s.lastEndpoint!);
    for (let i = 0; i < 3; i++) a.write(`a${i}`);
    for (let i = 0; i < 3; i++) b.write(`b${i}`);
    await Promise.all([a.flush(), b.flush()]);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) order.push(String((await withTimeout(s.receive(), 2000, 'fq receive'))[0]));
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  it('CLIENT waits while there is no server; sendTimeout bounds the wait', async () => {
    const c = client();
    const waiting = c.send('kept');
    expect(await stillPending(waiting)).toBe(true);
    const s = server();
    const ep = endpoint('inproc', 'late');
    await s.bind(ep);
    c.connect(ep);
    await withTimeout(waiting, 2000, 'send');
    expect(String((await s.receive())[0])).toBe('kept');
    const lonely = client({ sendTimeout: 30 });
    await expectCode(lonely.send('x'), 'EAGAIN');
  });

  it('announces its type, is sealed, and refuses CLIENT<->CLIENT', async () => {
    const s = server();
    const c = client();
    expect(s.type).toBe('SERVER');
    expect(c.type).toBe('CLIENT');
    expect(() => {
      (s as unknown as Record<string, unknown>).lingr = 0;
    }).toThrow(TypeError);
    expect(() => new Server({ mandatory: true } as never)).toThrow(ZmqError);
    await c.bind(endpoint('tcp', 'cc'));
    const other = client();
    const refused = other.events.once('handshake:error:protocol');
    other.connect(c.lastEndpoint!);
    expect((await withTimeout(refused, 2000, 'handshake:error:protocol')).error?.code).toBe('ENOCOMPATPROTO');
  });
});
