/**
 * Monocoque PAIR (`@monocoque/pair`) against real libzmq (npm `zeromq` 6, libzmq 4.3.5)
 * in separate processes: both bind directions, TCP and IPC, multipart both ways; a second
 * libzmq PAIR is refused while the first is attached; send waits for a peer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Pair } from '@monocoque/pair';
import { spawnZmqPeer, type PeerSocket } from './helpers/peer.js';
import { bindEndpoint, type Transport } from './helpers/endpoints.js';
import { assertFramesEqual, frameOf, Scope, sleep, withTimeout } from './helpers/util.js';
import { expectNothing, recv } from './helpers/ours.js';

const B = (s: string) => Buffer.from(s, 'utf8');
const E = Buffer.alloc(0);

const scope = new Scope();
afterEach(() => scope.cleanup());

const newPair = (o: ConstructorParameters<typeof Pair>[0] = {}) => scope.track(new Pair({ linger: 0, ...o }));

function payloads(): Buffer[][] {
  return [[B('one')], [B('a'), E, B('c')], [frameOf(0)], [frameOf(255), frameOf(256), frameOf(1 << 20)]];
}

async function exchange(ours: Pair, theirs: PeerSocket): Promise<void> {
  for (const [i, m] of payloads().entries()) {
    await withTimeout(ours.send(m), 5000, 'Pair.send');
    assertFramesEqual((await theirs.receive(1, 5000))[0]!, m, `to libzmq ${i}`);
    await theirs.send(m);
    assertFramesEqual(await recv(ours), m, `from libzmq ${i}`);
  }
}

describe.each<Transport>(['tcp', 'ipc'])('PAIR interop with libzmq over %s', (t) => {
  it('our Pair binds, libzmq PAIR connects: multipart both ways', async () => {
    const ours = newPair();
    await ours.bind(bindEndpoint(t));
    const peer = await spawnZmqPeer();
    const theirs = await peer.socket('PAIR', { linger: 0 });
    await theirs.connect(ours.lastEndpoint!);
    await exchange(ours, theirs);
  });

  it('our Pair connects, libzmq PAIR binds: multipart both ways', async () => {
    const peer = await spawnZmqPeer();
    const theirs = await peer.socket('PAIR', { linger: 0 });
    const ours = newPair();
    ours.connect(await theirs.bind(bindEndpoint(t)));
    await exchange(ours, theirs);
  });
});

describe('PAIR behaviour against libzmq', () => {
  it('a second libzmq PAIR is refused while the first is attached', async () => {
    const ours = newPair();
    await ours.bind('tcp://127.0.0.1:*');
    const peer = await spawnZmqPeer();
    const first = await peer.socket('PAIR', { linger: 0 });
    const attached = withTimeout(ours.events.once('handshake'), 5000, 'first handshake');
    await first.connect(ours.lastEndpoint!);
    await attached;
    const second = await peer.socket('PAIR', { linger: 0, reconnectInterval: 50 });
    const dropped = withTimeout(ours.events.once('disconnect'), 5000, 'second peer dropped');
    await second.connect(ours.lastEndpoint!);
    await dropped;
    await second.send('from the second', { timeoutMs: 200 }).catch(() => undefined); // may be lost or stay queued
    await first.send('from the first');
    assertFramesEqual(await recv(ours), [B('from the first')], 'only the first peer is heard');
    await expectNothing(ours, 300, 'our Pair (nothing from the refused peer)');
    await ours.send('to the first');
    assertFramesEqual((await first.receive(1, 5000))[0]!, [B('to the first')], 'reply reaches the first');
    await second.expectNoMessage(200);
  });

  it('our Pair send waits (never drops) until a libzmq PAIR connects', async () => {
    const ours = newPair();
    await ours.bind('tcp://127.0.0.1:*');
    const sent = ours.send(['early', 'bird']);
    await sleep(200);
    const peer = await spawnZmqPeer();
    const theirs = await peer.socket('PAIR', { linger: 0 });
    await theirs.connect(ours.lastEndpoint!);
    await withTimeout(sent, 5000, 'send after connect');
    assertFramesEqual((await theirs.receive(1, 5000))[0]!, [B('early'), B('bird')], 'queued message');
  });

  it('PAIR <-> PUSH is refused in the handshake', async () => {
    const peer = await spawnZmqPeer();
    const push = await peer.socket('PUSH', { linger: 0 });
    const ours = newPair();
    const refused = withTimeout(ours.events.once('handshake:error:protocol'), 5000, 'handshake:error:protocol');
    ours.connect(await push.bind('tcp://127.0.0.1:*'));
    expect((await refused).error?.code).toBe('ENOCOMPATPROTO');
  });
});
