import { describe, expect, it } from 'vitest';
import { ZmqError } from '@monocoque/core';
import { Peer } from '@monocoque/peer';
import { endpoint, expectCode, handshakes, RawSocket, socketTracker, withTimeout } from '@monocoque/test-support';

const track = socketTracker();
const peer = (o: ConstructorParameters<typeof Peer>[0] = {}) => track(new Peer({ linger: 0, ...o }));

describe('PEER', () => {
  for (const kind of ['inproc', 'tcp', 'ipc'] as const) {
    it(`connectPeer returns a routing id to send to before the peer spoke, over ${kind}`, async () => {
      const a = peer();
      await a.bind(endpoint(kind, 'p2p'));
      const b = peer();
      const toA = b.connectPeer(a.lastEndpoint!);
      expect(Number.isInteger(toA) && toA > 0 && toA <= 0xffffffff).toBe(true);
      await b.send('hello', { routingId: toA });
      const [hello, { routingId: toB }] = await withTimeout(a.receive(), 2000, 'a receive');
      expect(String(hello)).toBe('hello');
      expect(toB).toBeGreaterThan(0);
      await a.send('hi back', { routingId: toB });
      const [back, from] = await withTimeout(b.receive(), 2000, 'b receive');
      expect(String(back)).toBe('hi back');
      expect(from.routingId).toBe(toA);
    });
  }

  it('connects to several peers, each with its own id, and routes by it', async () => {
    const hub = peer();
    const ps = [peer(), peer(), peer()];
    const ids: number[] = [];
    for (const p of ps) {
      await p.bind(endpoint('tcp', 'many'));
      ids.push(hub.connectPeer(p.lastEndpoint!));
    }
    expect(new Set(ids).size).toBe(3);
    for (const [i, id] of ids.entries()) await hub.send(`to ${i}`, { routingId: id });
    for (const [i, p] of ps.entries()) {
      const [payload, { routingId }] = await withTimeout(p.receive(), 2000, `peer ${i}`);
      expect(String(payload)).toBe(`to ${i}`);
      await p.send(`from ${i}`, { routingId });
    }
    const seen = new Map<number, string>();
    for (let i = 0; i < 3; i++) {
      const [payload, { routingId }] = await withTimeout(hub.receive(), 2000, 'hub receive');
      seen.set(routingId, String(payload));
    }
    for (const [i, id] of ids.entries()) expect(seen.get(id)).toBe(`from ${i}`);
  });

  it('EHOSTUNREACH for an unknown id, EINVAL for multipart, EFAULT for connectPeer with immediate', async () => {
    const a = peer();
    await expectCode(a.send('x', { routingId: 7 }), 'EHOSTUNREACH');
    const id = a.connectPeer(endpoint('inproc', 'nobody'));
    await expectCode(a.send(['a', 'b'], { routingId: id }), 'EINVAL');
    const b = peer({ immediate: true });
    await expectCode(() => b.connectPeer('tcp://127.0.0.1:1'), 'EFAULT');
    expect(a.type).toBe('PEER');
  });

  it('drops a multipart message from the wire, whole', async () => {
    const a = peer();
    await a.bind(endpoint('tcp', 'multi'));
    const raw = track(new RawSocket('PEER', { linger: 0 }));
    const up = handshakes(a, 1);
    raw.connect(a.lastEndpoint!);
    await up;
    raw.writeTo(0, ['a', 'b']);
    raw.writeTo(0, ['single']);
    const [payload] = await withTimeout(a.receive(), 2000, 'receive');
    expect(String(payload)).toBe('single');
  });

  it('a connectPeer routing id survives a reconnection, and messages sent meanwhile queue on it', async () => {
    const ep = endpoint('ipc', 'reconnect');
    let a = peer();
    await a.bind(ep);
    const b = peer({ reconnectInterval: 20 });
    const toA = b.connectPeer(ep);
    await b.send('first', { routingId: toA });
    expect(String((await withTimeout(a.receive(), 2000, 'first'))[0])).toBe('first');
    const gone = b.events.once('disconnect');
    const ended = a.events.once('end');
    a.close();
    await withTimeout(Promise.all([gone, ended]), 2000, 'disconnect, and our listener closed');
    await b.send('while away', { routingId: toA }); // queues on the pipe
    a = peer();
    await a.bind(ep);
    const [payload, { routingId: toB }] = await withTimeout(a.receive(), 3000, 'after reconnect');
    expect(String(payload)).toBe('while away');
    await a.send('back', { routingId: toB });
    const [, from] = await withTimeout(b.receive(), 2000, 'reply');
    expect(from.routingId).toBe(toA);
  });
});
