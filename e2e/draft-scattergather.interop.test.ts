/**
 * Monocoque SCATTER/GATHER (`@monocoque/scattergather`, RFC 49) against real libzmq (npm
 * `zeromq` 6's draft `Scatter`/`Gather`, libzmq 4.3.5) in separate processes: our SCATTER
 * to their GATHER and the reverse, each side binding in turn, over TCP and IPC; our
 * SCATTER spreads round-robin over two libzmq GATHERs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Gather, Scatter } from '@monocoque/scattergather';
import { spawnZmqPeer, type PeerSocket } from './helpers/peer.js';
import { bindEndpoint, type Transport } from './helpers/endpoints.js';
import { assertFramesEqual, frameOf, Scope, withTimeout } from './helpers/util.js';

const B = (s: string) => Buffer.from(s, 'utf8');
const scope = new Scope();
afterEach(() => scope.cleanup());

const payloads = (): Buffer[] => [B('one'), Buffer.alloc(0), frameOf(255), frameOf(1 << 20)];

async function theirs(type: 'SCATTER' | 'GATHER'): Promise<PeerSocket> {
  const peer = await spawnZmqPeer();
  return peer.socket(type, { linger: 0 });
}

async function scatterToThem(ours: Scatter, gather: PeerSocket): Promise<void> {
  const sent = payloads();
  for (const m of sent) await withTimeout(ours.send(m), 5000, 'our Scatter send');
  const got = await gather.receive(sent.length, 5000);
  for (const [i, m] of sent.entries()) assertFramesEqual(got[i]!, [m], `message ${i}`);
}

async function gatherFromThem(ours: Gather, scatter: PeerSocket): Promise<void> {
  const sent = payloads();
  for (const m of sent) await scatter.send([m]);
  for (const [i, m] of sent.entries()) assertFramesEqual(await withTimeout(ours.receive(), 5000, `our Gather receive ${i}`), [m], `message ${i}`);
}

describe.each<Transport>(['tcp', 'ipc'])('SCATTER/GATHER interop with libzmq over %s', (t) => {
  it('our Scatter binds, libzmq GATHER connects', async () => {
    const ours = scope.track(new Scatter({ linger: 0 }));
    await ours.bind(bindEndpoint(t));
    const gather = await theirs('GATHER');
    await gather.connect(ours.lastEndpoint!);
    await scatterToThem(ours, gather);
  });

  it('our Scatter connects, libzmq GATHER binds', async () => {
    const gather = await theirs('GATHER');
    const ours = scope.track(new Scatter({ linger: 0 }));
    ours.connect(await gather.bind(bindEndpoint(t)));
    await scatterToThem(ours, gather);
  });

  it('our Gather binds, libzmq SCATTER connects', async () => {
    const ours = scope.track(new Gather({ linger: 0 }));
    await ours.bind(bindEndpoint(t));
    const scatter = await theirs('SCATTER');
    await scatter.connect(ours.lastEndpoint!);
    await gatherFromThem(ours, scatter);
  });

  it('our Gather connects, libzmq SCATTER binds', async () => {
    const scatter = await theirs('SCATTER');
    const ours = scope.track(new Gather({ linger: 0 }));
    ours.connect(await scatter.bind(bindEndpoint(t)));
    await gatherFromThem(ours, scatter);
  });
});

describe('SCATTER round robin against libzmq', () => {
  it('our Scatter spreads messages evenly over two libzmq GATHERs', async () => {
    const ours = scope.track(new Scatter({ linger: 0 }));
    await ours.bind('tcp://127.0.0.1:*');
    const gathers = [await theirs('GATHER'), await theirs('GATHER')];
    let up = 0;
    const both = new Promise<void>((resolve) => ours.events.on('handshake', () => ++up === 2 && resolve()));
    for (const g of gathers) await g.connect(ours.lastEndpoint!);
    await withTimeout(both, 5000, 'two GATHER handshakes');
    for (let i = 0; i < 10; i++) await ours.send(String(i));
    const got = await Promise.all(gathers.map((g) => g.receive(5, 5000)));
    const each = got.map((msgs) => msgs.map((m) => Number(String(m[0]))));
    for (const nums of each) expect(nums.map((n) => n % 2)).toEqual(Array(5).fill(nums[0]! % 2));
    expect([...each[0]!, ...each[1]!].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
