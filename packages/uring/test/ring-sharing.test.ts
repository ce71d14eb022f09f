/**
 * Sharing the provided-buffer ring among many busy streams. The kernel fills the ring's
 * buffers for whichever armed recv finds data first; when the ring runs dry, the recvs
 * that found no buffer end (-ENOBUFS) and are re-armed once JS has returned the buffers.
 * A stream that keeps losing that race starves while the others stream on: 100 SUBs of
 * one busy PUB saw a tenth of them get nothing for most of a second. Streams the ring ran
 * dry on are re-armed before any other arm of that wake-up and take at most 64 KiB per arm
 * from then on, so each is served within a wake-up or two. And the addon hands JS at
 * most CALL_BYTES (128 KiB) per call, so what one call queued is read in the microtasks
 * after it, before the next call queues more. Skipped, with the reason printed, when the
 * addon is not available.
 */
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import type { Listener, Stream } from '@monocoque/core';
import { loadUring } from '../src/index.js';
import { loadNative } from '../src/native.js';
import { CallBytes, payload, Sink } from './helpers.js';

const loaded = loadUring();
if (!loaded.ok) console.warn(`[@monocoque/uring] skipping ring-sharing tests: ${loaded.reason}`);
const suite = loaded.ok ? describe : describe.skip;

suite('io_uring stream: many busy streams share the receive buffer ring', () => {
  const t = loaded.ok ? loaded.transport : (undefined as never);
  const open: Listener[] = [];
  afterAll(async () => {
    await Promise.all(open.map((l) => l.close()));
  });

  it('a stream the ring ran dry on is served within a few wake-ups, not after the others', async () => {
    const n = loadNative();
    if (!n.ok) throw new Error(`addon loaded for the transport but not here: ${n.reason}`);
    // Also starts a new longestDryRun count.
    const before = n.binding.stats();
    const PAIRS = 64;
    const servers: Stream[] = [];
    let accepted!: () => void;
    const allAccepted = new Promise<void>((r) => (accepted = r));
    const listener = await t.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 }, (s) => {
      servers.push(s);
      if (servers.length === PAIRS) accepted();
    });
    open.push(listener);
    const port = Number(listener.endpoint.split(':').pop());
    // The senders run on another thread (node:net), as a PUB in another process would: they
    // keep every socket's kernel queue full while this thread reads.
    const data = payload(4 << 20);
    const sender = new Worker(SENDER, { eval: true, workerData: { port, pairs: PAIRS, data } });
    const senderDone = new Promise<void>((resolve, reject) => {
      sender.once('error', reject);
      sender.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sender thread exited with ${code}`))));
    });
    await allAccepted;
    // Each reader pauses for 2 ms once a wake-up has handed it 32 KiB (as a receive
    // high-water mark would), so some streams' recvs are byte-limited, as in a busy SUB.
    const perCall = new CallBytes();
    const sinks = servers.map((server) => {
      const s = new Sink();
      const onData = s.onData.bind(s);
      let paused = false;
      s.onData = (chunk: Buffer, transient?: boolean) => {
        onData(chunk, transient);
        // A reader that does per-message work: ~200 MB/s, slower than the senders.
        const end = performance.now() + chunk.length / 200_000;
        while (performance.now() < end) {
          /* spin */
        }
        const bytes = perCall.add(s, chunk.length, transient === true);
        if (!paused && bytes >= 32 * 1024) {
          paused = true;
          server.pause();
          // Resumed once this wake-up's data is handled, as a consumer draining its queue
          // in the same JS call would.
          queueMicrotask(() => {
            paused = false;
            server.resume();
          });
        }
      };
      server.start(s);
      return s;
    });
    await Promise.all(sinks.map((s) => s.untilBytes(data.length, 60_000)));
    await senderDone;
    for (const s of sinks) expect(s.data().equals(data)).toBe(true);
    const after = n.binding.stats();
    const dry = after.dryRecvs - before.dryRecvs;
    // The scenario must have run the ring dry, or it tested nothing.
    expect(dry, 'the buffer ring never ran dry: the test did not exercise sharing it').toBeGreaterThan(0);
    expect(after.longestDryRun, `${dry} recvs ended on an empty ring; one stream lost ${after.longestDryRun} in a row`).toBeLessThanOrEqual(3);
    // And each call handed over at most CALL_BYTES, so that what it queued is read (in the
    // microtasks after it) before the next call queues more.
    const callLimit = n.binding.CALL_BYTES;
    expect(callLimit, 'the addon exports CALL_BYTES').toBeTypeOf('number');
    expect(perCall.largest).toBeGreaterThan(0);
    expect(perCall.largest).toBeLessThanOrEqual(callLimit!);
    for (const server of servers) server.destroy();
  }, 90_000);
});

/** The sender thread: `pairs` node:net connections, each writing `data` flat out, then ending. */
const SENDER = `
const { workerData } = require('node:worker_threads');
const net = require('node:net');
const { port, pairs, data } = workerData;
const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
let left = pairs;
for (let i = 0; i < pairs; i++) {
  const s = net.connect({ host: '127.0.0.1', port });
  s.on('error', (e) => { throw e; });
  s.once('connect', () => {
    for (let off = 0; off < body.length; off += 64 * 1024) s.write(body.subarray(off, off + 64 * 1024));
    s.end(() => { if (--left === 0) process.exit(0); });
  });
}
`;
