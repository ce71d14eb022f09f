import { describe, expect, it } from 'vitest';
import { ZmqError } from '@monocoque/core';
import { Gather, Scatter } from '@monocoque/scattergather';
import { endpoint, expectCode, handshakes, RawSocket, socketTracker, stillPending, withTimeout } from '@monocoque/test-support';

const track = socketTracker();
const scatter = (o: ConstructorParameters<typeof Scatter>[0] = {}) => track(new Scatter({ linger: 0, ...o }));
const gather = (o: ConstructorParameters<typeof Gather>[0] = {}) => track(new Gather({ linger: 0, ...o }));

describe('SCATTER -> GATHER', () => {
  for (const kind of ['inproc', 'tcp', 'ipc'] as const) {
    it(`delivers single-part messages in order over ${kind}`, async () => {
      const g = gather();
      await g.bind(endpoint(kind, 'sg'));
      const s = scatter();
      s.connect(g.lastEndpoint!);
      for (let i = 0; i < 50; i++) await s.send(`m${i}`);
      for (let i = 0; i < 50; i++) {
        const m = await withTimeout(g.receive(), 2000, `message ${i}`);
        expect(m.length).toBe(1);
        expect(String(m[0])).toBe(`m${i}`);
      }
    });
  }

  it('SCATTER refuses multipart with EINVAL and cannot receive; GATHER cannot send', async () => {
    const s = scatter();
    const g = gather();
    await expectCode(s.send(['a', 'b']), 'EINVAL');
    await expectCode(s.receive(), 'ENOTSUP');
    await expectCode(g.send('x'), 'ENOTSUP');
    expect(s.type).toBe('SCATTER');
    expect(g.type).toBe('GATHER');
    expect(() => new Scatter({ conflate: true })).toThrow(ZmqError);
  });

  it('SCATTER round-robins over gathers; GATHER fair-queues scatters', async () => {
    const s = scatter();
    await s.bind(endpoint('tcp', 'rr'));
    const gs = [gather(), gather(), gather()];
    const up = handshakes(s, 3);
    for (const g of gs) g.connect(s.lastEndpoint!);
    await up;
    for (let i = 0; i < 9; i++) await s.send(String(i));
    const per = await Promise.all(
      gs.map(async (g, n) => {
        const got: string[] = [];
        for (let i = 0; i < 3; i++) got.push(String((await withTimeout(g.receive(), 2000, `gather ${n}`))[0]));
        return got;
      }),
    );
    // Each gather got every third message: an even spread, in order.
    expect(per.map((g) => g.length)).toEqual([3, 3, 3]);
    expect(per.flat().sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8']);
    for (const got of per) expect(Number(got[1]) - Number(got[0])).toBe(3);

    const g = gather();
    await g.bind(endpoint('inproc', 'fq'));
    const a = scatter();
    const b = scatter();
    a.connect(g.lastEndpoint!);
    b.connect(g.lastEndpoint!);
    for (let i = 0; i < 3; i++) a.write(`a${i}`);
    for (let i = 0; i < 3; i++) b.write(`b${i}`);
    await Promise.all([a.flush(), b.flush()]);
    const order: string[] = [];
    for (let i = 0; i < 6; i++) order.push(String((await withTimeout(g.receive(), 2000, 'fq receive'))[0]));
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
  });

  it('SCATTER waits (never drops) while there is no gather; sendTimeout bounds it', async () => {
    const s = scatter();
    const waiting = s.send('kept');
    expect(await stillPending(waiting)).toBe(true);
    const g = gather();
    const ep = endpoint('inproc', 'late');
    await g.bind(ep);
    s.connect(ep);
    await withTimeout(waiting, 2000, 'send');
    expect(String((await g.receive())[0])).toBe('kept');
    await expectCode(scatter({ sendTimeout: 30 }).send('x'), 'EAGAIN');
  });

  it('GATHER drops a multipart message from the wire, whole', async () => {
    const g = gather();
    await g.bind(endpoint('tcp', 'multi'));
    const raw = track(new RawSocket('SCATTER', { linger: 0 }));
    const up = handshakes(g, 1);
    raw.connect(g.lastEndpoint!);
    await up;
    raw.writeTo(0, ['a', 'b']);
    raw.writeTo(0, ['single']);
    expect((await withTimeout(g.receive(), 2000, 'gather receive')).map(String)).toEqual(['single']);
  });
});
