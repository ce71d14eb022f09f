// Monocoque on both ends of a faulty TCP link: our Router binds, our Dealer connects
// through the fault proxy of @monocoque/test-support, which splits, delays, stalls,
// blackholes, refuses and resets the connection. Only the public pattern-package API.
import { afterEach, describe, expect, it } from 'vitest';
import { Dealer, type DealerOptions } from '@monocoque/dealer';
import { Router } from '@monocoque/router';
import { type FaultProxy, startFaultProxy } from '@monocoque/test-support';
import { TCP_ANY } from '../helpers/endpoints.js';
import { type HasEvents, nextEvent, recv, recvN } from '../helpers/ours.js';
import { Scope, assertFramesEqual, frameOf, sleep, waitFor, withTimeout } from '../helpers/util.js';

const scope = new Scope();
afterEach(() => scope.cleanup());

interface Link {
  router: Router;
  dealer: Dealer;
  proxy: FaultProxy;
}

/** Router bound on loopback, proxy in front of it; the Dealer is created but not connected. */
async function link(dealerOptions: DealerOptions = {}): Promise<Link> {
  const router = scope.track(new Router({ linger: 0 }));
  await router.bind(TCP_ANY);
  const proxy = scope.track(await startFaultProxy({ target: router.lastEndpoint! }));
  const dealer = scope.track(new Dealer({ routingId: 'd1', linger: 0, reconnectInterval: 50, ...dealerOptions }));
  return { router, dealer, proxy };
}

/** Connect the Dealer through the proxy and wait for its ZMTP handshake. */
async function connectThrough({ dealer, proxy }: Link): Promise<void> {
  const handshake = nextEvent(dealer, 'handshake', 5000);
  dealer.connect(proxy.endpoint);
  await handshake;
}

/** Records the connection events of one of our sockets, in order, until the test ends. */
function recordEvents(sock: HasEvents, types: string[]): string[] {
  const seen: string[] = [];
  const listener = (e: { type: string }): void => {
    seen.push(e.type);
  };
  for (const t of types) sock.events.on(t, listener);
  scope.track({ close: () => types.forEach((t) => sock.events.off(t, listener)) });
  return seen;
}

/** One round trip Dealer → Router → Dealer with a recognisable payload. */
async function roundTrip({ router, dealer }: Link, tag: string): Promise<void> {
  await dealer.send(['ping', tag]);
  const [id, ...rest] = await recv(router, 5000, `router receive (${tag})`);
  expect(id!.toString()).toBe('d1');
  assertFramesEqual(rest, [Buffer.from('ping'), Buffer.from(tag)], `request ${tag}`);
  await router.send([id!, 'pong', tag]);
  assertFramesEqual(await recv(dealer, 5000, `dealer receive (${tag})`), [Buffer.from('pong'), Buffer.from(tag)], `reply ${tag}`);
}

/**
 * After a reconnect, a message gets through and is answered. The Dealer sends a ping every
 * 100 ms until the Router has one: its reconnect can race the Router's clean-up of the old
 * connection, and a Router without `handover` refuses a second connection with the same
 * routing id (libzmq ignores it); messages sent on that refused connection are lost.
 * Returns the other messages the Router got before the first ping. Later duplicate pings
 * may still be queued at the Router afterwards.
 */
async function flowsAgain({ router, dealer }: Link, tag: string): Promise<Buffer[][]> {
  const before: Buffer[][] = [];
  const receiving = (async () => {
    for (;;) {
      const m = await recv(router, 5000, `router receive (${tag})`);
      if (m[1]?.toString() === 'ping') return m;
      before.push(m);
    }
  })();
  let settled = false;
  receiving.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    await withTimeout(dealer.send(['ping', tag]), 5000, `dealer send (${tag})`);
    await Promise.race([receiving.catch(() => {}), sleep(100)]);
  }
  const [id, ...rest] = await receiving;
  expect(id!.toString()).toBe('d1');
  assertFramesEqual(rest, [Buffer.from('ping'), Buffer.from(tag)], `request ${tag}`);
  await router.send([id!, 'pong', tag]);
  assertFramesEqual(await recv(dealer, 5000, `dealer receive (${tag})`), [Buffer.from('pong'), Buffer.from(tag)], `reply ${tag}`);
  return before;
}

describe('Dealer → fault proxy → Router (Monocoque both ends, tcp loopback)', () => {
  it('every byte in its own write, handshake included: multipart 0 B / 300 B / 70 KiB arrive intact both ways', async () => {
    const l = await link();
    l.proxy.splitWrites(1);
    await connectThrough(l); // the greeting and READY commands cross one byte at a time

    const messages = [
      [frameOf(0)],
      [frameOf(300)],
      [frameOf(70 * 1024)],
      [frameOf(0), frameOf(300), frameOf(70 * 1024), frameOf(0)],
    ];
    for (const m of messages) await l.dealer.send(m);
    const got = await recvN(l.router, messages.length, 20_000, 'router receive (split)');
    for (let i = 0; i < messages.length; i++) {
      expect(got[i]![0]!.toString()).toBe('d1');
      assertFramesEqual(got[i]!.slice(1), messages[i]!, `upstream message ${i}`);
    }
    for (const m of messages) await l.router.send([Buffer.from('d1'), ...m]);
    const back = await recvN(l.dealer, messages.length, 20_000, 'dealer receive (split)');
    for (let i = 0; i < messages.length; i++) assertFramesEqual(back[i]!, messages[i]!, `downstream message ${i}`);
  });

  it('added latency, changed mid-stream, keeps every message in order', async () => {
    const l = await link();
    l.proxy.delay(40);
    await connectThrough(l);
    const n = 300;
    for (let i = 0; i < n; i++) {
      if (i === 100) l.proxy.delay(0); // later chunks must still queue behind delayed ones
      if (i === 200) l.proxy.delay(25, 'upstream');
      await l.dealer.send(['seq', String(i)]);
    }
    const got = await recvN(l.router, n, 5000, 'router receive (delayed)');
    expect(got.map((m) => m[2]!.toString())).toEqual(Array.from({ length: n }, (_, i) => String(i)));
    for (let i = 0; i < n; i++) await l.router.send(['d1', String(i)]);
    const back = await recvN(l.dealer, n, 5000, 'dealer receive (delayed)');
    expect(back.map((m) => m[0]!.toString())).toEqual(Array.from({ length: n }, (_, i) => String(i)));
  });

  it('reset() mid-stream: the Dealer sees disconnect, then a new handshake, and traffic flows again', async () => {
    const l = await link();
    await connectThrough(l);
    const events = recordEvents(l.dealer, ['disconnect', 'handshake']);

    // Mid-stream: 50 × 1 KiB trickle through in 64-byte writes when the connection is
    // reset, so the Router is most likely in the middle of a frame at that moment.
    l.proxy.splitWrites(64, 'upstream');
    for (let i = 0; i < 50; i++) await l.dealer.send(['before', String(i), frameOf(1024)]);
    const early = await recvN(l.router, 10, 5000, 'first messages before reset');
    expect(early.map((m) => m[2]!.toString())).toEqual(Array.from({ length: 10 }, (_, i) => String(i)));

    const disconnect = nextEvent(l.dealer, 'disconnect', 5000);
    const handshake = nextEvent(l.dealer, 'handshake', 5000);
    const accepted = l.proxy.accepted;
    l.proxy.reset();
    l.proxy.splitWrites(0);
    await disconnect;
    await handshake;
    expect(events.slice(0, 2)).toEqual(['disconnect', 'handshake']);
    expect(l.proxy.accepted).toBe(accepted + 1);

    // Messages of the old connection may be lost (ZeroMQ semantics), but what the Router
    // got of them is in order and without duplicates; after those, new messages flow.
    const late = await flowsAgain(l, 'after-reset');
    const seqs = [9];
    for (const [, kind, seq] of late) {
      expect(kind!.toString()).toBe('before');
      seqs.push(Number(seq!.toString()));
    }
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    console.log(`reset mid-stream: ${seqs.length - 1 + 10} of 50 earlier messages arrived before the reset`);
    await waitFor(l.proxy, 'connectionClosed', () => l.proxy.connections === 1, 5000, 'only the new connection open');
  });

  it('a stalled link is detected by heartbeats (100/300 ms) and the Dealer reconnects after resume()', async () => {
    const l = await link({ heartbeatInterval: 100, heartbeatTimeout: 300 });
    await connectThrough(l);
    await roundTrip(l, 'before-stall');
    const events = recordEvents(l.dealer, ['disconnect', 'handshake']);

    const disconnect = nextEvent(l.dealer, 'disconnect', 3000);
    const stalledAt = Date.now();
    l.proxy.stall();
    await disconnect;
    const detectedMs = Date.now() - stalledAt;
    console.log(`stalled link: disconnect after ${detectedMs} ms (heartbeatTimeout 300)`);
    // Not before the timeout could have run out (the last PONG came at most one interval
    // before the stall), and well before any TCP-level timeout would have.
    expect(detectedMs).toBeGreaterThanOrEqual(150);
    expect(detectedMs).toBeLessThan(2000);

    // The Dealer reconnects at once, but through a partition no handshake can complete.
    const connects = l.proxy.accepted;
    await waitFor(l.proxy, 'connection', () => l.proxy.accepted > connects, 2000, 'a reconnect through the proxy');
    await sleep(300);
    expect(events).toEqual(['disconnect']);

    const handshake = nextEvent(l.dealer, 'handshake', 5000);
    l.proxy.resume();
    await handshake;
    await flowsAgain(l, 'after-resume');
    console.log(`stalled link: Dealer events after the stall: ${events.join(', ')}`);
  });

  it('a refused endpoint is retried until it accepts; a send issued meanwhile is delivered', async () => {
    const l = await link();
    l.proxy.refuse(true);
    const events = recordEvents(l.dealer, ['handshake']);
    l.dealer.connect(l.proxy.endpoint);
    const pending = l.dealer.send(['queued', 'while refused']);
    // reconnectInterval 50: the Dealer keeps retrying
    await waitFor(l.proxy, 'connection', () => l.proxy.accepted >= 3, 3000, '3 connection attempts');
    expect(events).toEqual([]);

    const handshake = nextEvent(l.dealer, 'handshake', 5000);
    l.proxy.refuse(false);
    await handshake;
    await pending;
    const [id, ...rest] = await recv(l.router, 5000, 'router receive (queued send)');
    expect(id!.toString()).toBe('d1');
    assertFramesEqual(rest, [Buffer.from('queued'), Buffer.from('while refused')]);
  });

  it('a blackholed endpoint fails the handshake timeout; the Dealer retries and gets through once it heals', async () => {
    const l = await link({ handshakeInterval: 300 });
    l.proxy.blackhole();
    const events = recordEvents(l.dealer, ['handshake']);
    l.dealer.connect(l.proxy.endpoint);
    // Nothing answers: the Dealer must give up on the handshake and connect again.
    await waitFor(l.proxy, 'connection', () => l.proxy.accepted >= 2, 3000, 'a second connection attempt');
    expect(events).toEqual([]);

    const handshake = nextEvent(l.dealer, 'handshake', 5000);
    l.proxy.blackhole(false);
    await handshake;
    await roundTrip(l, 'after-blackhole');
  });
});
