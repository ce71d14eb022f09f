/**
 * PUB/SUB with a ZMTP 3.0-only peer (RFC 23), hand-written over a raw node:net socket:
 * greeting with version minor 0, NULL READY, and subscriptions as `0x01`/`0x00` + prefix
 * data messages instead of RFC 37 SUBSCRIBE/CANCEL commands. Both directions.
 */
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Publisher, Subscriber } from '@monocoque/pubsub';
import { Scope, sleep, withTimeout } from './helpers/util.js';
import { recv } from './helpers/ours.js';

const scope = new Scope();
const raw: net.Socket[] = [];
afterEach(async () => {
  for (const s of raw.splice(0)) s.destroy();
  await scope.cleanup();
});

function greeting30(asServer: boolean): Buffer {
  const g = Buffer.alloc(64);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = 3;
  g[11] = 0; // ZMTP 3.0
  g.write('NULL', 12, 'latin1');
  g[32] = asServer ? 1 : 0;
  return g;
}

function frame(flags: number, body: Buffer): Buffer {
  return body.length < 256
    ? Buffer.concat([Buffer.from([flags, body.length]), body])
    : Buffer.concat([Buffer.from([flags | 0x02]), Buffer.from(new BigUint64Array([BigInt(body.length)]).buffer).reverse(), body]);
}

function ready(socketType: string): Buffer {
  const name = Buffer.from('Socket-Type');
  const value = Buffer.from(socketType);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(value.length);
  return frame(0x04, Buffer.concat([Buffer.from([5]), Buffer.from('READY'), Buffer.from([name.length]), name, len, value]));
}

interface Frame {
  flags: number;
  body: Buffer;
}

/** A raw ZMTP 3.0 peer: collects the frames the other side sends after its greeting. */
class Raw30 {
  frames: Frame[] = [];
  private buf = Buffer.alloc(0);
  private greeted = false;

  constructor(readonly sock: net.Socket, socketType: string) {
    raw.push(sock);
    sock.on('data', (d) => this.onData(d));
    sock.on('error', () => {});
    sock.write(greeting30(false));
    sock.write(ready(socketType));
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    if (!this.greeted) {
      if (this.buf.length < 64) return;
      expect(this.buf[0]).toBe(0xff);
      this.buf = this.buf.subarray(64);
      this.greeted = true;
    }
    for (;;) {
      if (this.buf.length < 2) return;
      const flags = this.buf[0]!;
      const long = (flags & 0x02) !== 0;
      const head = long ? 9 : 2;
      if (this.buf.length < head) return;
      const size = long ? Number(this.buf.readBigUInt64BE(1)) : this.buf[1]!;
      if (this.buf.length < head + size) return;
      this.frames.push({ flags, body: this.buf.subarray(head, head + size) });
      this.buf = this.buf.subarray(head + size);
    }
  }

  /** Message frames (not commands) received so far, as strings. */
  messages(): string[] {
    return this.frames.filter((f) => (f.flags & 0x04) === 0).map((f) => f.body.toString('latin1'));
  }

  commands(): string[] {
    return this.frames.filter((f) => (f.flags & 0x04) !== 0).map((f) => f.body.subarray(1, 1 + f.body[0]!).toString('latin1'));
  }

  send(body: string | Buffer, more = false): void {
    this.sock.write(frame(more ? 0x01 : 0x00, typeof body === 'string' ? Buffer.from(body, 'latin1') : body));
  }

  async waitFor(cond: () => boolean, what: string, ms = 3000): Promise<void> {
    await withTimeout(
      (async () => {
        while (!cond()) await sleep(5);
      })(),
      ms,
      what,
    );
  }
}

describe('ZMTP 3.0 peers', () => {
  it('a 3.0 SUB subscribes to our Publisher with 0x01/0x00 messages', async () => {
    const pub = scope.track(new Publisher({ linger: 0 }));
    await pub.bind('tcp://127.0.0.1:*');
    const port = Number(pub.lastEndpoint!.split(':').pop());
    const peer = new Raw30(net.connect(port, '127.0.0.1'), 'SUB');
    await peer.waitFor(() => peer.commands().includes('READY'), 'our READY');
    peer.send('\x01A');
    await withTimeout(
      (async () => {
        while (pub.subscriptionCount !== 1) await sleep(5);
      })(),
      3000,
      'the 3.0 subscription',
    );
    await pub.send(['B1', 'no']);
    await pub.send(['A1', 'yes']);
    await peer.waitFor(() => peer.messages().length >= 2, 'the matching message');
    expect(peer.messages()).toEqual(['A1', 'yes']);
    peer.send('\x00A');
    await withTimeout(
      (async () => {
        while (pub.subscriptionCount !== 0) await sleep(5);
      })(),
      3000,
      'the 3.0 unsubscription',
    );
    await pub.send(['A2', 'no']);
    await sleep(100);
    expect(peer.messages()).toEqual(['A1', 'yes']);
  });

  it('our Subscriber sends subscriptions to a 3.0 PUB as messages and filters what it sends', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const accepted = new Promise<Raw30>((resolve) => server.once('connection', (s) => resolve(new Raw30(s, 'PUB'))));
    const sub = scope.track(new Subscriber({ linger: 0 }));
    sub.subscribe('A');
    sub.connect(`tcp://127.0.0.1:${port}`);
    const peer = await withTimeout(accepted, 3000, 'our connection');
    server.close();
    await peer.waitFor(() => peer.messages().length >= 1, 'our subscription message');
    expect(peer.messages()).toEqual(['\x01A']);
    expect(peer.commands()).toEqual(['READY']); // no SUBSCRIBE command to a 3.0 peer
    // A 3.0 publisher may not filter: our SUB filters locally.
    peer.send('B1');
    peer.send('A1', true);
    peer.send('tail');
    expect((await recv(sub)).map((f) => f.toString())).toEqual(['A1', 'tail']);
    sub.subscribe('A'); // counted: a duplicate is sent too (as libzmq does)
    sub.unsubscribe('A');
    sub.unsubscribe('A');
    await peer.waitFor(() => peer.messages().length >= 3, 'subscribe + unsubscribe messages');
    expect(peer.messages()).toEqual(['\x01A', '\x01A', '\x00A']);
    peer.send('A2');
    await sleep(100);
    expect(sub.readable).toBe(false);
  });
});
