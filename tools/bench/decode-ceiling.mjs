#!/usr/bin/env node
/**
 * What a native ZMTP frame loop could save on the receive side, at most (issue 11).
 *
 * The plan for 1.3× at 64 B on io_uring is to decode frames in the addon and hand
 * JavaScript batches. Whatever the addon does, JavaScript still makes one Buffer per frame
 * and hands it on (the API returns `Buffer[]` per message). This measures, on one core:
 *
 * - `decoder`: our TypeScript `FrameDecoder` fed 64 KiB transient chunks of 64 B frames
 *   (header checks, small bodies copied out in ≤ 4 KiB runs, one view per frame);
 * - `ideal native`: a scan that costs nothing — frame offsets, flags and sizes precomputed
 *   outside the timed loop, bodies already copied — leaving only what JS must still do per
 *   frame: make the view and call the sink;
 * - `ideal native + copy`: the same, plus the body copy out of the receive buffer (one
 *   memcpy per 4 KiB run, as the addon would have to do too).
 *
 * The sink makes the one-frame message array the engine makes. decoder − ideal native is
 * the most a native frame loop can take off each message.
 *
 *   node tools/bench/decode-ceiling.mjs [--size 64] [--seconds 2] [--json]
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { importMonocoque } from './lib/impls.mjs';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '64' },
    seconds: { type: 'string', default: '2' },
    json: { type: 'boolean', default: false },
  },
});
const size = Number(values.size);
const seconds = Number(values.seconds);
if (!(size >= 0 && size <= 255)) throw new Error(`--size must be 0..255 (a short frame), got ${values.size}`);

const zmtp = await importMonocoque('zmtp');
if (!zmtp.ok) throw new Error(zmtp.reason);
const { FrameDecoder } = zmtp.module;
/** Node's own Buffer constructor (FastBuffer), as the decoder uses it. */
const FastBuffer = Buffer[Symbol.species];

const CHUNK = 64 * 1024;
const frame = 2 + size;
const frames = Math.floor(CHUNK / frame);
const chunk = Buffer.alloc(frames * frame);
for (let i = 0; i < frames; i++) {
  chunk[i * frame] = 0;
  chunk[i * frame + 1] = size;
  chunk.fill(i & 0xff, i * frame + 2, (i + 1) * frame);
}

// What a free native scan would hand JS: per frame, flags and the body's offset in a copy.
const RUN = 4096;
const perRun = Math.max(1, Math.floor(RUN / frame));
const runs = Math.ceil(frames / perRun);
const offsets = new Int32Array(frames);
const flagsOf = new Uint8Array(frames);
for (let i = 0; i < frames; i++) {
  offsets[i] = (i % perRun) * frame + 2;
  flagsOf[i] = chunk[i * frame];
}
const prepacked = Array.from({ length: runs }, (_, r) => Buffer.from(chunk.subarray(r * perRun * frame, Math.min(frames, (r + 1) * perRun) * frame)));

let held = 0;
/** @type {unknown} */
let last;
const sink = (/** @type {number} */ flags, /** @type {Buffer} */ body) => {
  last = [body];
  held += flags + 1;
};

const decoder = new FrameDecoder(sink);
const cases = {
  decoder: () => decoder.feed(chunk, true),
  'ideal native': () => {
    for (let r = 0, i = 0; r < runs; r++) {
      const copy = prepacked[r];
      const ab = copy.buffer;
      const base = copy.byteOffset;
      for (const stop = Math.min(frames, i + perRun); i < stop; i++) sink(flagsOf[i], new FastBuffer(ab, base + offsets[i], size));
    }
  },
  'ideal native + copy': () => {
    for (let r = 0, i = 0; r < runs; r++) {
      const start = r * perRun * frame;
      const copy = Buffer.allocUnsafe(Math.min(frames, (r + 1) * perRun) * frame - start);
      chunk.copy(copy, 0, start, start + copy.length);
      const ab = copy.buffer;
      const base = copy.byteOffset;
      for (const stop = Math.min(frames, i + perRun); i < stop; i++) sink(flagsOf[i], new FastBuffer(ab, base + offsets[i], size));
    }
  },
};

/** ns per frame: warm up, then run whole chunks for `seconds`, three rounds, median. */
function measure(/** @type {() => void} */ fn) {
  const warmEnd = performance.now() + Math.min(500, seconds * 250);
  while (performance.now() < warmEnd) fn();
  const rounds = [];
  for (let round = 0; round < 3; round++) {
    let n = 0;
    const t0 = performance.now();
    const end = t0 + (seconds * 1000) / 3;
    let t = t0;
    while (t < end) {
      for (let k = 0; k < 16; k++) fn();
      n += 16;
      t = performance.now();
    }
    rounds.push(((t - t0) * 1e6) / (n * frames));
  }
  rounds.sort((a, b) => a - b);
  return rounds[1];
}

const results = {};
// Interleave the cases twice so a slow moment of the VM does not land on one of them.
for (let pass = 0; pass < 2; pass++) {
  for (const [name, fn] of Object.entries(cases)) {
    const ns = measure(fn);
    results[name] = Math.min(results[name] ?? Infinity, ns);
  }
}
if (held === 0 || last === undefined) throw new Error('the sink was never called');

const saving = results.decoder - results['ideal native + copy'];
if (values.json) {
  console.log(JSON.stringify({ size, frames, nsPerFrame: results, maxSavingNs: saving }));
} else {
  console.log(`${size} B frames, ${frames} per 64 KiB transient chunk; ns per frame (best of two passes, each the median of 3):`);
  for (const [name, ns] of Object.entries(results)) console.log(`  ${name.padEnd(20)} ${ns.toFixed(1)} ns`);
  console.log(`  most a native frame loop could save: ${saving.toFixed(1)} ns per frame (${results.decoder.toFixed(1)} − ${results['ideal native + copy'].toFixed(1)})`);
}
