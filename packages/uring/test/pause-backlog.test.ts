/**
 * What a paused io_uring stream holds. The addon hands JS every completion of a loop turn
 * at once, each stream's bytes as views of the provided receive buffers (one ArrayBuffer
 * for the whole ring, recycled to the kernel when the call returns). A stream that pauses
 * part-way through a turn queues the rest of its chunks until it resumes; those queued
 * chunks must own their bytes (a view would both pin the whole region and see its bytes
 * overwritten), and resuming must deliver the backlog, in order, before the native recv
 * takes more. Skipped, with the reason printed, when the addon is not available.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { Listener, Stream } from '@monocoque/core';
import { loadUring } from '../src/index.js';
import { loadNative } from '../src/native.js';
import { CallBytes, payload, Sink, slices, writeAll } from './helpers.js';

const loaded = loadUring();
if (!loaded.ok) console.warn(`[@monocoque/uring] skipping pause-backlog tests: ${loaded.reason}`);
const suite = loaded.ok ? describe : describe.skip;

/** Node's Buffer pool slab: a small copy may share one, which is fine (that is what node:net does too). */
const POOL = Buffer.poolSize;

suite('io_uring stream: backlog while paused', () => {
  const t = loaded.ok ? loaded.transport : (undefined as never);
  const open: Listener[] = [];
  afterAll(async () => {
    await Promise.all(open.map((l) => l.close()));
  });

  async function pair(): Promise<{ client: Stream; server: Stream; c: Sink }> {
    let gotServer!: (s: Stream) => void;
    const accepted = new Promise<Stream>((r) => (gotServer = r));
    const listener = await t.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 }, (s) => gotServer(s));
    open.push(listener);
    const client = await t.connect({ protocol: 'tcp', host: '127.0.0.1', port: Number(listener.endpoint.split(':').pop()) });
    const server = await accepted;
    const c = new Sink();
    client.start(c);
    return { client, server, c };
  }

  it('chunks queued while paused own their bytes instead of pinning the shared receive buffers', async () => {
    const { client, server, c } = await pair();
    const s = new Sink();
    // Pause on the first chunk of a loop turn; whatever else the turn holds for this stream
    // is queued. Adjacent provided buffers arrive merged, so a turn holds a second chunk when
    // it wraps around the end of the buffer region: each cycle lets the kernel buffer fill
    // (a few MB) first, so the region wraps every cycle or two.
    const backlog: Buffer[] = [];
    let flushing = false;
    let cycles = 0;
    const onData = s.onData.bind(s);
    s.onData = (chunk: Buffer, transient?: boolean) => {
      if (flushing) backlog.push(chunk);
      onData(chunk, transient);
      if (flushing || cycles >= 40 || backlog.length >= 3) return;
      cycles++;
      server.pause();
      setTimeout(() => {
        flushing = true;
        server.resume();
        // The backlog is delivered in the microtask resume() schedules, before anything new arrives.
        queueMicrotask(() => (flushing = false));
      }, 20);
    };
    server.start(s);
    const data = payload(96 << 20);
    await writeAll(client, c, slices(data, 1 << 20), 1, 20_000);
    await s.untilBytes(data.length, 30_000);
    expect(backlog.length, `the test needs a backlog queued while paused (${cycles} pause cycles gave none)`).toBeGreaterThan(0);
    // The backlog keeps only its own bytes alive (a copy per queued chunk, delivered in
    // slices of that copy), never the receive buffer region.
    const owners = new Set(backlog.map((b) => b.buffer));
    let pinned = 0;
    for (const ab of owners) pinned += ab.byteLength;
    const own = backlog.reduce((n, b) => n + b.length, 0);
    expect(pinned, `${backlog.length} queued chunks (${own} bytes) keep ${pinned} bytes alive`).toBeLessThanOrEqual(own + POOL * owners.size);
    expect(s.data().equals(data)).toBe(true);
    client.destroy();
    await Promise.all([c.closed, s.closed]);
  }, 60_000);

  it('a consumer that pauses again while its backlog is delivered still gets every byte, in order', async () => {
    const { client, server, c } = await pair();
    const s = new Sink();
    const onData = s.onData.bind(s);
    let sinceResume = 0;
    let paused = false;
    // Pause after every ~256 KiB (also inside the backlog flush), resume 5 ms later.
    s.onData = (chunk: Buffer, transient?: boolean) => {
      onData(chunk, transient);
      sinceResume += chunk.length;
      if (!paused && sinceResume >= 256 * 1024) {
        paused = true;
        server.pause();
        setTimeout(() => {
          paused = false;
          sinceResume = 0;
          server.resume();
        }, 5);
      }
    };
    server.start(s);
    const data = payload(8 << 20);
    await writeAll(client, c, slices(data, 64 * 1024), 1);
    await s.untilBytes(data.length, 20_000);
    expect(s.data().equals(data)).toBe(true);
    client.destroy();
    await Promise.all([c.closed, s.closed]);
  }, 30_000);

  it('hands onData at most 64 KiB at a time, so a pause (receive HWM) stops decoding within 64 KiB', async () => {
    const { client, server, c } = await pair();
    const s = new Sink();
    let largest = 0;
    let calls = 0;
    const onData = s.onData.bind(s);
    s.onData = (chunk: Buffer, transient?: boolean) => {
      largest = Math.max(largest, chunk.length);
      // Block the thread now and then, so that the kernel fills many adjacent receive
      // buffers, which the addon merges into one record.
      if (++calls % 8 === 1) {
        const end = Date.now() + 20;
        while (Date.now() < end) {
          /* spin */
        }
      }
      onData(chunk, transient);
    };
    server.start(s);
    const data = payload(16 << 20);
    await writeAll(client, c, slices(data, 1 << 20), 1, 20_000);
    await s.untilBytes(data.length, 30_000);
    expect(s.data().equals(data)).toBe(true);
    expect(largest).toBeLessThanOrEqual(64 * 1024);
    client.destroy();
    await Promise.all([c.closed, s.closed]);
  }, 60_000);

  it('a stream whose reader keeps pausing is read 64 KiB per loop turn: little is copied aside while paused', async () => {
    // Ten senders flood one reader that blocks its thread now and then, so data piles up in
    // the kernel, and pauses each stream for 5 ms (as a receive high-water mark would) once a
    // loop turn has handed it 32 KiB. Unlimited, one turn moved hundreds of KiB of a stream
    // into the receive buffers, and what came after the pause was copied aside (92 % of the
    // bytes here); a stream that paused part-way through more than 64 KiB has its recvs armed
    // with a 64 KiB limit from then on, and the rest waits in the kernel under TCP flow
    // control, as with node:net's 64 KiB reads.
    const pairs = await Promise.all(Array.from({ length: 10 }, () => pair()));
    // A turn is one synchronous run of onData calls: a microtask ends it. The addon's bytes
    // arrive in place (transient); a backlog flushed on resume is JS's own copy.
    const perCall = new CallBytes();
    let copiedAside = 0;
    let calls = 0;
    const sinks = pairs.map(({ server }) => {
      const s = new Sink();
      const onData = s.onData.bind(s);
      let paused = false;
      s.onData = (chunk: Buffer, transient?: boolean) => {
        onData(chunk, transient);
        if (transient !== true) {
          copiedAside += chunk.length;
          return;
        }
        const bytes = perCall.add(s, chunk.length, true);
        if (++calls % 16 === 1) {
          const end = Date.now() + 10;
          while (Date.now() < end) {
            /* spin: let the kernel queue more */
          }
        }
        if (!paused && bytes >= 32 * 1024) {
          paused = true;
          server.pause();
          setTimeout(() => {
            paused = false;
            server.resume();
          }, 5);
        }
      };
      server.start(s);
      return s;
    });
    const data = payload(4 << 20);
    await Promise.all(pairs.map(({ client, c }) => writeAll(client, c, slices(data, 256 * 1024), 1, 20_000)));
    await Promise.all(sinks.map((s) => s.untilBytes(data.length, 30_000)));
    for (const s of sinks) expect(s.data().equals(data)).toBe(true);
    // Asked after the transfer: the addon drops the limit on the first recv a kernel refuses.
    const n = loadNative();
    const limit = n.ok ? n.binding.stats().recvLimit : 0;
    const total = data.length * pairs.length;
    if (limit === 0) {
      console.warn(`[@monocoque/uring] not checking the recv limit: this kernel has none (${copiedAside} of ${total} bytes were copied aside)`);
    } else {
      expect(limit).toBe(64 * 1024);
      // Only the turns before each stream's limit engaged (a few per stream) copy much:
      // 5-8 % on an idle machine, up to 12 % with the other core busy (the full suite runs
      // files in parallel), 92 % without the limit.
      expect(copiedAside, `bytes copied aside while paused, of ${total}`).toBeLessThan(total * 0.2);
    }
    for (const { client, c } of pairs) {
      client.destroy();
      await c.closed;
    }
    await Promise.all(sinks.map((s) => s.closed));
  }, 60_000);
});
