/**
 * Monocoque RADIO/DISH (RFC 48, libzmq draft sockets) against real libzmq 4.3.5 (npm
 * `zeromq` 6.8's `zeromq/draft`) in a separate process, over TCP and IPC, both bind
 * directions, both ways round.
 *
 * Checked on the wire against libzmq: our RADIO's [group + MORE, body] frames are what
 * libzmq's DISH session accepts; our DISH's JOIN/LEAVE commands are what libzmq's RADIO
 * session understands; exact group matching, the empty and the longest (255-byte) group,
 * joins re-sent on reconnection in both directions, and a RADIO that drops for a dish
 * at its high-water mark instead of waiting.
 *
 * Slow joiner: a join reaches a radio some time after `join()`. When our side sends, tests
 * wait until our radio's `groupCount` shows it; when libzmq sends, it sends probes until
 * the first one arrives, then the probes are drained.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Dish, Radio } from '@monocoque/radiodish';
import { spawnZmqPeer, type PeerSocket } from './helpers/peer.js';
import { bindEndpoint, type Transport } from './helpers/endpoints.js';
import { Scope, sleep, withTimeout } from './helpers/util.js';

const scope = new Scope();
afterEach(() => scope.cleanup());

/** Poll until `cond()` holds, bounded. */
async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

/** Next message on our dish as [group, body] strings. */
async function recvGroup(dish: Dish, ms = 5000): Promise<[string, string]> {
  const [body, { group }] = await withTimeout(dish.receive(), ms, 'our Dish.receive');
  return [group.toString(), body.toString()];
}

/** Everything our dish has within `ms` of quiet, as [group, body] strings. */
async function drainOurs(dish: Dish, ms = 150): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (;;) {
    const end = Date.now() + ms;
    while (!dish.readable && Date.now() < end) await sleep(5);
    if (!dish.readable) return out;
    out.push(await recvGroup(dish));
  }
}

/** The libzmq radio sends probes to `group` until our dish gets one; then the probes are drained. */
async function joinFromPeer(radio: PeerSocket, dish: Dish, group: string): Promise<void> {
  const end = Date.now() + 5000;
  for (;;) {
    await radio.sendGroup('probe', group);
    await sleep(20);
    if (dish.readable) break;
    if (Date.now() > end) throw new Error(`no probe to group ${group} reached our dish within 5 s (slow joiner)`);
  }
  await sleep(50);
  for (const [g, body] of await drainOurs(dish, 50)) expect([g, body]).toEqual([group, 'probe']);
}

const LONGEST = 'L'.repeat(255);

describe.each<Transport>(['tcp', 'ipc'])('RADIO/DISH interop with libzmq over %s', (transport) => {
  it('our Radio binds, libzmq DISH connects: exact groups, the empty and the 255-byte group, binary bodies', async () => {
    const radio = scope.track(new Radio({ linger: 0 }));
    await radio.bind(bindEndpoint(transport));
    const peer = await spawnZmqPeer();
    const dish = await peer.socket('DISH', { linger: 0 });
    await dish.join('A', '', LONGEST);
    await dish.connect(radio.lastEndpoint!);
    await until(() => radio.groupCount === 3, 'the three libzmq JOINs');
    const body = Buffer.from([0x00, 0xff, 0x01, 0x80]);
    await radio.send('for AB', { group: 'AB' });
    await radio.send(body, { group: 'A' });
    await radio.send('for B', { group: 'B' });
    await radio.send('for nothing', { group: '' });
    await radio.send(Buffer.alloc(300, 0x5a), { group: Buffer.from(LONGEST) });
    const got = await dish.receiveGroup(3, 5000);
    expect(got[0]!.group.toString()).toBe('A');
    expect(got[0]!.body.equals(body)).toBe(true);
    expect([got[1]!.group.toString(), got[1]!.body.toString()]).toEqual(['', 'for nothing']);
    expect(got[2]!.group.toString()).toBe(LONGEST);
    expect(got[2]!.body.equals(Buffer.alloc(300, 0x5a))).toBe(true);
    expect(await dish.receiveGroupUpTo(1, 150)).toEqual([]);
  });

  it('libzmq DISH binds, our Radio connects; libzmq LEAVE stops delivery', async () => {
    const peer = await spawnZmqPeer();
    const dish = await peer.socket('DISH', { linger: 0 });
    const ep = await dish.bind(bindEndpoint(transport));
    await dish.join('news', 'sport');
    // libzmq's DISH is a thread-safe socket: it attaches a new peer (and sends it the JOINs)
    // only while it processes commands, i.e. while a receive is pending.
    const receiving = dish.receiveGroup(2, 8000);
    const radio = scope.track(new Radio({ linger: 0 }));
    radio.connect(ep);
    await until(() => radio.groupCount === 2, 'the JOINs of the bound libzmq dish');
    await radio.send('1', { group: 'news' });
    await radio.send('2', { group: 'sport' });
    const got = await receiving;
    expect(got.map((m) => [m.group.toString(), m.body.toString()])).toEqual([
      ['news', '1'],
      ['sport', '2'],
    ]);
    await dish.leave('news');
    await until(() => radio.groupCount === 1, 'the libzmq LEAVE');
    await radio.send('3', { group: 'news' });
    await radio.send('4', { group: 'sport' });
    const after = await dish.receiveGroup(1, 5000);
    expect([after[0]!.group.toString(), after[0]!.body.toString()]).toEqual(['sport', '4']);
    expect(await dish.receiveGroupUpTo(1, 150)).toEqual([]);
  });

  it('libzmq RADIO binds, our Dish connects: exact matching, and our LEAVE reaches libzmq', async () => {
    const peer = await spawnZmqPeer();
    const radio = await peer.socket('RADIO', { linger: 0 });
    const ep = await radio.bind(bindEndpoint(transport));
    const dish = scope.track(new Dish());
    dish.join('A', Buffer.from([0xfe, 0x01]));
    dish.connect(ep);
    await joinFromPeer(radio, dish, 'A');
    await radio.sendGroup('for AB', 'AB');
    await radio.sendGroup('for the prefix', '');
    await radio.sendGroup('binary group', Buffer.from([0xfe, 0x01]));
    await radio.sendGroup('for A', 'A');
    const [body, { group }] = await withTimeout(dish.receive(), 5000, 'our dish');
    expect(group.equals(Buffer.from([0xfe, 0x01]))).toBe(true);
    expect(body.toString()).toBe('binary group');
    expect(await drainOurs(dish)).toEqual([['A', 'for A']]);
    // After our LEAVE, libzmq's radio stops sending to us: nothing arrives (we would drop it
    // locally too, so the probe is a group we still hold, sent after the leave).
    dish.leave('A');
    await sleep(100);
    await radio.sendGroup('after leave', 'A');
    await radio.sendGroup('marker', Buffer.from([0xfe, 0x01]));
    const [marker, meta] = await withTimeout(dish.receive(), 5000, 'the marker');
    expect([meta.group.equals(Buffer.from([0xfe, 0x01])), marker.toString()]).toEqual([true, 'marker']);
    expect(await drainOurs(dish)).toEqual([]);
  });

  it('libzmq RADIO connects, our Dish binds', async () => {
    const dish = scope.track(new Dish());
    await dish.bind(bindEndpoint(transport));
    dish.join('g');
    const peer = await spawnZmqPeer();
    const radio = await peer.socket('RADIO', { linger: 0 });
    await radio.connect(dish.lastEndpoint!);
    await joinFromPeer(radio, dish, 'g');
    await radio.sendGroup('x', 'h');
    await radio.sendGroup('y', 'g');
    expect(await drainOurs(dish)).toEqual([['g', 'y']]);
  });

  it('a libzmq DISH re-sends its joins to our restarted Radio', async () => {
    const radio1 = scope.track(new Radio({ linger: 0 }));
    await radio1.bind(bindEndpoint(transport));
    const ep = radio1.lastEndpoint!;
    const peer = await spawnZmqPeer();
    const dish = await peer.socket('DISH', { linger: 0, reconnectInterval: 20 });
    await dish.join('R');
    await dish.connect(ep);
    await until(() => radio1.groupCount === 1, 'the first JOIN');
    radio1.close();
    await sleep(100);
    // A pending receive lets libzmq's thread-safe DISH process the reconnection (see above).
    const receiving = dish.receiveGroup(1, 8000);
    const radio2 = scope.track(new Radio({ linger: 0 }));
    await radio2.bind(ep);
    await until(() => radio2.groupCount === 1, 'the JOIN re-sent by libzmq on reconnection');
    await radio2.send('again', { group: 'R' });
    const [m] = await receiving;
    expect([m!.group.toString(), m!.body.toString()]).toEqual(['R', 'again']);
  });

  it('our Dish re-sends its joins to a restarted libzmq RADIO', async () => {
    const peer = await spawnZmqPeer();
    const radio1 = await peer.socket('RADIO', { linger: 0 });
    const ep = await radio1.bind(bindEndpoint(transport));
    const dish = scope.track(new Dish({ reconnectInterval: 20 }));
    dish.join('R');
    dish.connect(ep);
    await joinFromPeer(radio1, dish, 'R');
    await radio1.close();
    await sleep(100);
    const radio2 = await peer.socket('RADIO', { linger: 0 });
    await radio2.bind(ep);
    await joinFromPeer(radio2, dish, 'R');
    await radio2.sendGroup('after restart', 'R');
    expect(await drainOurs(dish)).toEqual([['R', 'after restart']]);
  });
});

describe('RADIO/DISH with libzmq: flow control and errors', () => {
  it('our Radio drops for a libzmq dish at its HWM and never waits', async () => {
    const radio = scope.track(new Radio({ linger: 0, sendHighWaterMark: 10, sendTimeout: 0 }));
    await radio.bind('tcp://127.0.0.1:*');
    const peer = await spawnZmqPeer();
    const dish = await peer.socket('DISH', { linger: 0, receiveHighWaterMark: 10 });
    await dish.join('g');
    await dish.connect(radio.lastEndpoint!);
    await until(() => radio.groupCount === 1, 'the libzmq JOIN');
    const big = Buffer.alloc(64 * 1024, 7);
    const n = 1000;
    for (let i = 0; i < n; i++) await radio.send(big, { group: 'g' }); // sendTimeout 0: rejects if it would wait
    let received = 0;
    for (;;) {
      const got = await dish.receiveGroupUpTo(200, 500);
      if (got.length === 0) break;
      received += got.length;
    }
    expect(received).toBeGreaterThan(0);
    expect(received).toBeLessThan(n);
  });

  it('libzmq refuses what we refuse: join twice, leave not joined, a 256-byte group (EINVAL)', async () => {
    const peer = await spawnZmqPeer();
    const dish = await peer.socket('DISH', { linger: 0 });
    await dish.join('a');
    await expect(dish.join('a')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(dish.leave('b')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(dish.join('x'.repeat(256))).rejects.toMatchObject({ code: 'EINVAL' });
    await dish.join(LONGEST);
    const ours = scope.track(new Dish());
    ours.join('a');
    expect(() => ours.join('a')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => ours.leave('b')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => ours.join('x'.repeat(256))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    ours.join(LONGEST);
  });

  it('a libzmq RADIO refuses multipart, as ours does (EINVAL)', async () => {
    const peer = await spawnZmqPeer();
    const radio = await peer.socket('RADIO', { linger: 0 });
    await expect(radio.sendGroup(['a', 'b'], 'g')).rejects.toMatchObject({ code: 'EINVAL' });
    const ours = scope.track(new Radio());
    await expect(ours.send(['a', 'b'], { group: 'g' })).rejects.toMatchObject({ code: 'EINVAL' });
  });
});
