/**
 * Monocoque CHANNEL (`@monocoque/channel`, RFC 52) against real libzmq (libzmq 4.3.5's
 * draft `ZMQ_CHANNEL`, socket type 20, created through npm `zeromq` 6's generic `Socket`)
 * in separate processes: each side binding in turn, over TCP and IPC.
 */
import { afterEach, describe, it } from 'vitest';
import { Channel } from '@monocoque/channel';
import { spawnZmqPeer, type PeerSocket } from './helpers/peer.js';
import { bindEndpoint, type Transport } from './helpers/endpoints.js';
import { assertFramesEqual, frameOf, Scope, withTimeout } from './helpers/util.js';

const B = (s: string) => Buffer.from(s, 'utf8');
const scope = new Scope();
afterEach(() => scope.cleanup());

const payloads = (): Buffer[] => [B('one'), Buffer.alloc(0), frameOf(255), frameOf(1 << 20)];

async function exchange(ours: Channel, theirs: PeerSocket): Promise<void> {
  for (const [i, m] of payloads().entries()) {
    await withTimeout(ours.send(m), 5000, 'our Channel send');
    assertFramesEqual((await theirs.receive(1, 5000))[0]!, [m], `to libzmq ${i}`);
    await theirs.send([m]);
    assertFramesEqual(await withTimeout(ours.receive(), 5000, `our Channel receive ${i}`), [m], `from libzmq ${i}`);
  }
}

describe.each<Transport>(['tcp', 'ipc'])('CHANNEL interop with libzmq over %s', (t) => {
  it('our Channel binds, libzmq CHANNEL connects', async () => {
    const ours = scope.track(new Channel({ linger: 0 }));
    await ours.bind(bindEndpoint(t));
    const theirs = await (await spawnZmqPeer()).socket('CHANNEL', { linger: 0 });
    await theirs.connect(ours.lastEndpoint!);
    await exchange(ours, theirs);
  });

  it('our Channel connects, libzmq CHANNEL binds', async () => {
    const theirs = await (await spawnZmqPeer()).socket('CHANNEL', { linger: 0 });
    const ours = scope.track(new Channel({ linger: 0 }));
    ours.connect(await theirs.bind(bindEndpoint(t)));
    await exchange(ours, theirs);
  });
});
