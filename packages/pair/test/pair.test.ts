import { describe, expect, it } from 'vitest';
import { Pair } from '@monocoque/pair';
import { endpoint, handshakes, RawSocket, socketTracker, stillPending, str, withTimeout } from '@monocoque/test-support';

const track = socketTracker();
const pair = (o: ConstructorParameters<typeof Pair>[0] = {}) => track(new Pair({ linger: 0, ...o }));

describe('PAIR', () => {
  for (const kind of ['inproc', 'tcp', 'ipc'] as const) {
    it(`exchanges multipart messages both ways over ${kind}`, async () => {
      const a = pair();
      await a.bind(endpoint(kind, 'pair'));
      const b = pair();
      b.connect(a.lastEndpoint!);
      for (let i = 0; i < 10; i++) {
        await b.send([`ping ${i}`, '', 'x']);
        expect(str(await withTimeout(a.receive(), 2000, 'a receive'))).toEqual([`ping ${i}`, '', 'x']);
        await a.send(`pong ${i}`);
        expect(str(await withTimeout(b.receive(), 2000, 'b receive'))).toEqual([`pong ${i}`]);
      }
    });
  }

  it('send waits (never drops) while there is no peer', async () => {
    const a = pair();
    const sent = a.send('early');
    expect(await stillPending(sent)).toBe(true);
    expect(a.connected).toBe(false);
    const b = pair();
    const ep = endpoint('tcp', 'wait');
    await b.bind(ep);
    a.connect(b.lastEndpoint!);
    await withTimeout(sent, 2000, 'send');
    expect(a.connected).toBe(true);
    expect(str(await withTimeout(b.receive(), 2000, 'receive'))).toEqual(['early']);
  });

  it('refuses a second peer over tcp; the second gets in once the first has gone', async () => {
    const a = pair();
    await a.bind(endpoint('tcp', 'second'));
    const first = pair();
    const ready = handshakes(a, 1);
    first.connect(a.lastEndpoint!);
    await ready;
    const second = pair({ reconnectInterval: 20 });
    const refused = second.events.once('disconnect');
    second.connect(a.lastEndpoint!);
    await withTimeout(refused, 2000, 'second peer dropped');
    await first.send('from first');
    expect(str(await withTimeout(a.receive(), 2000, 'receive'))).toEqual(['from first']);
    await a.send('to first');
    expect(str(await withTimeout(first.receive(), 2000, 'first receive'))).toEqual(['to first']);
    // The second keeps being refused (each attempt ends in a disconnect) until the first leaves.
    await withTimeout(second.events.once('disconnect'), 2000, 'second refused again');
    const attached = handshakes(a, 1);
    first.close();
    await attached;
    await second.send('from second');
    expect(str(await withTimeout(a.receive(), 2000, 'receive'))).toEqual(['from second']);
    await a.send('to second');
    expect(str(await withTimeout(second.receive(), 2000, 'second receive'))).toEqual(['to second']);
  });

  it('refuses a second peer over inproc', async () => {
    const a = pair();
    await a.bind(endpoint('inproc', 'second'));
    const first = pair();
    first.connect(a.lastEndpoint!);
    const second = pair();
    second.connect(a.lastEndpoint!);
    expect(second.connected).toBe(false);
    const blocked = second.send('lost?');
    expect(await stillPending(blocked)).toBe(true);
    await first.send('ok');
    expect(str(await withTimeout(a.receive(), 2000, 'receive'))).toEqual(['ok']);
    await a.send('back');
    expect(str(await withTimeout(first.receive(), 2000, 'first receive'))).toEqual(['back']);
  });

  it('refuses incompatible peers in the handshake', async () => {
    const a = pair();
    await a.bind(endpoint('tcp', 'incompat'));
    // Only PAIR is compatible: a socket announcing another type is refused.
    const r = track(new RawSocket('PUSH', { linger: 0 }));
    const refused = r.events.once('handshake:error:protocol');
    r.connect(a.lastEndpoint!);
    expect((await withTimeout(refused, 2000, 'handshake:error:protocol')).error?.code).toBe('ENOCOMPATPROTO');
  });
});
