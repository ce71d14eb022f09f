import { describe, expect, it } from 'vitest';
import { RawSocket, endpoint, handshakes, socketTracker, str, withTimeout } from '@monocoque/test-support';
import { Dish, type DishMessage, GROUP_MAX_LENGTH, Radio } from '../src/index.js';

const track = socketTracker();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(2);
  }
}

function recv(dish: Dish, ms = 2000): Promise<DishMessage> {
  return withTimeout(dish.receive(), ms, 'Dish.receive');
}

/** Everything that arrives until `ms` of quiet, as [group, body] strings (leaves no receive pending). */
async function drain(dish: Dish, ms = 100): Promise<string[][]> {
  const out: string[][] = [];
  for (;;) {
    const end = Date.now() + ms;
    while (!dish.readable && Date.now() < end) await sleep(2);
    if (!dish.readable) return out;
    const [body, { group }] = await dish.receive();
    out.push([group.toString(), body.toString()]);
  }
}

type Transport = 'inproc' | 'tcp' | 'ipc';

async function bindAny(sock: Radio | Dish, transport: Transport): Promise<string> {
  await sock.bind(endpoint(transport, 'radiodish'));
  return sock.lastEndpoint!;
}

describe.each(['inproc', 'tcp', 'ipc'] as const)('RADIO/DISH over %s', (transport) => {
  it('delivers a message only to dishes that joined exactly its group (no prefix matching)', async () => {
    const radio = track(new Radio({ linger: 0 }));
    const ep = await bindAny(radio, transport);
    const dishes = ['A', 'AB', ''].map((g) => {
      const d = track(new Dish());
      d.join(g);
      d.connect(ep);
      return d;
    });
    await waitUntil(() => radio.groupCount === 3, 'three groups joined');
    for (const g of ['A', 'AB', 'ABC', '', 'B']) await radio.send(`to ${g}`, { group: g });
    expect(await drain(dishes[0]!)).toEqual([['A', 'to A']]);
    expect(await drain(dishes[1]!)).toEqual([['AB', 'to AB']]);
    expect(await drain(dishes[2]!)).toEqual([['', 'to ']]);
  });

  it('join/leave change what arrives; a dish that joined nothing gets nothing', async () => {
    const radio = track(new Radio({ linger: 0 }));
    const ep = await bindAny(radio, transport);
    const dish = track(new Dish());
    const none = track(new Dish());
    dish.connect(ep);
    none.connect(ep);
    dish.join('x', 'y');
    await waitUntil(() => radio.groupCount === 2, 'two groups joined');
    await radio.send('1', { group: 'x' });
    await radio.send('2', { group: 'y' });
    expect(await drain(dish)).toEqual([
      ['x', '1'],
      ['y', '2'],
    ]);
    dish.leave('x');
    await waitUntil(() => radio.groupCount === 1, 'x left');
    await radio.send('3', { group: 'x' });
    await radio.send('4', { group: 'y' });
    expect(await drain(dish)).toEqual([['y', '4']]);
    dish.join('x');
    await waitUntil(() => radio.groupCount === 2, 'x joined again');
    await radio.send('5', { group: 'x' });
    expect(await drain(dish)).toEqual([['x', '5']]);
    expect(await drain(none)).toEqual([]);
  });

  it('works with the DISH bound and the RADIO connecting; groups may be bytes', async () => {
    const dish = track(new Dish());
    const ep = await bindAny(dish, transport);
    const group = Buffer.from([0xff, 0x01, 0x80]);
    dish.join(group);
    const radio = track(new Radio({ linger: 0 }));
    radio.connect(ep);
    await waitUntil(() => radio.groupCount === 1, 'the bound dish to send its join');
    await radio.send(Buffer.from('binary'), { group });
    const [body, meta] = await recv(dish);
    expect(body.toString()).toBe('binary');
    expect(meta.group.equals(group)).toBe(true);
  });

  // Not defined for inproc: an inproc peer cannot go away and come back (no reconnection).
  if (transport !== 'inproc') it('a DISH re-sends its joins when the RADIO comes back', async () => {
    const radio1 = track(new Radio({ linger: 0 }));
    const ep = await bindAny(radio1, transport);
    const dish = track(new Dish({ reconnectInterval: 20 }));
    dish.join('R', 'S');
    dish.connect(ep);
    await waitUntil(() => radio1.groupCount === 2, 'first joins');
    dish.leave('S');
    await waitUntil(() => radio1.groupCount === 1, 'S left');
    radio1.close();
    await sleep(50);
    const radio2 = track(new Radio({ linger: 0 }));
    await radio2.bind(ep);
    await waitUntil(() => radio2.groupCount === 1, 're-sent join');
    await radio2.send('again', { group: 'R' });
    await radio2.send('not joined', { group: 'S' });
    expect(await drain(dish)).toEqual([['R', 'again']]);
  });

  it('a RADIO forgets the groups of a dish that went away', async () => {
    const radio = track(new Radio({ linger: 0 }));
    const ep = await bindAny(radio, transport);
    const dish = new Dish();
    dish.join('gone');
    dish.connect(ep);
    await waitUntil(() => radio.groupCount === 1, 'join');
    dish.close();
    await waitUntil(() => radio.groupCount === 0, 'the group to be forgotten');
  });
});

describe('inproc specifics', () => {
  it('a DISH that connects before the RADIO binds sends its joins once linked', async () => {
    const ep = endpoint('inproc', 'radiodish-early');
    const dish = track(new Dish());
    dish.connect(ep);
    dish.join('early');
    const radio = track(new Radio({ linger: 0 }));
    await radio.bind(ep);
    await waitUntil(() => radio.groupCount === 1, 'the join after linking');
    dish.join('later');
    await waitUntil(() => radio.groupCount === 2, 'a join made after linking');
    radio.write('batched', { group: 'later' });
    await radio.flush();
    expect(await drain(dish)).toEqual([['later', 'batched']]);
  });
});

describe('raw ZMTP peers over TCP', () => {
  it('a RADIO message is the group frame with MORE, then the body', async () => {
    const radio = track(new Radio({ linger: 0 }));
    await radio.bind('tcp://127.0.0.1:*');
    const raw = track(new RawSocket('DISH'));
    const ready = handshakes(raw, 1);
    raw.connect(radio.lastEndpoint!);
    await ready;
    raw.peers[0]!.sendCommand('JOIN', Buffer.from('g'));
    await waitUntil(() => radio.groupCount === 1, 'the raw JOIN');
    await radio.send('body', { group: 'g' });
    await radio.send('other', { group: 'h' });
    const [, frames] = await raw.receiveFrom();
    expect(str(frames)).toEqual(['g', 'body']);
  });

  it('joins are counted per peer, as libzmq: two JOINs need two LEAVEs; a stray LEAVE is ignored', async () => {
    const radio = track(new Radio({ linger: 0 }));
    await radio.bind('tcp://127.0.0.1:*');
    const raw = track(new RawSocket('DISH'));
    const ready = handshakes(raw, 1);
    raw.connect(radio.lastEndpoint!);
    await ready;
    const pipe = raw.peers[0]!;
    pipe.sendCommand('LEAVE', Buffer.from('never'));
    pipe.sendCommand('JOIN', Buffer.from('g'));
    pipe.sendCommand('JOIN', Buffer.from('g'));
    await waitUntil(() => radio.groupCount === 1, 'the joins');
    pipe.sendCommand('LEAVE', Buffer.from('g'));
    await sleep(50);
    expect(radio.groupCount).toBe(1);
    pipe.sendCommand('LEAVE', Buffer.from('g'));
    await waitUntil(() => radio.groupCount === 0, 'the second LEAVE');
  });

  it('a RADIO drops a peer that JOINs a group longer than 255 bytes', async () => {
    const radio = track(new Radio({ linger: 0 }));
    await radio.bind('tcp://127.0.0.1:*');
    const raw = track(new RawSocket('DISH', { reconnectInterval: 10_000 }));
    const ready = handshakes(raw, 1);
    const gone = new Promise<void>((resolve) => raw.events.on('disconnect', () => resolve()));
    raw.connect(radio.lastEndpoint!);
    await ready;
    raw.peers[0]!.sendCommand('JOIN', Buffer.alloc(256, 0x61));
    await withTimeout(gone, 2000, 'the RADIO to drop the peer');
    expect(radio.groupCount).toBe(0);
  });

  it('a DISH drops a peer whose message is not [group, body], and keeps the others', async () => {
    const dish = track(new Dish());
    await dish.bind('tcp://127.0.0.1:*');
    dish.join('g');
    const bad = track(new RawSocket('RADIO', { reconnectInterval: 10_000 }));
    const good = track(new Radio({ linger: 0 }));
    const badReady = handshakes(bad, 1);
    const badGone = new Promise<void>((resolve) => bad.events.on('disconnect', () => resolve()));
    bad.connect(dish.lastEndpoint!);
    good.connect(dish.lastEndpoint!);
    await badReady;
    await waitUntil(() => good.groupCount === 1, 'the good radio to see the join');
    bad.writeTo(0, ['g', 'body', 'extra part']);
    await good.send('fine', { group: 'g' });
    // The bad message is found when it is read (it is never delivered); the good one is.
    const [body, { group }] = await recv(dish);
    expect([group.toString(), body.toString()]).toEqual(['g', 'fine']);
    let dropped = false;
    void badGone.then(() => (dropped = true));
    await waitUntil(() => !dish.readable && dropped, 'the DISH to drop the peer that sent three frames');
    await good.send('still fine', { group: 'g' });
    expect((await recv(dish))[0].toString()).toBe('still fine');
  });

  it('a DISH drops a peer that sends a single-frame message', async () => {
    const dish = track(new Dish());
    await dish.bind('tcp://127.0.0.1:*');
    dish.join('g');
    const bad = track(new RawSocket('RADIO', { reconnectInterval: 10_000 }));
    const ready = handshakes(bad, 1);
    const gone = new Promise<void>((resolve) => bad.events.on('disconnect', () => resolve()));
    bad.connect(dish.lastEndpoint!);
    await ready;
    bad.writeTo(0, ['g']);
    let dropped = false;
    void gone.then(() => (dropped = true));
    await waitUntil(() => !dish.readable && dropped, 'the DISH to drop the peer when it reads the message');
  });
});

describe('protocol errors end the connection for good (as libzmq)', () => {
  it('a connecting DISH does not reconnect to a RADIO that sent a malformed message', async () => {
    const bad = track(new RawSocket('RADIO'));
    await bad.bind('tcp://127.0.0.1:*');
    const dish = track(new Dish({ reconnectInterval: 10 }));
    dish.join('g');
    let handshakesSeen = 0;
    bad.events.on('handshake', () => handshakesSeen++);
    const gone = new Promise<void>((resolve) => bad.events.on('disconnect', () => resolve()));
    dish.connect(bad.lastEndpoint!);
    await waitUntil(() => handshakesSeen === 1, 'the handshake');
    bad.writeTo(0, ['g', 'body', 'extra']);
    let dropped = false;
    void gone.then(() => (dropped = true));
    await waitUntil(() => !dish.readable && dropped, 'the DISH to drop the RADIO');
    await sleep(200); // 20 reconnect intervals
    expect(handshakesSeen).toBe(1);
  });
});

describe('flow control', () => {
  it('a RADIO never waits: a dish over its HWM loses messages, a fast one gets all', async () => {
    const radio = track(new Radio({ linger: 0, sendHighWaterMark: 5 }));
    const ep = endpoint('inproc', 'radiodish-hwm');
    await radio.bind(ep);
    const slow = track(new Dish({ receiveHighWaterMark: 5 }));
    const fast = track(new Dish({ receiveHighWaterMark: 5 }));
    slow.join('g');
    fast.join('g');
    slow.connect(ep);
    fast.connect(ep);
    await waitUntil(() => radio.groupCount === 1, 'joins');
    const got: number[] = [];
    for (let i = 0; i < 100; i++) {
      await radio.send(String(i), { group: 'g' }); // resolves at once, never waits
      got.push(Number((await recv(fast))[0].toString()));
    }
    expect(got).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const slowGot = (await drain(slow, 50)).map((m) => Number(m[1]));
    expect(slowGot).toEqual(Array.from({ length: 10 }, (_, i) => i)); // inproc limit: sndhwm + rcvhwm
  });

  it('a RADIO drops for a dish over its HWM over TCP too, and keeps sending', async () => {
    const radio = track(new Radio({ linger: 0, sendHighWaterMark: 10, sendTimeout: 0 }));
    await radio.bind('tcp://127.0.0.1:*');
    const dish = track(new Dish({ receiveHighWaterMark: 10 }));
    dish.join('g');
    dish.connect(radio.lastEndpoint!);
    await waitUntil(() => radio.groupCount === 1, 'join');
    const big = Buffer.alloc(64 * 1024, 1);
    const n = 2000;
    // Nobody reads: the dish's queue, the kernel buffers and the radio's queue fill up.
    for (let i = 0; i < n; i++) await radio.send(big, { group: 'g' }); // sendTimeout 0: would reject if it ever waited
    let received = 0;
    for (;;) {
      const batch = await drain(dish, 200);
      if (batch.length === 0) break;
      received += batch.length;
    }
    expect(received).toBeLessThan(n);
  });

  it('noDrop waits for room instead of dropping', async () => {
    const radio = track(new Radio({ linger: 0, sendHighWaterMark: 1, noDrop: true, sendTimeout: 200 }));
    const ep = endpoint('inproc', 'radiodish-nodrop');
    await radio.bind(ep);
    const dish = track(new Dish({ receiveHighWaterMark: 1 }));
    dish.join('g');
    dish.connect(ep);
    await radio.send('1', { group: 'g' });
    await radio.send('2', { group: 'g' });
    await expect(radio.send('3', { group: 'g' })).rejects.toMatchObject({ code: 'EAGAIN' });
    const p = radio.send('4', { group: 'g' });
    expect((await recv(dish))[0].toString()).toBe('1');
    await p;
    expect(await drain(dish)).toEqual([
      ['g', '2'],
      ['g', '4'],
    ]);
  });
});

describe('errors (as libzmq 4.3)', () => {
  it('join of a joined group and leave of a group not joined are EINVAL', () => {
    const dish = track(new Dish());
    dish.join('a');
    expect(() => dish.join('a')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => dish.join(Buffer.from('a'))).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => dish.leave('b')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    dish.leave('a');
    expect(() => dish.leave('a')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    // As zeromq.js: groups before the failing one are applied.
    expect(() => dish.join('c', 'c')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(dish.groupCount).toBe(1);
  });

  it('groups are at most 255 bytes and hold no NUL byte', async () => {
    expect(GROUP_MAX_LENGTH).toBe(255);
    const dish = track(new Dish());
    const radio = track(new Radio());
    const longest = 'g'.repeat(255);
    const tooLong = 'g'.repeat(256);
    dish.join(longest);
    dish.leave(longest);
    expect(() => dish.join(tooLong)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => dish.leave(tooLong)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => dish.join('é'.repeat(128))).toThrow(expect.objectContaining({ code: 'EINVAL' })); // 256 UTF-8 bytes
    expect(() => dish.join('a\0b')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    expect(() => dish.join(42 as never)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
    await radio.send('x', { group: longest });
    await expect(radio.send('x', { group: tooLong })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(radio.send('x', { group: 'a\0b' })).rejects.toMatchObject({ code: 'EINVAL' });
  });

  it('a RADIO sends single-part messages with a group only', async () => {
    const radio = track(new Radio());
    await expect(radio.send(['a', 'b'], { group: 'g' })).rejects.toMatchObject({ code: 'EINVAL' });
    await expect((radio.send as (m: string) => Promise<void>)('x')).rejects.toMatchObject({ code: 'EINVAL' });
    await expect(radio.send('x', {} as never)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(() => radio.write(['a', 'b'], { group: 'g' })).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('a RADIO cannot receive and a DISH cannot send (ENOTSUP)', async () => {
    await expect(track(new Radio()).receive()).rejects.toMatchObject({ code: 'ENOTSUP' });
    await expect((track(new Dish()).send as (m: string) => Promise<void>)('x')).rejects.toMatchObject({ code: 'ENOTSUP' });
  });

  it('udp:// is not supported: EPROTONOSUPPORT', async () => {
    const radio = track(new Radio());
    const dish = track(new Dish());
    expect(() => radio.connect('udp://127.0.0.1:5556')).toThrow(expect.objectContaining({ code: 'EPROTONOSUPPORT' }));
    await expect(dish.bind('udp://*:5556')).rejects.toMatchObject({ code: 'EPROTONOSUPPORT' });
  });

  it('join/leave after close are EBADF', () => {
    const dish = new Dish();
    dish.close();
    expect(() => dish.join('a')).toThrow(expect.objectContaining({ code: 'EBADF' }));
  });

  it('a DISH lingers 0 by default, a RADIO like other sockets', () => {
    expect(track(new Dish()).linger).toBe(0);
    expect(track(new Radio()).linger).toBe(-1);
  });
});
