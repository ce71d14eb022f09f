/**
 * Monocoque PUSH/PULL (`@monocoque/pipeline`) against real libzmq (npm `zeromq` 6,
 * libzmq 4.3.5) in separate processes: both roles, both bind directions, TCP and IPC,
 * multipart; then behaviour: our Push spreads 3,000 messages evenly over 3 libzmq PULLs,
 * our Pull fair-queues 3 libzmq PUSHes, our Push waits (never drops) for a peer.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Pull, Push } from '@monocoque/pipeline';
import { spawnZmqPeer, type PeerSocket } from './helpers/peer.js';
import { bindEndpoint, type Transport } from './helpers/endpoints.js';
import { assertFramesEqual, frameOf, Scope, sleep, withTimeout } from './helpers/util.js';
import { recv, recvN } from './helpers/ours.js';

const B = (s: string) => Buffer.from(s, 'utf8');
const E = Buffer.alloc(0);

const scope = new Scope();
afterEach(() => scope.cleanup());

const newPush = (o: ConstructorParameters<typeof Push>[0] = {}) => scope.track(new Push({ linger: 0, ...o }));
const newPull = (o: ConstructorParameters<typeof Pull>[0] = {}) => scope.track(new Pull({ linger: 0, ...o }));

function payloads(): Buffer[][] {
  return [[B('one')], [B('a'), E, B('c')], [frameOf(0)], [frameOf(255), frameOf(256), frameOf(1 << 20)]];
}

/** Resolve once our socket has seen `n` handshakes (call before connecting). */
function handshakes(sock: Push | Pull, n: number, ms = 5000): Promise<void> {
  let seen = 0;
  const listener = () => ++seen >= n && resolve?.();
  let resolve: (() => void) | undefined;
  const p = new Promise<void>((r) => {
    resolve = r;
    sock.events.on('handshake', listener);
  });
  return withTimeout(p, ms, `${n} handshake(s) on our socket`).finally(() => sock.events.off('handshake', listener));
}

describe.each<Transport>(['tcp', 'ipc'])('PUSH/PULL interop with libzmq over %s', (t) => {
  it('our Push binds, libzmq PULL connects', async () => {
    const push = newPush();
    await push.bind(bindEndpoint(t));
    const peer = await spawnZmqPeer();
    const pull = await peer.socket('PULL', { linger: 0 });
    await pull.connect(push.lastEndpoint!);
    const msgs = payloads();
    for (const m of msgs) await withTimeout(push.send(m), 5000, 'Push.send');
    const got = await pull.receive(msgs.length, 10_000);
    msgs.forEach((m, i) => assertFramesEqual(got[i]!, m, `message ${i}`));
  });

  it('our Push connects, libzmq PULL binds', async () => {
    const peer = await spawnZmqPeer();
    const pull = await peer.socket('PULL', { linger: 0 });
    const ep = await pull.bind(bindEndpoint(t));
    const push = newPush();
    push.connect(ep);
    const msgs = payloads();
    for (const m of msgs) await withTimeout(push.send(m), 5000, 'Push.send');
    const got = await pull.receive(msgs.length, 10_000);
    msgs.forEach((m, i) => assertFramesEqual(got[i]!, m, `message ${i}`));
  });

  it('our Pull binds, libzmq PUSH connects', async () => {
    const pull = newPull();
    await pull.bind(bindEndpoint(t));
    const peer = await spawnZmqPeer();
    const push = await peer.socket('PUSH', { linger: 0 });
    await push.connect(pull.lastEndpoint!);
    const msgs = payloads();
    for (const m of msgs) await push.send(m);
    for (const [i, m] of msgs.entries()) assertFramesEqual(await recv(pull), m, `message ${i}`);
  });

  it('our Pull connects, libzmq PUSH binds', async () => {
    const peer = await spawnZmqPeer();
    const push = await peer.socket('PUSH', { linger: 0 });
    const ep = await push.bind(bindEndpoint(t));
    const pull = newPull();
    pull.connect(ep);
    const msgs = payloads();
    for (const m of msgs) await push.send(m);
    for (const [i, m] of msgs.entries()) assertFramesEqual(await recv(pull), m, `message ${i}`);
  });
});

describe('PUSH/PULL behaviour against libzmq', () => {
  it('our Push spreads 3,000 messages evenly (±10%) over 3 libzmq PULL peers', async () => {
    const push = newPush();
    await push.bind('tcp://127.0.0.1:*');
    const peers = await Promise.all([spawnZmqPeer(), spawnZmqPeer(), spawnZmqPeer()]);
    const pulls = await Promise.all(peers.map((p) => p.socket('PULL', { linger: 0 })));
    const ready = handshakes(push, 3);
    for (const p of pulls) await p.connect(push.lastEndpoint!);
    await ready;
    for (let i = 0; i < 3000; i++) {
      const seq = Buffer.alloc(4);
      seq.writeUInt32BE(i);
      await push.send([B('job'), seq]);
    }
    await withTimeout(push.flush(), 5000, 'flush');
    const counts = await Promise.all(
      pulls.map(async (p) => {
        const first = await p.receive(900, 15_000); // at least 90% of a third
        const rest = await p.receiveUpTo(1200, 1000);
        return [...first, ...rest];
      }),
    );
    const n = counts.map((c) => c.length);
    expect(n.reduce((a, b) => a + b, 0), `all delivered (${n.join('/')})`).toBe(3000);
    for (const x of n) expect(Math.abs(x - 1000), `even spread (${n.join('/')})`).toBeLessThanOrEqual(100);
    const all = new Set(counts.flat().map((m) => m[1]!.readUInt32BE(0)));
    expect(all.size).toBe(3000);
    for (const c of counts) {
      const seqs = c.map((m) => m[1]!.readUInt32BE(0));
      expect(seqs, 'each peer receives in send order').toEqual([...seqs].sort((a, b) => a - b));
    }
  });

  it('our Pull fair-queues 3 libzmq PUSH peers', async () => {
    const pull = newPull();
    await pull.bind('tcp://127.0.0.1:*');
    const peer = await spawnZmqPeer();
    const pushes = await Promise.all([0, 1, 2].map(() => peer.socket('PUSH', { linger: 0 })));
    const ready = handshakes(pull, 3);
    for (const p of pushes) await p.connect(pull.lastEndpoint!);
    await ready;
    await Promise.all(pushes.map((p, i) => p.sendMany([B(`p${i}`)], 100)));
    // Timing matters here: fairness shows only once all three have messages queued.
    await sleep(300);
    const got = await recvN(pull, 300, 5000, 'fair-queued');
    const src = got.map((m) => m[0]!.toString());
    for (let k = 0; k < 300; k += 3) {
      expect(new Set(src.slice(k, k + 3)).size, `messages ${k}..${k + 2} come from 3 different peers: ${src.slice(k, k + 3)}`).toBe(3);
    }
    for (const i of [0, 1, 2]) {
      const seqs = got.filter((m) => m[0]!.toString() === `p${i}`).map((m) => m[1]!.readUInt32BE(0));
      expect(seqs).toEqual(Array.from({ length: 100 }, (_, j) => j));
    }
  });

  it('our Push waits (never drops) until a libzmq PULL connects', async () => {
    const push = newPush();
    await push.bind('tcp://127.0.0.1:*');
    const sends = [push.send('first'), push.send(['second', 'part'])];
    await sleep(200);
    const peer = await spawnZmqPeer();
    const pull = await peer.socket('PULL', { linger: 0 });
    await pull.connect(push.lastEndpoint!);
    await withTimeout(Promise.all(sends), 5000, 'queued sends');
    const got = await pull.receive(2, 5000);
    assertFramesEqual(got[0]!, [B('first')], 'first');
    assertFramesEqual(got[1]!, [B('second'), B('part')], 'second');
  });

  it('PUSH <-> PUB is refused in the handshake', async () => {
    const peer = await spawnZmqPeer();
    const pub = await peer.socket('PUB', { linger: 0 });
    const push = newPush();
    const refused = withTimeout(push.events.once('handshake:error:protocol'), 5000, 'handshake:error:protocol');
    push.connect(await pub.bind('tcp://127.0.0.1:*'));
    expect((await refused).error?.code).toBe('ENOCOMPATPROTO');
  });
});
