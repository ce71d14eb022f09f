/**
 * RADIO/DISH bytes on the wire, against a hand-written ZMTP peer over a raw TCP socket
 * (greeting, NULL READY, then frames), with ZMTP 3.0 and 3.1 greetings. libzmq 4.3 uses the
 * JOIN/LEAVE command form with both versions (dish_session_t, radio_session_t), so we do too.
 */
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { socketTracker, withTimeout } from '@monocoque/test-support';
import { Dish, Radio } from '../src/index.js';

const track = socketTracker();
const open: net.Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.destroy();
});

interface Frame {
  flags: number;
  body: Buffer;
}

function frame(flags: number, body: Buffer): Buffer {
  if (body.length < 256) return Buffer.concat([Buffer.from([flags, body.length]), body]);
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(body.length));
  return Buffer.concat([Buffer.from([flags | 0x02]), size, body]);
}

function command(name: string, data: Buffer): Buffer {
  return frame(0x04, Buffer.concat([Buffer.from([name.length]), Buffer.from(name, 'latin1'), data]));
}

/** A raw ZMTP peer announcing `socketType` with version 3.`minor`; records frames after the handshake. */
class RawPeer {
  readonly frames: Frame[] = [];
  private buf = Buffer.alloc(0);
  private greeted = false;
  private ready = false;
  private waiters: Array<() => void> = [];

  constructor(
    readonly sock: net.Socket,
    socketType: string,
    minor: number,
  ) {
    open.push(sock);
    sock.on('data', (d) => this.onData(d));
    sock.on('error', () => {});
    const g = Buffer.alloc(64);
    g[0] = 0xff;
    g[9] = 0x7f;
    g[10] = 3;
    g[11] = minor;
    g.write('NULL', 12, 'latin1');
    const name = Buffer.from('Socket-Type');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(socketType.length);
    sock.write(g);
    sock.write(command('READY', Buffer.concat([Buffer.from([name.length]), name, len, Buffer.from(socketType)])));
  }

  static async connect(port: number, socketType: string, minor: number): Promise<RawPeer> {
    const sock = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => sock.once('connect', resolve).once('error', reject));
    return new RawPeer(sock, socketType, minor);
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    if (!this.greeted) {
      if (this.buf.length < 64) return;
      this.buf = this.buf.subarray(64);
      this.greeted = true;
    }
    for (;;) {
      if (this.buf.length < 2) break;
      const flags = this.buf[0]!;
      const long = (flags & 0x02) !== 0;
      const head = long ? 9 : 2;
      if (this.buf.length < head) break;
      const size = long ? Number(this.buf.readBigUInt64BE(1)) : this.buf[1]!;
      if (this.buf.length < head + size) break;
      const body = Buffer.from(this.buf.subarray(head, head + size));
      this.buf = this.buf.subarray(head + size);
      if (!this.ready) {
        this.ready = true; // the peer's READY
        continue;
      }
      this.frames.push({ flags, body });
    }
    for (const w of this.waiters.splice(0)) w();
  }

  /** Wait until `n` frames arrived after the handshake. */
  async waitFrames(n: number, ms = 2000): Promise<Frame[]> {
    const p = (async () => {
      while (this.frames.length < n) await new Promise<void>((r) => this.waiters.push(r));
    })();
    await withTimeout(p, ms, `${n} frame(s) from our socket; got ${JSON.stringify(this.frames.map((f) => [f.flags, f.body.toString('latin1')]))}`);
    return this.frames.slice(0, n);
  }
}

function portOf(sock: Radio | Dish): number {
  return Number(sock.lastEndpoint!.split(':').pop());
}

async function until(cond: () => boolean, what: string, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe.each([0, 1])('with a ZMTP 3.%i peer', (minor) => {
  it('our DISH sends JOIN and LEAVE as command frames: \\x04JOIN + group, \\x05LEAVE + group', async () => {
    const dish = track(new Dish());
    await dish.bind('tcp://127.0.0.1:*');
    dish.join('weather');
    const peer = await RawPeer.connect(portOf(dish), 'RADIO', minor);
    const [join] = await peer.waitFrames(1);
    expect(join).toEqual({ flags: 0x04, body: Buffer.from('\x04JOINweather', 'latin1') });
    dish.leave('weather');
    dish.join('');
    const [, leave, empty] = await peer.waitFrames(3);
    expect(leave).toEqual({ flags: 0x04, body: Buffer.from('\x05LEAVEweather', 'latin1') });
    expect(empty).toEqual({ flags: 0x04, body: Buffer.from('\x04JOIN', 'latin1') });
  });

  it('our DISH takes [group with MORE, body] from the peer', async () => {
    const dish = track(new Dish());
    await dish.bind('tcp://127.0.0.1:*');
    dish.join('g');
    const peer = await RawPeer.connect(portOf(dish), 'RADIO', minor);
    await peer.waitFrames(1);
    peer.sock.write(Buffer.concat([frame(0x01, Buffer.from('h')), frame(0, Buffer.from('not joined'))]));
    peer.sock.write(Buffer.concat([frame(0x01, Buffer.from('g')), frame(0, Buffer.from('body'))]));
    const [body, { group }] = await withTimeout(dish.receive(), 2000, 'our dish');
    expect([group.toString(), body.toString()]).toEqual(['g', 'body']);
  });

  it('our RADIO applies the peer JOIN command and sends the group frame with MORE, then the body', async () => {
    const radio = track(new Radio({ linger: 0 }));
    await radio.bind('tcp://127.0.0.1:*');
    const peer = await RawPeer.connect(portOf(radio), 'DISH', minor);
    peer.sock.write(command('JOIN', Buffer.from('g')));
    await until(() => radio.groupCount === 1, 'the raw JOIN');
    await radio.send('skip', { group: 'gg' });
    await radio.send(Buffer.alloc(300, 0x41), { group: 'g' });
    const frames = await peer.waitFrames(2);
    expect(frames[0]).toEqual({ flags: 0x01, body: Buffer.from('g') });
    expect(frames[1]).toEqual({ flags: 0x02, body: Buffer.alloc(300, 0x41) });
    peer.sock.write(command('LEAVE', Buffer.from('g')));
    await until(() => radio.groupCount === 0, 'the raw LEAVE');
  });
});
