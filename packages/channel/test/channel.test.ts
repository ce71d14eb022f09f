import { describe, expect, it } from 'vitest';
import { ZmqError } from '@monocoque/core';
import { Channel } from '@monocoque/channel';
import { endpoint, handshakes, RawSocket, socketTracker, stillPending, withTimeout } from '@monocoque/test-support';

const track = socketTracker();
const channel = (o: ConstructorParameters<typeof Channel>[0] = {}) => track(new Channel({ linger: 0, ...o }));

describe('CHANNEL', () => {
  for (const kind of ['inproc', 'tcp', 'ipc'] as const) {
    it(`exchanges single-part messages both ways over ${kind}`, async () => {
      const a = channel();
      await a.bind(endpoint(kind, 'channel'));
      const b = channel();
      b.connect(a.lastEndpoint!);
      for (let i = 0; i < 10; i++) {
        await b.send(`ping ${i}`);
        expect((await withTimeout(a.receive(), 2000, 'a receive')).map(String)).toEqual([`ping ${i}`]);
        await a.send(`pong ${i}`);
        expect((await withTimeout(b.receive(), 2000, 'b receive')).map(String)).toEqual([`pong ${i}`]);
      }
    });
  }

  it('refuses multipart sends with EINVAL', async () => {
    const a = channel();
    let error: unknown;
    try {
      await a.send(['a', 'b']);
    } catch (e) {
      error = e;
    }
    expect((error as ZmqError).code).toBe('EINVAL');
    expect(a.type).toBe('CHANNEL');
  });

  it('waits (never drops) while there is no peer, and refuses a second peer', async () => {
    const a = channel();
    const sent = a.send('early');
    expect(await stillPending(sent)).toBe(true);
    const b = channel();
    await b.bind(endpoint('tcp', 'wait'));
    a.connect(b.lastEndpoint!);
    await withTimeout(sent, 2000, 'send');
    expect((await withTimeout(b.receive(), 2000, 'receive')).map(String)).toEqual(['early']);
    expect(b.connected).toBe(true);

    const c = channel();
    const closed = c.events.once('disconnect');
    c.connect(b.lastEndpoint!);
    await withTimeout(closed, 3000, 'second peer disconnected');
    await a.send('still a');
    expect((await withTimeout(b.receive(), 2000, 'receive')).map(String)).toEqual(['still a']);
  });

  it('drops a multipart message from the wire, whole', async () => {
    const a = channel();
    await a.bind(endpoint('ipc', 'multi'));
    const raw = track(new RawSocket('CHANNEL', { linger: 0 }));
    const up = handshakes(a, 1);
    raw.connect(a.lastEndpoint!);
    await up;
    raw.writeTo(0, ['a', 'b', 'c']);
    raw.writeTo(0, ['single']);
    expect((await withTimeout(a.receive(), 2000, 'receive')).map(String)).toEqual(['single']);
  });
});
