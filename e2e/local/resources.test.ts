// Resource behaviour of Monocoque sockets over real loopback connections:
//  a) connect/disconnect cycles leak no handles, fds or heap;
//  b) a slow consumer in another process cannot make our PUSH buffer without bound;
//  c) a PUB keeps a fast subscriber at full rate while a slow one drops, never waiting.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { Dealer } from '@monocoque/dealer';
import { Push } from '@monocoque/pipeline';
import { Publisher, Subscriber } from '@monocoque/pubsub';
import { Router } from '@monocoque/router';
import { bindEndpoint, type Transport } from '../helpers/endpoints.js';
import { nextEvent, recv } from '../helpers/ours.js';
import { spawnZmqPeer } from '../helpers/peer.js';
import { Scope, sleep, withTimeout } from '../helpers/util.js';

const scope = new Scope();
afterEach(() => scope.cleanup());

/** `global.gc`, or one obtained through `--expose-gc` set at run time; undefined if neither works. */
function findGc(): (() => void) | undefined {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return g;
  try {
    setFlagsFromString('--expose-gc');
    const fromContext = runInNewContext('gc') as unknown;
    if (typeof fromContext === 'function') return fromContext as () => void;
  } catch {
    /* fall through */
  }
  return undefined;
}
const gc = findGc();

interface Snapshot {
  resources: Map<string, number>;
  fds: number;
  heap: number;
}

async function snapshot(): Promise<Snapshot> {
  // Let closes and timers of the last cycle run out, then collect twice (weak refs, finalizers).
  await sleep(50);
  if (gc) {
    gc();
    await new Promise((r) => setImmediate(r));
    gc();
  }
  const resources = new Map<string, number>();
  for (const type of process.getActiveResourcesInfo()) resources.set(type, (resources.get(type) ?? 0) + 1);
  return { resources, fds: readdirSync('/proc/self/fd').length, heap: process.memoryUsage().heapUsed };
}

function resourceGrowth(before: Snapshot, after: Snapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const type of new Set([...before.resources.keys(), ...after.resources.keys()])) {
    const d = (after.resources.get(type) ?? 0) - (before.resources.get(type) ?? 0);
    if (d !== 0) out[type] = d;
  }
  return out;
}

interface SinkEvent {
  event: string;
  [key: string]: unknown;
}

/** `peers/zmq-sink.mjs` (libzmq PULL) in its own process; its JSON lines as events. */
function spawnSink(config: Record<string, unknown>): { events: SinkEvent[]; next(type: string, ms: number): Promise<SinkEvent> } {
  const script = fileURLToPath(new URL('../peers/zmq-sink.mjs', import.meta.url));
  const child = spawn(process.execPath, [script, JSON.stringify(config)], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  scope.track({ close: () => child.kill('SIGKILL') });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  const events: SinkEvent[] = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    events.push(JSON.parse(line) as SinkEvent);
    for (const w of waiters) w();
  });
  let exited: string | undefined;
  child.on('exit', (code, signal) => {
    exited = `sink exited (code ${code}, signal ${signal}): ${stderr}`;
    for (const w of waiters) w();
  });
  const next = (type: string, ms: number): Promise<SinkEvent> => {
    let check: (() => void) | undefined;
    const p = new Promise<SinkEvent>((resolve, reject) => {
      check = () => {
        const fatal = events.find((e) => e.event === 'fatal');
        if (fatal) return reject(new Error(`sink: ${String(fatal.error)}`));
        const e = events.find((x) => x.event === type);
        if (e) return resolve(e);
        if (exited !== undefined) reject(new Error(exited));
      };
      waiters.add(check);
      check();
    });
    return withTimeout(p, ms, `sink event '${type}'`).finally(() => waiters.delete(check!));
  };
  return { events, next };
}

describe('resources', () => {
  for (const transport of ['tcp', 'ipc'] as Transport[]) {
    it(`1,000 connect/disconnect cycles of a Dealer on a bound Router (${transport}) leak nothing`, async () => {
      const router = scope.track(new Router({ linger: 0 }));
      await router.bind(bindEndpoint(transport));
      const endpoint = router.lastEndpoint!;
      const dealer = scope.track(new Dealer({ linger: 0, reconnectInterval: 10 }));

      const cycle = async (): Promise<void> => {
        const handshake = nextEvent(dealer, 'handshake', 5000);
        const gone = nextEvent(router, 'disconnect', 5000);
        dealer.connect(endpoint);
        await handshake;
        dealer.disconnect(endpoint);
        await gone; // the Router saw the connection end too
      };

      for (let i = 0; i < 200; i++) await cycle(); // warm-up: lazy allocations, JIT
      const before = await snapshot();
      const started = Date.now();
      for (let i = 0; i < 1000; i++) await cycle();
      const elapsed = Date.now() - started;
      const after = await snapshot();

      const growth = resourceGrowth(before, after);
      const fdDelta = after.fds - before.fds;
      const heapDelta = after.heap - before.heap;
      console.log(
        `${transport}: 1000 cycles in ${elapsed} ms; active resources delta ${JSON.stringify(growth)}; ` +
          `fds ${before.fds} -> ${after.fds}; heap ${(heapDelta / 1024).toFixed(0)} KiB ` +
          (gc ? '(after gc)' : '(gc unavailable: no --expose-gc, generous bound)'),
      );
      for (const [type, d] of Object.entries(growth)) expect(d, `active ${type} handles`).toBeLessThanOrEqual(2);
      expect(fdDelta).toBeLessThanOrEqual(2);
      // 1000 leaked connections of even 1 KiB each would be ~1 MiB.
      expect(heapDelta).toBeLessThan(gc ? 1024 * 1024 : 32 * 1024 * 1024);
    });
  }

  it('slow consumer in another process: 1 GiB through PUSH (sndhwm 100) → libzmq PULL (rcvhwm 100), RSS bounded', async () => {
    const COUNT = 16_384; // × 64 KiB = 1 GiB
    const SIZE = 64 * 1024;
    const SLOW = 200;
    const push = scope.track(new Push({ sendHighWaterMark: 100, linger: 0 }));
    await push.bind('tcp://127.0.0.1:*');
    const sink = spawnSink({
      connect: push.lastEndpoint,
      expect: COUNT,
      size: SIZE,
      receiveHighWaterMark: 100,
      slowCount: SLOW,
      slowDelayMs: 5,
      verifyEvery: 64,
    });
    await sink.next('ready', 15_000);

    gc?.();
    const rss0 = process.memoryUsage.rss();
    let peak = rss0;
    const sample = (): void => {
      peak = Math.max(peak, process.memoryUsage.rss());
    };
    const sampler = setInterval(sample, 20);
    scope.track({ close: () => clearInterval(sampler) });

    let sent = 0;
    let sentAtFast = -1;
    let sentAtMark = -1;
    void sink.next('slow-mark', 50_000).then(
      () => (sentAtMark = sent),
      () => {},
    );
    void sink.next('fast', 50_000).then(
      () => (sentAtFast = sent),
      () => {},
    );
    const started = Date.now();
    while (sent < COUNT) {
      // A fresh buffer per message, as an application would: if our queue grew without
      // bound, so would RSS.
      const frame = Buffer.allocUnsafe(SIZE).fill(sent & 0xff);
      frame.writeUInt32BE(sent, 0);
      await push.send(frame);
      sent++;
      if ((sent & 63) === 0) sample();
    }
    const done = await sink.next('done', 50_000);
    const elapsed = Date.now() - started;
    clearInterval(sampler);
    sample();

    const growthMiB = (peak - rss0) / 2 ** 20;
    const mibPerS = (COUNT * SIZE) / 2 ** 20 / (elapsed / 1000);
    console.log(
      `1 GiB PUSH → slow-then-fast libzmq PULL: ${elapsed} ms (${mibPerS.toFixed(0)} MiB/s incl. ${SLOW} × 5 ms slow phase); ` +
        `RSS start ${(rss0 / 2 ** 20).toFixed(0)} MiB, peak growth ${growthMiB.toFixed(1)} MiB; ` +
        `sent when the sink turned fast: ${sentAtFast} (sink had read ${SLOW}); sink read ${String(done.ms)} ms`,
    );
    expect(done.errors).toEqual([]);
    expect(done.received).toBe(COUNT);
    expect(done.bytes).toBe(COUNT * SIZE);
    expect(done.verified).toBe(COUNT / 64);
    // During the slow phase send() waited: what was handed over but not yet read is bounded
    // by both high-water marks plus what the kernel's socket buffers can hold at most
    // (Linux autotunes them up to tcp_wmem/tcp_rmem max), not 1 GiB.
    const kernelMax = (file: string): number => Number(readFileSync(file, 'utf8').trim().split(/\s+/)[2]);
    const kernelMessages = Math.ceil(
      (kernelMax('/proc/sys/net/ipv4/tcp_wmem') + kernelMax('/proc/sys/net/ipv4/tcp_rmem')) / SIZE,
    );
    // Sampled halfway through the slow phase (the sink had read SLOW / 2): a sample taken
    // when its `fast` line arrives would race the fast phase that has already begun.
    const inFlight = sentAtMark - SLOW / 2;
    console.log(`in flight halfway through the slow phase: ${inFlight} messages (allowed ${200 + kernelMessages + 50})`);
    expect(sentAtFast).toBeGreaterThan(SLOW);
    expect(inFlight).toBeGreaterThan(0);
    expect(inFlight).toBeLessThanOrEqual(200 + kernelMessages + 50);
    expect(growthMiB).toBeLessThan(256);
  }, 60_000);

  it('PUB: a fast subscriber gets all 20,000 of a burst while a slow one drops; send() never waits', async () => {
    const N = 20_000;
    const SIZE = 2048; // 40 MiB in all: far more than the slow path's kernel buffers hold
    const pub = scope.track(new Publisher({ linger: 0 }));
    await pub.bind('tcp://127.0.0.1:*');

    // Fast: our Subscriber in this process, reading all the time.
    const fast = scope.track(new Subscriber({ linger: 0 }));
    fast.subscribe('');
    fast.connect(pub.lastEndpoint!);
    // Slow: a libzmq SUB in another process with a small queue, not reading during the burst.
    const peer = await spawnZmqPeer();
    const slow = await peer.socket('SUB', { linger: 0, receiveHighWaterMark: 10, subscribe: '' });
    await slow.connect(pub.lastEndpoint!);

    // Both subscriptions are in place once a warm-up message reaches both.
    let warmedUp = false;
    const warming = (async () => {
      while (!warmedUp) {
        await pub.send(['warm']);
        await sleep(20);
      }
    })();
    await recv(fast, 5000, 'warm-up at the fast subscriber');
    await slow.receive(1, 5000);
    warmedUp = true;
    await warming;

    const fastSeqs: number[] = [];
    let fastDone: () => void = () => {};
    const fastFinished = new Promise<void>((r) => (fastDone = r));
    const reader = (async () => {
      for (;;) {
        const [kind, seq] = await fast.receive();
        if (kind!.toString() !== 'burst') continue;
        fastSeqs.push(seq!.readUInt32BE(0));
        if (fastSeqs.length === N) return fastDone();
      }
    })();
    reader.catch(() => {}); // ends with an error when the socket closes

    const payload = Buffer.alloc(SIZE, 0x5a);
    let slowestSendMs = 0;
    const burstStart = performance.now();
    for (let i = 0; i < N; i++) {
      const seq = Buffer.alloc(4);
      seq.writeUInt32BE(i, 0);
      const t = performance.now();
      await pub.send(['burst', seq, payload]);
      slowestSendMs = Math.max(slowestSendMs, performance.now() - t);
      // Let I/O run now and then, so the fast subscriber in this process keeps up.
      if (i % 100 === 99) await new Promise((r) => setImmediate(r));
    }
    const burstMs = performance.now() - burstStart;
    await withTimeout(fastFinished, 10_000, `fast subscriber: all ${N} (has ${fastSeqs.length})`);

    const slowMsgs = (await slow.receiveUpTo(N, 1500)).filter((m) => m[0]!.toString() === 'burst');
    const slowSeqs = slowMsgs.map((m) => m[1]!.readUInt32BE(0));
    console.log(
      `PUB burst of ${N} × ${SIZE} B in ${burstMs.toFixed(0)} ms (slowest send() ${slowestSendMs.toFixed(2)} ms): ` +
        `fast subscriber ${fastSeqs.length}, slow subscriber ${slowSeqs.length} (rest dropped)`,
    );
    expect(fastSeqs).toEqual(Array.from({ length: N }, (_, i) => i));
    // The slow one lost messages, and what it did get is in order without duplicates.
    expect(slowSeqs.length).toBeGreaterThan(0);
    expect(slowSeqs.length).toBeLessThan(N);
    for (let i = 1; i < slowSeqs.length; i++) expect(slowSeqs[i]).toBeGreaterThan(slowSeqs[i - 1]!);
    for (const m of slowMsgs) expect(m[2]!.equals(payload)).toBe(true);
    // send() never waited for the slow subscriber (it would never have resolved otherwise).
    expect(slowestSendMs).toBeLessThan(250);
  }, 60_000);
});
