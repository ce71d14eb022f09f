// Bad input from the network never crashes the process: the offending peer is dropped with
// an event, other peers carry on, and messages already accepted from it are still delivered.
import { connect, type Socket as NetSocket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';
import type { EventPeer, SocketEvent, ZmqError } from '@monocoque/core';
import { encodeFrame, encodeGreeting, encodeReady } from '@monocoque/zmtp';

const open: Array<{ close(): void }> = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function tcpPort(endpoint: string): number {
  return Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
}

async function rawPeer(endpoint: string, bytes: Buffer[]): Promise<NetSocket> {
  const sock = connect({ host: '127.0.0.1', port: tcpPort(endpoint) });
  open.push({ close: () => sock.destroy() });
  sock.on('error', () => {});
  await new Promise<void>((resolve) => sock.once('connect', resolve));
  for (const b of bytes) sock.write(b);
  return sock;
}

/** An event with its optional fields visible, for assertions. */
type LooseEvent = SocketEvent & { error?: ZmqError; peer?: EventPeer; interval?: number };

function nextEvent(router: Router, types: string[], timeoutMs = 5000): Promise<LooseEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${types.join('/')} event within ${timeoutMs} ms`)), timeoutMs);
    const listener = (e: SocketEvent) => {
      if (types.includes(e.type)) {
        clearTimeout(timer);
        router.events.off('*', listener);
        resolve(e);
      }
    };
    router.events.on('*', listener);
  });
}

async function setup(options: ConstructorParameters<typeof Router>[0] = {}) {
  const router = new Router(options);
  open.push(router);
  await router.bind('tcp://127.0.0.1:*');
  const good = new Dealer({ routingId: 'good' });
  open.push(good);
  good.connect(router.lastEndpoint!);
  await good.send('before');
  const [id, body] = await router.receive();
  expect(id!.toString()).toBe('good');
  expect(body!.toString()).toBe('before');
  return { router, good };
}

async function goodPeerStillWorks(router: Router, good: Dealer): Promise<void> {
  await good.send(['after', 'x']);
  const [id, a, b] = await router.receive();
  expect([id!.toString(), a!.toString(), b!.toString()]).toEqual(['good', 'after', 'x']);
  await router.send(['good', 'reply']);
  const [r] = await good.receive();
  expect(r!.toString()).toBe('reply');
}

const handshake = () => [
  encodeGreeting({ mechanism: 'NULL', asServer: false }),
  encodeReady([
    ['Socket-Type', Buffer.from('DEALER')],
    ['Identity', Buffer.from('bad')],
  ]),
];

describe('malformed peers are dropped, others carry on', () => {
  it('garbage bytes instead of a greeting', async () => {
    const { router, good } = await setup();
    const event = nextEvent(router, ['handshake:error:protocol']);
    await rawPeer(router.lastEndpoint!, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
    const e = await event;
    expect(e.error?.code).toBe('EPROTO');
    expect(e.error?.message).toMatch(/expected signature byte 0xff/);
    await goodPeerStillWorks(router, good);
  });

  it('a ZMTP 2.0 greeting is refused after 11 bytes', async () => {
    const { router, good } = await setup();
    const event = nextEvent(router, ['handshake:error:protocol']);
    const g = encodeGreeting({ mechanism: 'NULL', asServer: false }).subarray(0, 11);
    g[10] = 1;
    await rawPeer(router.lastEndpoint!, [g]);
    const e = await event;
    expect(e.error?.message).toMatch(/ZMTP 2\.0/);
    await goodPeerStillWorks(router, good);
  });

  it('an oversized frame after valid messages: the valid ones are still delivered', async () => {
    const { router, good } = await setup({ maxMessageSize: 1024 });
    const event = nextEvent(router, ['disconnect']);
    const header = Buffer.from([0x02, 0, 0, 0, 0, 0x40, 0, 0, 0]); // 1 GiB long frame header only
    await rawPeer(router.lastEndpoint!, [...handshake(), encodeFrame(0, Buffer.from('accepted')), header]);
    const e = await event;
    expect(e.error?.code).toBe('EMSGSIZE');
    expect(e.error?.message).toMatch(/limit is 1024 bytes/);
    const [id, body] = await router.receive();
    expect(id!.toString()).toBe('bad');
    expect(body!.toString()).toBe('accepted');
    await goodPeerStillWorks(router, good);
  });

  it('a malformed command after the handshake', async () => {
    const { router, good } = await setup();
    const event = nextEvent(router, ['disconnect']);
    const badCommand = encodeFrame(0x04, Buffer.from([200, 1, 2])); // name-size 200, 2 bytes follow
    await rawPeer(router.lastEndpoint!, [...handshake(), badCommand]);
    const e = await event;
    expect(e.error?.code).toBe('EPROTO');
    expect(e.error?.message).toMatch(/name-size is 200/);
    await goodPeerStillWorks(router, good);
  });

  it('an incompatible socket type gets an ERROR command and is dropped', async () => {
    const { router, good } = await setup();
    const event = nextEvent(router, ['handshake:error:protocol']);
    const sock = await rawPeer(router.lastEndpoint!, [
      encodeGreeting({ mechanism: 'NULL', asServer: false }),
      encodeReady([['Socket-Type', Buffer.from('PUB')]]),
    ]);
    const received: Buffer[] = [];
    sock.on('data', (d: Buffer) => received.push(d));
    const e = await event;
    expect(e.error?.code).toBe('ENOCOMPATPROTO');
    await new Promise<void>((resolve) => (sock.closed ? resolve() : sock.once('close', () => resolve())));
    expect(Buffer.concat(received).includes(Buffer.from('Invalid socket type'))).toBe(true);
    await goodPeerStillWorks(router, good);
  });
});
