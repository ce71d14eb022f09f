/**
 * DEALER/ROUTER interop cases, parameterised by peer implementation and transport so
 * the same cases run against npm `zeromq` (all of them) and pyzmq (the `core` subset).
 * Registered from *.test.ts files; this file itself is not a test file.
 */
import { describe, expect, it } from 'vitest';
import { Dealer } from '@monocoque/dealer';
import { Router } from '@monocoque/router';
import { ZmqError } from '@monocoque/core';
import { spawnZmqPeer, type PeerKind, type PeerSocket, type ZmqPeer } from '../helpers/peer.js';
import { bindEndpoint, freeTcpPort, ipcEndpoint, type Transport } from '../helpers/endpoints.js';
import { assertFramesEqual, frameOf, Scope, sleep, withTimeout } from '../helpers/util.js';
import { expectNothing, nextEvent, recv, recvN } from '../helpers/ours.js';

const B = (s: string) => Buffer.from(s, 'utf8');
const SIZES = [0, 255, 256, 1 << 20] as const;
const BULK = 3000;
const seqFrame = (i: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(i);
  return b;
};

export interface SuiteOptions {
  kind: PeerKind;
  transport: Transport;
  /** Run every case (npm zeromq) or only the core subset (other peers). */
  full: boolean;
  scope: Scope;
}

/** Check our socket's resolved endpoint and return it. */
function resolvedEndpoint(sock: { lastEndpoint: string | null | undefined }, requested: string, t: Transport): string {
  const ep = sock.lastEndpoint;
  expect(typeof ep, `lastEndpoint after binding ${requested}`).toBe('string');
  if (t === 'tcp') {
    expect(ep).toMatch(/^tcp:\/\/127\.0\.0\.1:[1-9]\d*$/);
  } else {
    expect(ep).toBe(requested);
  }
  return ep as string;
}

/** A 5-byte libzmq-style generated routing id: 0x00 followed by a 32-bit counter. */
function expectGeneratedId(id: Buffer | undefined, what: string): void {
  expect(Buffer.isBuffer(id), `${what}: routing id is a Buffer`).toBe(true);
  expect(id!.length, `${what}: generated routing id length (${id!.toString('hex')})`).toBe(5);
  expect(id![0], `${what}: generated routing id starts with 0x00 (${id!.toString('hex')})`).toBe(0);
}

/** The messages our side and the peer exchange to prove every size boundary. */
function sizeMessages(): Buffer[][] {
  return [
    ...SIZES.map((n) => [frameOf(n)]),
    SIZES.map((n) => frameOf(n)),
    [Buffer.alloc(0), Buffer.alloc(0), Buffer.alloc(0)],
    [B('head'), Buffer.alloc(0), B('tail')],
    Array.from({ length: 100 }, (_, i) => frameOf(i * 3)), // 100 frames, short and long
  ];
}

export function dealerRouterSuite({ kind, transport: t, full, scope }: SuiteOptions): void {
  // Cases outside the core subset are not registered at all for secondary peers.
  const fullIt: typeof it = full ? it : (((..._args: unknown[]) => undefined) as unknown as typeof it);
  const newPeer = (): Promise<ZmqPeer> => spawnZmqPeer({ kind });

  const newDealer = (opts: ConstructorParameters<typeof Dealer>[0] = {}) =>
    scope.track(new Dealer({ linger: 0, ...opts }));
  const newRouter = (opts: ConstructorParameters<typeof Router>[0] = {}) =>
    scope.track(new Router({ linger: 0, ...opts }));

  describe('our Dealer <-> libzmq ROUTER', () => {
    it('our Dealer binds, libzmq ROUTER connects: routing id, multipart both ways', async () => {
      const dealer = newDealer({ routingId: 'our-dealer' });
      const requested = bindEndpoint(t);
      await withTimeout(dealer.bind(requested), 5000, 'Dealer.bind');
      const ep = resolvedEndpoint(dealer, requested, t);

      const peer = await newPeer();
      const router = await peer.socket('ROUTER', { linger: 0 });
      await router.connect(ep);

      await withTimeout(dealer.send(['hello', B('world')]), 5000, 'Dealer.send');
      const [m] = await router.receive(1, 5000);
      assertFramesEqual(m!, [B('our-dealer'), B('hello'), B('world')], 'libzmq ROUTER received');

      await router.send(['our-dealer', 'reply', '', 'end']);
      const r = await recv(dealer);
      assertFramesEqual(r, [B('reply'), Buffer.alloc(0), B('end')], 'our Dealer received');
      await expectNothing(dealer, 100);
      await router.expectNoMessage(100);
    });

    it('our Dealer connects to a bound libzmq ROUTER; no routingId -> libzmq generates one', async () => {
      const peer = await newPeer();
      const router = await peer.socket('ROUTER', { linger: 0 });
      const ep = await router.bind(bindEndpoint(t));

      const dealer = newDealer();
      dealer.connect(ep);
      await withTimeout(dealer.send(['ping', '']), 5000, 'Dealer.send');
      const [m] = await router.receive(1, 5000);
      expect(m!.length).toBe(3);
      // We announced an empty Identity, so libzmq made up its own id for us.
      expectGeneratedId(m![0], 'libzmq ROUTER id for our Dealer');
      assertFramesEqual(m!.slice(1), [B('ping'), Buffer.alloc(0)]);

      await router.send([m![0]!, 'pong']);
      assertFramesEqual(await recv(dealer), [B('pong')], 'our Dealer received');
    });

    fullIt('binary routing id set on our Dealer reaches libzmq ROUTER unchanged', async () => {
      const id = Buffer.from([0x01, 0x00, 0xff, 0x80, 0x7f]);
      const peer = await newPeer();
      const router = await peer.socket('ROUTER', { linger: 0 });
      const ep = await router.bind(bindEndpoint(t));
      const dealer = newDealer({ routingId: id });
      dealer.connect(ep);
      await withTimeout(dealer.send('x'), 5000, 'Dealer.send');
      const [m] = await router.receive(1, 5000);
      assertFramesEqual(m!, [id, B('x')]);
      await router.send([id, 'y']);
      assertFramesEqual(await recv(dealer), [B('y')]);
    });

    it('frame sizes 0 B / 255 B / 256 B / 1 MiB and empty frames, both directions', async () => {
      const peer = await newPeer();
      const router = await peer.socket('ROUTER', { linger: 0 });
      const ep = await router.bind(bindEndpoint(t));
      const dealer = newDealer({ routingId: 'sizes' });
      dealer.connect(ep);

      const msgs = sizeMessages();
      for (const msg of msgs) await withTimeout(dealer.send(msg), 10_000, 'Dealer.send');
      const got = await router.receive(msgs.length, 10_000);
      got.forEach((m, i) => assertFramesEqual(m, [B('sizes'), ...msgs[i]!], `libzmq ROUTER message ${i}`));

      for (const msg of msgs) await router.send([B('sizes'), ...msg]);
      const back = await recvN(dealer, msgs.length, 10_000, 'our Dealer');
      back.forEach((m, i) => assertFramesEqual(m, msgs[i]!, `our Dealer message ${i}`));
    });

    fullIt('three of our Dealers on one libzmq ROUTER: routed by routing id both ways', async () => {
      const peer = await newPeer();
      const router = await peer.socket('ROUTER', { linger: 0 });
      const ep = await router.bind(bindEndpoint(t));
      const ids = ['d-one', 'd-two', 'd-three'];
      const dealers = ids.map((id) => newDealer({ routingId: id }));
      for (const d of dealers) d.connect(ep);
      await Promise.all(dealers.map((d, i) => withTimeout(d.send(['hello from', ids[i]!]), 5000, 'Dealer.send')));

      const got = await router.receive(3, 5000);
      const seen = got.map((m) => {
        expect(m.length).toBe(3);
        expect(m[1]!.toString()).toBe('hello from');
        expect(m[0]!.toString(), 'ROUTER sees each dealer under its own id').toBe(m[2]!.toString());
        return m[0]!.toString();
      });
      expect(seen.sort()).toEqual([...ids].sort());

      // Reply in reverse order, several messages each, interleaved.
      for (let round = 0; round < 3; round++) {
        for (const id of [...ids].reverse()) await router.send([id, `to ${id}`, String(round)]);
      }
      for (const [i, d] of dealers.entries()) {
        const msgs = await recvN(d, 3, 5000, `our Dealer ${ids[i]}`);
        msgs.forEach((m, round) => assertFramesEqual(m, [B(`to ${ids[i]}`), B(String(round))], `${ids[i]} round ${round}`));
      }
      for (const d of dealers) await expectNothing(d, 100, 'our Dealer after its 3 messages');
    });

    fullIt('connect before bind: our Dealer connects and sends, libzmq ROUTER binds 300 ms later', async () => {
      const ep = t === 'tcp' ? `tcp://127.0.0.1:${await freeTcpPort()}` : ipcEndpoint();
      const peer = await newPeer();
      const router = await peer.socket('ROUTER', { linger: 0 });

      const dealer = newDealer({ routingId: 'early' });
      dealer.connect(ep);
      const sent = dealer.send(['sent before the peer existed']);
      sent.catch(() => {});
      await sleep(300); // the scenario: nobody listens yet
      expect(await router.bind(ep)).toBe(ep);
      await withTimeout(sent, 10_000, 'Dealer.send before bind');

      const [m] = await router.receive(1, 10_000);
      assertFramesEqual(m!, [B('early'), B('sent before the peer existed')]);
      await router.send(['early', 'welcome']);
      assertFramesEqual(await recv(dealer), [B('welcome')]);
    });
    fullIt(`bulk: ${BULK} messages each way with 300 B frames arrive complete and in order`, async () => {
      const peer = await newPeer();
      const router = await peer.socket('ROUTER', { linger: 0, mandatory: true });
      const ep = await router.bind(bindEndpoint(t));
      const dealer = newDealer({ routingId: 'bulk' });
      dealer.connect(ep);
      const payload = frameOf(300);

      const rx = router.receive(BULK, 20_000);
      rx.catch(() => {});
      for (let i = 0; i < BULK; i++) await withTimeout(dealer.send([payload, seqFrame(i)]), 5000, `Dealer.send #${i}`);
      const got = await rx;
      got.forEach((m, i) => assertFramesEqual(m, [B('bulk'), payload, seqFrame(i)], `libzmq ROUTER message #${i}`));

      const tx = router.sendMany([B('bulk'), payload], BULK);
      tx.catch(() => {});
      const back = await recvN(dealer, BULK, 10_000, 'our Dealer bulk');
      back.forEach((m, i) => assertFramesEqual(m, [payload, seqFrame(i)], `our Dealer message #${i}`));
      await tx;
    });

    fullIt('heartbeats: our Dealer pings (100 ms, TTL 1 s), libzmq ROUTER pongs; no reconnects', async () => {
      const peer = await newPeer();
      const router = await peer.socket('ROUTER', { linger: 0, heartbeatInterval: 100, heartbeatTimeout: 400 });
      const ep = await router.bind(bindEndpoint(t));
      const dealer = newDealer({ routingId: 'hb', heartbeatInterval: 100, heartbeatTimeout: 400, heartbeatTimeToLive: 1000 });
      const drops: string[] = [];
      dealer.events.on('disconnect', (e: { address: string }) => drops.push(e.address));
      dealer.connect(ep);
      await withTimeout(dealer.send('start'), 5000, 'Dealer.send');
      assertFramesEqual((await router.receive(1, 5000))[0]!, [B('hb'), B('start')]);
      await sleep(1500); // the scenario: an idle connection kept alive only by PING/PONG
      expect(drops, 'our Dealer saw no disconnect while idle').toEqual([]);
      const peerEvents = (await router.events()).map((e) => e.type);
      expect(peerEvents.filter((e) => e === 'accept').length, `libzmq events: ${peerEvents.join(',')}`).toBe(1);
      expect(peerEvents, 'libzmq saw no disconnect').not.toContain('disconnect');
      await router.send(['hb', 'still here']);
      assertFramesEqual(await recv(dealer), [B('still here')]);
    });

    fullIt('our Dealer on two libzmq ROUTERs: sends round-robin, receives from both', async () => {
      const peer = await newPeer();
      const r1 = await peer.socket('ROUTER', { linger: 0 });
      const r2 = await peer.socket('ROUTER', { linger: 0 });
      const ep1 = await r1.bind(bindEndpoint(t));
      const ep2 = await r2.bind(bindEndpoint(t));
      const dealer = newDealer({ routingId: 'rr' });
      const connected = nextEvent(dealer, 'handshake');
      connected.catch(() => {});
      dealer.connect(ep1);
      await connected;
      const second = nextEvent(dealer, 'handshake');
      second.catch(() => {});
      dealer.connect(ep2);
      await second;
      for (let i = 0; i < 6; i++) await withTimeout(dealer.send(['n', String(i)]), 5000, 'Dealer.send');
      const a = await r1.receive(3, 5000);
      const b = await r2.receive(3, 5000);
      const seqA = a.map((m) => Number(m[2]!.toString()));
      const seqB = b.map((m) => Number(m[2]!.toString()));
      expect([...seqA, ...seqB].sort()).toEqual([0, 1, 2, 3, 4, 5]);
      // Strict alternation between the two pipes.
      expect(seqA.every((n) => n % 2 === seqA[0]! % 2), `round-robin: ${seqA} / ${seqB}`).toBe(true);
      await r1.expectNoMessage(100);
      await r2.expectNoMessage(100);
      await r1.send(['rr', 'from r1']);
      await r2.send(['rr', 'from r2']);
      const got = (await recvN(dealer, 2)).map((m) => m[0]!.toString()).sort();
      expect(got).toEqual(['from r1', 'from r2']);
    });

    fullIt('close() with default linger flushes messages already sent to libzmq', async () => {
      const peer = await newPeer();
      const router = await peer.socket('ROUTER', { linger: 0 });
      const ep = await router.bind(bindEndpoint(t));
      const dealer = scope.track(new Dealer({ routingId: 'lingerer' })); // linger -1 (default)
      dealer.connect(ep);
      const payload = frameOf(64 * 1024);
      for (let i = 0; i < 50; i++) await withTimeout(dealer.send([payload, seqFrame(i)]), 5000, 'Dealer.send');
      dealer.close();
      const got = await router.receive(50, 10_000);
      got.forEach((m, i) => assertFramesEqual(m, [B('lingerer'), payload, seqFrame(i)], `message #${i} after close`));
    });

    fullIt('libzmq ROUTER process is killed; our Dealer reconnects to a new one on the same endpoint', async () => {
      const first = await newPeer();
      const router1 = await first.socket('ROUTER', { linger: 0 });
      const ep = await router1.bind(bindEndpoint(t));
      const dealer = newDealer({ routingId: 'survivor', reconnectInterval: 50 });
      dealer.connect(ep);
      await withTimeout(dealer.send('before'), 5000, 'Dealer.send');
      assertFramesEqual((await router1.receive(1, 5000))[0]!, [B('survivor'), B('before')]);

      const gone = nextEvent(dealer, 'disconnect');
      gone.catch(() => {});
      await first.kill();
      // Wait until our side noticed, so 'after' cannot go into the dead connection.
      await gone;
      const second = await newPeer();
      const router2 = await second.socket('ROUTER', { linger: 0 });
      expect(await router2.bind(ep)).toBe(ep);
      await withTimeout(dealer.send('after'), 10_000, 'Dealer.send after the peer restarted');
      // 'before' went to the dead peer; only 'after' may arrive, and it must.
      assertFramesEqual((await router2.receive(1, 10_000))[0]!, [B('survivor'), B('after')]);
      await router2.send(['survivor', 'hello again']);
      assertFramesEqual(await recv(dealer), [B('hello again')]);
    });
  });

  describe('our Router <-> libzmq DEALER', () => {
    it("our Router binds, libzmq DEALER connects: peer's Identity is our routingId", async () => {
      const router = newRouter();
      const requested = bindEndpoint(t);
      await withTimeout(router.bind(requested), 5000, 'Router.bind');
      const ep = resolvedEndpoint(router, requested, t);

      const peer = await newPeer();
      const dealer = await peer.socket('DEALER', { routingId: 'peer-A', linger: 0 });
      await dealer.connect(ep);
      await dealer.send(['hi', '', 'there']);

      const m = await recv(router);
      assertFramesEqual(m, [B('peer-A'), B('hi'), Buffer.alloc(0), B('there')], 'our Router received');

      await withTimeout(router.send([m[0]!, 'a', '', 'b']), 5000, 'Router.send');
      const [r] = await dealer.receive(1, 5000);
      assertFramesEqual(r!, [B('a'), Buffer.alloc(0), B('b')], 'libzmq DEALER received');
      await dealer.expectNoMessage(100);
    });

    it('our Router connects to a bound libzmq DEALER without routing id: 5-byte generated id', async () => {
      const peer = await newPeer();
      const dealer = await peer.socket('DEALER', { linger: 0 });
      const ep = await dealer.bind(bindEndpoint(t));

      const router = newRouter();
      router.connect(ep);
      await dealer.send(['anonymous']);
      const m = await recv(router);
      expect(m.length).toBe(2);
      expectGeneratedId(m[0], 'our Router id for libzmq DEALER');
      assertFramesEqual(m.slice(1), [B('anonymous')]);

      await withTimeout(router.send([m[0]!, 'routed back']), 5000, 'Router.send');
      assertFramesEqual((await dealer.receive(1, 5000))[0]!, [B('routed back')]);
    });

    it('frame sizes 0 B / 255 B / 256 B / 1 MiB and empty frames, both directions', async () => {
      const router = newRouter();
      await withTimeout(router.bind(bindEndpoint(t)), 5000, 'Router.bind');
      const peer = await newPeer();
      const dealer = await peer.socket('DEALER', { routingId: 'sz', linger: 0 });
      await dealer.connect(router.lastEndpoint as string);

      const msgs = sizeMessages();
      for (const msg of msgs) await dealer.send(msg);
      const got = await recvN(router, msgs.length, 10_000, 'our Router');
      got.forEach((m, i) => assertFramesEqual(m, [B('sz'), ...msgs[i]!], `our Router message ${i}`));

      for (const msg of msgs) await withTimeout(router.send([B('sz'), ...msg]), 10_000, 'Router.send');
      const back = await dealer.receive(msgs.length, 10_000);
      back.forEach((m, i) => assertFramesEqual(m, msgs[i]!, `libzmq DEALER message ${i}`));
    });

    fullIt('three libzmq DEALERs with routing ids on our Router: routed by id both ways', async () => {
      const router = newRouter();
      await withTimeout(router.bind(bindEndpoint(t)), 5000, 'Router.bind');
      const ep = router.lastEndpoint as string;
      const peer = await newPeer();
      const ids = ['A', 'B', 'C'];
      const dealers: PeerSocket[] = [];
      for (const id of ids) {
        const d = await peer.socket('DEALER', { routingId: id, linger: 0 });
        await d.connect(ep);
        dealers.push(d);
      }
      for (const [i, d] of dealers.entries()) await d.send(['from', ids[i]!]);

      const got = await recvN(router, 3, 5000, 'our Router');
      for (const m of got) {
        expect(m.length).toBe(3);
        expect(m[0]!.toString(), 'routing id matches the sender').toBe(m[2]!.toString());
      }
      expect(got.map((m) => m[0]!.toString()).sort()).toEqual(ids);

      for (let round = 0; round < 3; round++) {
        for (const id of ['C', 'A', 'B']) await withTimeout(router.send([B(id), `for ${id}`, String(round)]), 5000, 'Router.send');
      }
      for (const [i, d] of dealers.entries()) {
        const msgs = await d.receive(3, 5000);
        msgs.forEach((m, round) => assertFramesEqual(m, [B(`for ${ids[i]}`), B(String(round))], `DEALER ${ids[i]} round ${round}`));
        await d.expectNoMessage(100);
      }
    });

    fullIt('three libzmq DEALERs without ids: distinct 5-byte 0x00-prefixed ids, replies routed', async () => {
      const router = newRouter();
      await withTimeout(router.bind(bindEndpoint(t)), 5000, 'Router.bind');
      const ep = router.lastEndpoint as string;
      const peer = await newPeer();
      const dealers: PeerSocket[] = [];
      for (let i = 0; i < 3; i++) {
        const d = await peer.socket('DEALER', { linger: 0 });
        await d.connect(ep);
        await d.send(['who', String(i)]);
        dealers.push(d);
      }
      const got = await recvN(router, 3, 5000, 'our Router');
      const byIndex = new Map<string, Buffer>();
      for (const m of got) {
        expectGeneratedId(m[0], 'generated id');
        byIndex.set(m[2]!.toString(), m[0]!);
      }
      const hexes = new Set([...byIndex.values()].map((b) => b.toString('hex')));
      expect(hexes.size, `ids are distinct: ${[...hexes].join(',')}`).toBe(3);
      for (let i = 0; i < 3; i++) await withTimeout(router.send([byIndex.get(String(i))!, `you are ${i}`]), 5000, 'Router.send');
      for (let i = 0; i < 3; i++) {
        assertFramesEqual((await dealers[i]!.receive(1, 5000))[0]!, [B(`you are ${i}`)], `DEALER ${i}`);
      }
    });

    it('mandatory: sending to an unknown id rejects with EHOSTUNREACH; known id still works', async () => {
      const router = newRouter({ mandatory: true });
      await withTimeout(router.bind(bindEndpoint(t)), 5000, 'Router.bind');
      const peer = await newPeer();
      const dealer = await peer.socket('DEALER', { routingId: 'known', linger: 0 });
      await dealer.connect(router.lastEndpoint as string);
      await dealer.send('hello');
      assertFramesEqual(await recv(router), [B('known'), B('hello')]);

      const err = await withTimeout(
        router.send(['unknown', 'x']).then(
          () => null,
          (e: unknown) => e,
        ),
        5000,
        'Router.send to unknown id with mandatory',
      );
      expect(err, 'send to an unknown id must reject').not.toBeNull();
      expect(err).toBeInstanceOf(ZmqError);
      expect((err as ZmqError).code).toBe('EHOSTUNREACH');

      await withTimeout(router.send(['known', 'ok']), 5000, 'Router.send');
      assertFramesEqual((await dealer.receive(1, 5000))[0]!, [B('ok')]);
      await dealer.expectNoMessage(100);
    });

    fullIt('without mandatory: unknown id is dropped silently, the next routable message arrives', async () => {
      const router = newRouter();
      await withTimeout(router.bind(bindEndpoint(t)), 5000, 'Router.bind');
      const peer = await newPeer();
      const dealer = await peer.socket('DEALER', { routingId: 'known', linger: 0 });
      await dealer.connect(router.lastEndpoint as string);
      await dealer.send('hello');
      assertFramesEqual(await recv(router), [B('known'), B('hello')]);

      await withTimeout(router.send(['unknown', 'lost']), 5000, 'Router.send to unknown id resolves');
      await withTimeout(router.send(['known', 'next']), 5000, 'Router.send');
      const [m] = await dealer.receive(1, 5000);
      assertFramesEqual(m!, [B('next')], 'first message at the DEALER is the routable one');
      await dealer.expectNoMessage(150);
    });

    fullIt("Router can address a peer first, right after its 'handshake' event", async () => {
      const router = newRouter({ mandatory: true });
      const events: string[] = [];
      router.events.on('handshake', (e: { type: string; address: string }) => {
        events.push(`${e.type} ${e.address}`);
      });
      const handshake = nextEvent(router, 'handshake');
      handshake.catch(() => {});
      await withTimeout(router.bind(bindEndpoint(t)), 5000, 'Router.bind');
      const peer = await newPeer();
      const dealer = await peer.socket('DEALER', { routingId: 'silent', linger: 0 });
      await dealer.connect(router.lastEndpoint as string);
      await handshake;
      expect(events.length).toBe(1);
      await withTimeout(router.send(['silent', 'you first']), 5000, 'Router.send after handshake');
      assertFramesEqual((await dealer.receive(1, 5000))[0]!, [B('you first')]);
    });

    fullIt(`bulk: ${BULK} messages each way with 300 B frames arrive complete and in order`, async () => {
      const router = newRouter({ mandatory: true });
      await withTimeout(router.bind(bindEndpoint(t)), 5000, 'Router.bind');
      const peer = await newPeer();
      const dealer = await peer.socket('DEALER', { routingId: 'bulk', linger: 0 });
      await dealer.connect(router.lastEndpoint as string);
      const payload = frameOf(300);

      const tx = dealer.sendMany([payload], BULK);
      tx.catch(() => {});
      const got = await recvN(router, BULK, 10_000, 'our Router bulk');
      got.forEach((m, i) => assertFramesEqual(m, [B('bulk'), payload, seqFrame(i)], `our Router message #${i}`));
      await tx;

      // mandatory: at the high-water mark send must wait, not drop.
      const rx = dealer.receive(BULK, 20_000);
      rx.catch(() => {});
      for (let i = 0; i < BULK; i++) {
        await withTimeout(router.send([B('bulk'), payload, seqFrame(i)]), 5000, `Router.send #${i}`);
      }
      const back = await rx;
      back.forEach((m, i) => assertFramesEqual(m, [payload, seqFrame(i)], `libzmq DEALER message #${i}`));
    });

    fullIt('heartbeats: libzmq DEALER pings our Router (100 ms, timeout 400 ms); we pong, no reconnects', async () => {
      const router = newRouter();
      const drops: string[] = [];
      router.events.on('disconnect', (e: { address: string }) => drops.push(e.address));
      await withTimeout(router.bind(bindEndpoint(t)), 5000, 'Router.bind');
      const peer = await newPeer();
      const dealer = await peer.socket('DEALER', {
        routingId: 'hb',
        linger: 0,
        heartbeatInterval: 100,
        heartbeatTimeout: 400,
        heartbeatTimeToLive: 1000,
      });
      await dealer.connect(router.lastEndpoint as string);
      await dealer.send('start');
      assertFramesEqual(await recv(router), [B('hb'), B('start')]);
      await sleep(1500); // the scenario: an idle connection kept alive only by PING/PONG
      const peerEvents = (await dealer.events()).map((e) => e.type);
      expect(peerEvents.filter((e) => e === 'connect').length, `libzmq events: ${peerEvents.join(',')}`).toBe(1);
      expect(peerEvents, 'libzmq saw no disconnect (we answered its PINGs)').not.toContain('disconnect');
      expect(drops, 'our Router saw no disconnect').toEqual([]);
      await withTimeout(router.send(['hb', 'still here']), 5000, 'Router.send');
      assertFramesEqual((await dealer.receive(1, 5000))[0]!, [B('still here')]);
    });

    fullIt('mandatory: a peer that went away becomes unreachable (EHOSTUNREACH)', async () => {
      const router = newRouter({ mandatory: true });
      await withTimeout(router.bind(bindEndpoint(t)), 5000, 'Router.bind');
      const peer = await newPeer();
      const dealer = await peer.socket('DEALER', { routingId: 'leaver', linger: 0 });
      await dealer.connect(router.lastEndpoint as string);
      await dealer.send('hello');
      assertFramesEqual(await recv(router), [B('leaver'), B('hello')]);
      const gone = nextEvent(router, 'disconnect');
      gone.catch(() => {});
      await peer.kill();
      await gone;
      const err = await withTimeout(
        router.send(['leaver', 'x']).then(
          () => null,
          (e: unknown) => e,
        ),
        5000,
        'Router.send to a departed peer',
      );
      expect(err, 'send to a departed peer must reject').toBeInstanceOf(ZmqError);
      expect((err as ZmqError).code).toBe('EHOSTUNREACH');
    });

    fullIt('maxMessageSize: an oversized frame from libzmq drops that peer only', async () => {
      const router = newRouter({ maxMessageSize: 1024 });
      await withTimeout(router.bind(bindEndpoint(t)), 5000, 'Router.bind');
      const ep = router.lastEndpoint as string;
      const peer = await newPeer();
      const big = await peer.socket('DEALER', { routingId: 'big', linger: 0 });
      const small = await peer.socket('DEALER', { routingId: 'small', linger: 0 });
      await small.connect(ep);
      await small.send('first');
      assertFramesEqual(await recv(router), [B('small'), B('first')]);
      const dropped = nextEvent(router, 'disconnect');
      dropped.catch(() => {});
      await big.connect(ep);
      await big.send(['ok', frameOf(1024)]); // exactly the limit: fine
      assertFramesEqual((await recv(router)).slice(0, 2), [B('big'), B('ok')]);
      await big.send(['too big', frameOf(1025)]);
      await dropped;
      await small.send('second');
      assertFramesEqual(await recv(router), [B('small'), B('second')], 'the other peer carries on');
      await expectNothing(router, 150, 'our Router after dropping the oversized peer');
    });

    fullIt('handover: a second libzmq DEALER with the same routing id takes the id over', async () => {
      const router = newRouter({ mandatory: true, handover: true });
      await withTimeout(router.bind(bindEndpoint(t)), 5000, 'Router.bind');
      const ep = router.lastEndpoint as string;
      const first = await newPeer();
      const d1 = await first.socket('DEALER', { routingId: 'phoenix', linger: 0 });
      await d1.connect(ep);
      await d1.send('one');
      assertFramesEqual(await recv(router), [B('phoenix'), B('one')]);

      const second = await newPeer();
      const d2 = await second.socket('DEALER', { routingId: 'phoenix', linger: 0 });
      await d2.connect(ep);
      await d2.send('two');
      assertFramesEqual(await recv(router), [B('phoenix'), B('two')]);
      await withTimeout(router.send(['phoenix', 'to the new one']), 5000, 'Router.send');
      assertFramesEqual((await d2.receive(1, 5000))[0]!, [B('to the new one')]);
      await d1.expectNoMessage(150);
    });

    fullIt('connect before bind: our Router connects, libzmq DEALER binds 300 ms later and sends', async () => {
      const ep = t === 'tcp' ? `tcp://127.0.0.1:${await freeTcpPort()}` : ipcEndpoint();
      const router = newRouter();
      router.connect(ep);
      await sleep(300); // the scenario: nobody listens yet, our side retries
      const peer = await newPeer();
      const dealer = await peer.socket('DEALER', { routingId: 'late', linger: 0 });
      expect(await dealer.bind(ep)).toBe(ep);
      await dealer.send(['late hello']);
      assertFramesEqual(await recv(router, 10_000), [B('late'), B('late hello')]);
      await withTimeout(router.send(['late', 'late reply']), 5000, 'Router.send');
      assertFramesEqual((await dealer.receive(1, 5000))[0]!, [B('late reply')]);
    });
  });
}
