#!/usr/bin/env node
/**
 * The receive path above the transport, on one core, without a kernel or a second process
 * (issue 11): what the batched 64 B PUSH/PULL row is bound by, measured with a tenth of the
 * run-to-run noise of the two-process rows, so a change of a few percent can be seen.
 *
 * A PULL socket connects over a memory transport whose stream plays a PUSH peer: the
 * greeting and READY, then a ZMTP stream of 64 B messages, handed to the engine as
 * *transient* 64 KiB chunks cut at arbitrary frame boundaries (as Monocoque's node:net
 * transport hands them on Node.js), one chunk per event-loop turn (`setImmediate`), only
 * while the engine has not paused the stream (receive high-water mark). Everything above
 * the `Stream` — decoder, session, connection, pipe, fair queue, socket, the application's
 * receive loop — is the real code. Variants:
 *
 * - `batch`: `receiveMany()` in a loop (the batched row's receiver);
 * - `plain`: `for await` (the plain row's receiver).
 *
 *   node tools/bench/receive-path.mjs [--size 64] [--seconds 2] [--json]
 *
 * With `--count N`, one run of `--variant` (default batch) receives N messages after a 1 s
 * warm-up and exits: for counters that are steadier than wall time, e.g. the instructions
 * and cycles per message from two counts,
 *
 *   perf stat -x, -e instructions,cycles node tools/bench/receive-path.mjs --count 2000000
 *   perf stat -x, -e instructions,cycles node tools/bench/receive-path.mjs --count 22000000
 *
 * (the difference over 20 M messages; start-up and warm-up cancel out).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { importMonocoque } from './lib/impls.mjs';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '2' },
    count: { type: 'string' },
    variant: { type: 'string', default: 'batch' },
    json: { type: 'boolean', default: false },
  },
});
const size = Number(values.size);
const seconds = Number(values.seconds);
if (!(size >= 0 && size <= 255)) throw new Error(`--size must be 0..255 (a short frame), got ${values.size}`);

const [zmtp, pipeline] = await Promise.all([importMonocoque('zmtp'), importMonocoque('pipeline')]);
if (!zmtp.ok) throw new Error(zmtp.reason);
if (!pipeline.ok) throw new Error(pipeline.reason);
const { encodeGreeting, encodeReady } = zmtp.module;
const { Pull } = pipeline.module;

const CHUNK = 64 * 1024;
const frame = 2 + size;
// `frame` chunks of 64 KiB hold exactly CHUNK whole frames: the stream repeats seamlessly.
const stream = Buffer.alloc(frame * CHUNK);
for (let i = 0; i < CHUNK; i++) {
  stream[i * frame + 1] = size;
  stream.fill(i & 0xff, i * frame + 2, (i + 1) * frame);
}
const chunks = Array.from({ length: frame }, (_, k) => stream.subarray(k * CHUNK, (k + 1) * CHUNK));
const handshake = Buffer.concat([
  encodeGreeting({ mechanism: 'NULL', asServer: false }),
  encodeReady([['Socket-Type', Buffer.from('PUSH')]]),
]);

/** A `Stream` that plays a PUSH peer sending flat out. */
class PeerStream {
  remoteAddress = 'mem://push';
  paused = false;
  scheduled = false;
  next = 0;
  /** @type {import('../../packages/core/dist/index.js').StreamHandlers | undefined} */
  handlers;
  start(/** @type {any} */ handlers) {
    this.handlers = handlers;
    handlers.onData(Buffer.from(handshake));
    this.schedule();
  }
  schedule() {
    if (this.scheduled || this.paused || this.handlers === undefined) return;
    this.scheduled = true;
    setImmediate(this.turn);
  }
  turn = () => {
    this.scheduled = false;
    if (this.paused || this.handlers === undefined) return;
    this.handlers.onData(chunks[this.next], true);
    this.next = this.next + 1 === chunks.length ? 0 : this.next + 1;
    this.schedule();
  };
  write() {
    return true;
  }
  pause() {
    this.paused = true;
  }
  resume() {
    this.paused = false;
    this.schedule();
  }
  end() {
    this.destroy();
  }
  destroy() {
    const h = this.handlers;
    this.handlers = undefined;
    h?.onClose();
  }
}

/** @type {import('../../packages/core/dist/index.js').Transport} */
const memory = {
  name: 'memory',
  listen: () => Promise.reject(new Error('the memory transport only connects')),
  connect: async () => new PeerStream(),
};

/**
 * Messages per second through one PULL for `ms` after a warm-up.
 * @param {'batch' | 'plain'} variant
 */
async function measure(variant, ms, limit = Infinity) {
  const pull = new Pull({ transport: memory, linger: 0 });
  pull.connect('tcp://127.0.0.1:1');
  let count = 0;
  let bytes = 0;
  const warmEnd = performance.now() + Math.min(1000, ms / 2);
  let t0 = 0;
  let end = Infinity;
  const loop = async () => {
    if (variant === 'batch') {
      for (;;) {
        const batch = await pull.receiveMany();
        for (const message of batch) bytes += message[0].length;
        count += batch.length;
        if ((count & 0xff) < batch.length && tick()) return;
      }
    } else {
      for await (const message of pull) {
        bytes += message[0].length;
        if ((++count & 0xff) === 0 && tick()) return;
      }
    }
  };
  /** Start the window after the warm-up; true once it is over. */
  const tick = () => {
    const now = performance.now();
    if (t0 === 0 && now >= warmEnd) {
      t0 = now;
      end = now + ms;
      count = 0;
    }
    return now >= end || (t0 !== 0 && count >= limit);
  };
  await loop();
  const elapsed = performance.now() - t0;
  pull.close();
  if (bytes === 0) throw new Error('no message arrived');
  return (count * 1000) / elapsed;
}

if (values.count !== undefined) {
  const variant = values.variant;
  if (variant !== 'batch' && variant !== 'plain') throw new Error(`--variant must be batch or plain, got ${variant}`);
  const rate = await measure(variant, Infinity, Number(values.count));
  console.log(JSON.stringify({ size, variant, count: Number(values.count), msgPerSec: rate }));
  process.exit(0);
}

const results = { batch: [], plain: [] };
// Interleaved rounds, so a slow moment of the VM does not land on one variant.
for (let round = 0; round < 3; round++) {
  for (const variant of /** @type {const} */ (['batch', 'plain'])) {
    results[variant].push(await measure(variant, (seconds * 1000) / 2));
  }
}
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const summary = Object.fromEntries(
  Object.entries(results).map(([k, xs]) => [k, { msgPerSec: median(xs), nsPerMsg: 1e9 / median(xs), runs: xs }]),
);
if (values.json) {
  console.log(JSON.stringify({ size, summary }));
} else {
  console.log(`${size} B messages through one PULL over a memory stream (one core, median of 3 interleaved runs):`);
  for (const [k, s] of Object.entries(summary)) {
    console.log(`  ${k.padEnd(6)} ${(s.msgPerSec / 1e6).toFixed(2)} M msg/s  ${s.nsPerMsg.toFixed(1)} ns/msg  (runs: ${s.runs.map((x) => (x / 1e6).toFixed(2)).join(', ')})`);
  }
}
