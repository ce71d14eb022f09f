/**
 * Monocoque PEER (`@monocoque/peer`, RFC 51) against real libzmq 4.3.5's draft `ZMQ_PEER`
 * (the libzmq inside npm `zeromq`'s addon, driven by the small C helper
 * e2e/peers/zmq-draft-peer.c, since zeromq.js cannot address a PEER) in a separate
 * process: each side binding and the other `connectPeer`-ing, over TCP and IPC; each side
 * sends first to the routing id its `connectPeer` returned, and replies to the one a
 * message arrived with.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Peer } from '@monocoque/peer';
import { type DraftPeer, draftPeerUnavailableReason, spawnDraftPeer } from './helpers/draft-peer.js';
import { bindEndpoint, type Transport } from './helpers/endpoints.js';
import { frameOf, Scope, withTimeout } from './helpers/util.js';

const scope = new Scope();
const helpers: DraftPeer[] = [];
afterEach(async () => {
  for (const h of helpers.splice(0)) h.close();
  await scope.cleanup();
});

const unavailable = await draftPeerUnavailableReason();
if (unavailable !== undefined) console.warn(`SKIPPING the PEER interop tests: no libzmq PEER to test against: ${unavailable}`);

async function theirs(): Promise<DraftPeer> {
  const p = await spawnDraftPeer();
  helpers.push(p);
  return p;
}

const payloads = (): Buffer[] => [Buffer.from('one'), Buffer.alloc(0), frameOf(255), frameOf(64 * 1024)];

describe.each<Transport>(['tcp', 'ipc'])('PEER interop with libzmq over %s', (t) => {
  it.skipIf(unavailable !== undefined)('our Peer binds, libzmq PEER connects (zmq_connect_peer) and speaks first', async () => {
    const ours = scope.track(new Peer({ linger: 0 }));
    await ours.bind(bindEndpoint(t));
    const peer = await theirs();
    const toUs = await peer.connectPeer(ours.lastEndpoint!);
    expect(toUs).toBeGreaterThan(0);
    for (const [i, m] of payloads().entries()) {
      await peer.send(toUs, m);
      const [payload, { routingId }] = await withTimeout(ours.receive(), 5000, `our Peer receive ${i}`);
      expect(payload.equals(m), `message ${i} from libzmq`).toBe(true);
      await withTimeout(ours.send(m, { routingId }), 5000, 'our Peer send');
      const back = await peer.receive(5000);
      expect(back.routingId).toBe(toUs);
      expect(back.payload.equals(m), `message ${i} to libzmq`).toBe(true);
    }
  });

  it.skipIf(unavailable !== undefined)('libzmq PEER binds, our Peer connectPeer()s and speaks first', async () => {
    const peer = await theirs();
    const ep = await peer.bind(bindEndpoint(t));
    const ours = scope.track(new Peer({ linger: 0 }));
    const toThem = ours.connectPeer(ep);
    for (const [i, m] of payloads().entries()) {
      await withTimeout(ours.send(m, { routingId: toThem }), 5000, 'our Peer send');
      const got = await peer.receive(5000);
      expect(got.routingId).toBeGreaterThan(0);
      expect(got.payload.equals(m), `message ${i} to libzmq`).toBe(true);
      await peer.send(got.routingId, m);
      const [payload, { routingId }] = await withTimeout(ours.receive(), 5000, `our Peer receive ${i}`);
      expect(routingId).toBe(toThem);
      expect(payload.equals(m), `message ${i} from libzmq`).toBe(true);
    }
  });
});

describe('PEER routing against libzmq', () => {
  it.skipIf(unavailable !== undefined)('our Peer connects to two libzmq PEERs and routes to each by its id', async () => {
    const ours = scope.track(new Peer({ linger: 0 }));
    const peers = [await theirs(), await theirs()];
    const ids: number[] = [];
    for (const p of peers) ids.push(ours.connectPeer(await p.bind('tcp://127.0.0.1:*')));
    expect(ids[0]).not.toBe(ids[1]);
    for (const i of [1, 0]) await ours.send(`to ${i}`, { routingId: ids[i]! });
    for (const [i, p] of peers.entries()) expect(String((await p.receive(5000)).payload)).toBe(`to ${i}`);
  });

  it.skipIf(unavailable !== undefined)('libzmq keeps its connectPeer routing id across a reconnection, as ours does', async () => {
    const ep = bindEndpoint('ipc');
    let ours = scope.track(new Peer({ linger: 0 }));
    await ours.bind(ep);
    const peer = await theirs();
    const toUs = await peer.connectPeer(ep);
    await peer.send(toUs, 'first');
    expect(String((await withTimeout(ours.receive(), 5000, 'first'))[0])).toBe('first');
    // The listener closes asynchronously (io_uring especially): rebind once it has ('end').
    const ended = withTimeout(ours.events.once('end'), 5000, 'our Peer monitor end');
    ours.close();
    await ended;
    ours = scope.track(new Peer({ linger: 0 }));
    await ours.bind(ep);
    await peer.send(toUs, 'after reconnect'); // same id: libzmq's pipe outlives the connection
    expect(String((await withTimeout(ours.receive(), 5000, 'after reconnect'))[0])).toBe('after reconnect');
  });
});
