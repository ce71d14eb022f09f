import { describe, expect, it } from 'vitest';
import { ZmqError } from '@monocoque/core';
import { Pull, Push } from '@monocoque/pipeline';
import { endpoint, expectCode, handshakes, socketTracker, stillPending, str, withTimeout } from '@monocoque/test-support';

const track = socketTracker();
const push = (o: ConstructorParameters<typeof Push>[0] = {}) => track(new Push({ linger: 0, ...o }));
const pull = (o: ConstructorParameters<typeof Pull>[0] = {}) => track(new Pull({ linger: 0, ...o }));
/** The first frame of each message of a receiveMany() batch, after checking it has no holes. */
const dense = (batch: Buffer[][]): string[] => {
  expect(Object.keys(batch), 'a dense array (no holes)').toHaveLength(batch.length);
  return batch.map((m) => m[0]!.toString());
};

describe('PUSH -> PULL', () => {
  for (const kind of ['inproc', 'tcp', 'ipc'] as const) {
    it(`delivers multipart messages in order over ${kind}`, async () => {
      const p = pull();
      await p.bind(endpoint(kind, 'pp'));
      const s = push();
      s.connect(p.lastEndpoint!);
      for (let i = 0; i < 100; i++) await s.send([String(i), '', Buffer.alloc(i)]);
      for (let i = 0; i < 100; i++) {
        const m = await withTimeout(p.receive(), 2000, `message ${i}`);
        expect(m.length).toBe(3);
        expect(m[0]!.toString()).toBe(String(i));
        expect(m[1]!.length).toBe(0);
        expect(m[2]!.length).toBe(i);
      }
    });
  }

  it('PUSH waits (never drops) while there is no peer; sendTimeout bounds the wait', async () => {
    const s = push();
    const waiting = s.send('kept');
    expect(await stillPending(waiting)).toBe(true);
    const p = pull();
    const ep = endpoint('inproc', 'late');
    await p.bind(ep);
    s.connect(ep);
    await withTimeout(waiting, 2000, 'send');
    expect(str(await p.receive())).toEqual(['kept']);

    const lonely = push({ sendTimeout: 30 });
    await expectCode(lonely.send('x'), 'EAGAIN');
    lonely.sendTimeout = 0;
    await expectCode(lonely.send('x'), 'EAGAIN');
  });

  it('PUSH round-robins evenly over peers', async () => {
    const s = push();
    await s.bind(endpoint('tcp', 'rr'));
    const pulls = [pull(), pull(), pull()];
    const ready = handshakes(s, 3);
    for (const p of pulls) p.connect(s.lastEndpoint!);
    await ready;
    for (let i = 0; i < 300; i++) await s.send(String(i));
    const counts = await Promise.all(
      pulls.map(async (p) => {
        const got: number[] = [];
        for (let i = 0; i < 100; i++) got.push(Number((await withTimeout(p.receive(), 2000, 'receive'))[0]!.toString()));
        return got;
      }),
    );
    // Strict round-robin: each peer gets every third message, in order.
    const sets = counts.map((c) => c[0]! % 3);
    expect(new Set(sets).size).toBe(3);
    for (const c of counts) for (let i = 1; i < c.length; i++) expect(c[i]! - c[i - 1]!).toBe(3);
  });

  it('PUSH skips a peer whose queue is full and waits only when all are full', async () => {
    const s = push({ sendHighWaterMark: 2 });
    await s.bind(endpoint('inproc', 'full'));
    const slow = pull({ receiveHighWaterMark: 2 }); // never reads: inproc limit 4
    const fast = pull({ receiveHighWaterMark: 2 });
    slow.connect(s.lastEndpoint!);
    fast.connect(s.lastEndpoint!);
    const received: string[] = [];
    const reading = (async () => {
      for (;;) received.push((await fast.receive())[0]!.toString());
    })().catch(() => {});
    for (let i = 0; i < 50; i++) await withTimeout(s.send(String(i)), 2000, `send ${i}`);
    await new Promise((r) => setTimeout(r, 20));
    expect(received.length).toBe(46); // 4 went to the slow peer before it filled up
    // Now make the fast one full too: sends wait, then resume when the slow one reads.
    fast.close();
    await new Promise((r) => setTimeout(r, 10));
    const blocked = s.send('blocked');
    expect(await stillPending(blocked)).toBe(true);
    const first = await slow.receive();
    expect(first[0]!.toString()).toBe('0');
    await withTimeout(blocked, 2000, 'unblocked send');
    void reading;
  });

  it('PULL fair-queues several pushers', async () => {
    const p = pull();
    await p.bind(endpoint('inproc', 'fq'));
    const pushers = [push(), push(), push()];
    for (const s of pushers) s.connect(p.lastEndpoint!);
    for (let n = 0; n < 20; n++) for (const [i, s] of pushers.entries()) if (n < 10 || i === 0) await s.send(`${i}:${n}`);
    const got: string[] = [];
    for (let k = 0; k < 40; k++) got.push((await withTimeout(p.receive(), 2000, 'receive'))[0]!.toString());
    // Pusher 0 queued 20, the others 10: one from each in turn, then only pusher 0's.
    for (let k = 0; k < 30; k += 3) expect(new Set(got.slice(k, k + 3).map((m) => m[0])).size).toBe(3);
    expect(got.slice(30).every((m) => m.startsWith('0:'))).toBe(true);
    for (const i of [0, 1, 2]) {
      const mine = got.filter((m) => m.startsWith(`${i}:`)).map((m) => Number(m.slice(2)));
      expect(mine).toEqual([...mine].sort((a, b) => a - b));
    }
  });

  it('receiveMany() hands over what is queued, at most max, in order, as a dense array', async () => {
    const p = pull();
    await p.bind(endpoint('inproc', 'many'));
    const s = push();
    s.connect(p.lastEndpoint!);
    for (let i = 0; i < 50; i++) await s.send(String(i));
    expect(dense(await p.receiveMany(10))).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));
    expect(dense(await p.receiveMany(0))).toEqual(['10']); // always at least one
    expect(dense(await p.receiveMany())).toEqual(Array.from({ length: 39 }, (_, i) => String(i + 11)));
    // Nothing queued: waits for the next message.
    const waiting = p.receiveMany();
    expect(await stillPending(waiting)).toBe(true);
    await s.send('late');
    expect(dense(await withTimeout(waiting, 2000, 'receiveMany'))).toEqual(['late']);
  });

  for (const kind of ['tcp', 'ipc'] as const) {
    it(`receiveMany() over ${kind} from two pushers: every message once, each pusher's in order`, async () => {
      const p = pull();
      await p.bind(endpoint(kind, 'many2'));
      const senders = [push(), push()];
      for (const s of senders) s.connect(p.lastEndpoint!);
      await handshakes(p, 2);
      const N = 2000;
      const sent = senders.map(async (s, k) => {
        for (let i = 0; i < N; i++) s.write([`${k}:${i}`]);
        await s.flush();
      });
      const next = [0, 0];
      for (let got = 0; got < 2 * N; ) {
        const batch = await withTimeout(p.receiveMany(), 2000, `messages after ${got}`);
        for (const body of dense(batch)) {
          const [k, i] = body.split(':').map(Number);
          expect(i).toBe(next[k!]);
          next[k!]!++;
        }
        got += batch.length;
      }
      await Promise.all(sent);
      expect(next).toEqual([N, N]);
    });
  }

  it('PUSH cannot receive and PULL cannot send: ENOTSUP', async () => {
    const s = push();
    const p = pull();
    await expectCode(s.receive(), 'ENOTSUP');
    await expectCode(s.receiveMany(), 'ENOTSUP');
    await expectCode(p.send('x'), 'ENOTSUP');
    await expectCode(() => p.write('x'), 'ENOTSUP');
    expect(s.readable).toBe(false);
  });

  it('refuses incompatible peers in the handshake', async () => {
    const a = push();
    await a.bind(endpoint('tcp', 'incompat'));
    const b = push();
    const refused = b.events.once('handshake:error:protocol');
    b.connect(a.lastEndpoint!);
    expect((await withTimeout(refused, 2000, 'handshake:error:protocol')).error?.code).toBe('ENOCOMPATPROTO');
  });
});
