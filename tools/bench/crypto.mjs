#!/usr/bin/env node
/**
 * The crypto alone, on one core: how many CurveZMQ MESSAGE boxes each box backend seals
 * (encrypt only) and opens per second at 64 B, 1 KiB and 64 KiB, the physical limit a
 * CURVE socket on that backend can approach. run.mjs runs it with `--curve` and records
 * it in the results (`crypto`); it can also run alone after `pnpm build`:
 *
 *   node tools/bench/crypto.mjs [--warmup 300] [--duration 1000]
 *
 * Boxes are sealed exactly as a MESSAGE frame seals them: the flags byte and the body,
 * in place at the frame's offset (plaintext 4-byte aligned, as the mechanism lays it out),
 * with the per-direction nonce prefix and a counter that advances per message, through
 * the backend's `messageBoxes` when it has them (the MESSAGE path). `noble-xsalsa20poly1305`
 * is @noble/ciphers' own one-shot secretbox (`xsalsa20poly1305(key, nonce).encrypt`, a
 * fresh output each call) for comparison with figures quoted for noble elsewhere.
 * Prints one line: {"event":"result","node":"v20…","backends":{name:{size:{sealPerSec,openPerSec}}}}.
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { importMonocoque, REPO_ROOT } from './lib/impls.mjs';
import { SIZES } from './lib/matrix.mjs';

const arg = (/** @type {string} */ name, /** @type {number} */ dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const warmupMs = arg('--warmup', 300);
const durationMs = arg('--duration', 1000);

const curve = await importMonocoque('curve');
if (!curve.ok) {
  writeSync(1, `${JSON.stringify({ event: 'error', message: curve.reason })}\n`);
  process.exit(1);
}
const { getBoxBackend, sodiumAvailability } = curve.module;
// @noble/ciphers is @monocoque/curve's dependency: resolve it from there.
const nobleSalsa = createRequire(`${REPO_ROOT}packages/curve/package.json`).resolve('@noble/ciphers/salsa.js');
const { xsalsa20poly1305 } = await import(pathToFileURL(nobleSalsa).href);

const PREFIX = new Uint8Array(Buffer.from('CurveZMQMESSAGEC', 'latin1'));
const KEY = new Uint8Array(32).fill(3);

/**
 * Run `op` in batches of 16 until `ms` passed; returns ops/s.
 * @param {(i: number) => void} op
 * @param {number} ms
 */
function rate(op, ms) {
  let ops = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let i = 0; i < 16; i++) op(ops++);
    t = performance.now();
  }
  return (ops * 1000) / (t - t0);
}

/** @param {(i: number) => void} op */
function measure(op) {
  rate(op, warmupMs);
  return rate(op, durationMs);
}

/**
 * Seal/open ops of one backend at one size, the way a MESSAGE frame uses them.
 * @param {any} backend
 * @param {number} size body bytes (the box holds 1 + size: the flags byte first)
 */
function ops(backend, size) {
  const plainLength = 1 + size;
  const head = size + 33 < 256 ? 2 : 9; // the ZMTP frame header in front
  // Laid out as the mechanism lays out a MESSAGE frame: the plaintext starts 4-byte aligned.
  const room = Buffer.allocUnsafe(head + 16 + 16 + plainLength + 3).fill(0x78);
  const skip = (4 - ((room.byteOffset + head + 32) & 3)) & 3;
  const frame = room.subarray(skip, skip + head + 32 + plainLength);
  const nonce = new Uint8Array(24);
  nonce.set(PREFIX);
  const boxAt = head + 16;
  const counter = (/** @type {number} */ i) => {
    nonce[20] = i >>> 24;
    nonce[21] = i >>> 16;
    nonce[22] = i >>> 8;
    nonce[23] = i;
  };
  // The per-direction MESSAGE boxes when the backend has them (the MESSAGE fast path).
  const boxes = backend.messageBoxes?.(KEY, PREFIX);
  const seal = boxes
    ? (/** @type {number} */ i) => {
        counter(i);
        boxes.seal(frame, boxAt, frame.subarray(boxAt + 16), nonce);
      }
    : (/** @type {number} */ i) => {
        counter(i);
        backend.seal(frame, boxAt, frame.subarray(boxAt + 16), nonce, KEY);
      };
  counter(7);
  backend.seal(frame, boxAt, frame.subarray(boxAt + 16), nonce, KEY);
  const box = Buffer.from(frame.subarray(boxAt));
  const boxNonce = nonce.slice();
  // As a MESSAGE is opened: into a fresh buffer (which the message body then is).
  const open = () => {
    const out = Buffer.allocUnsafe(plainLength);
    if (!(boxes ? boxes.open(out, 0, box, boxNonce) : backend.open(out, 0, box, boxNonce, KEY))) throw new Error('box did not open');
  };
  return { seal, open };
}

/** @type {Record<string, Record<string, { sealPerSec: number, openPerSec?: number }>>} */
const backends = {};
const names = ['sodium', 'noble'].filter((n) => n === 'noble' || sodiumAvailability().available);
for (const name of names) {
  const backend = getBoxBackend(name);
  backends[name] = {};
  for (const size of SIZES) {
    const { seal, open } = ops(backend, size);
    backends[name][size] = { sealPerSec: measure(seal), openPerSec: measure(open) };
  }
}
{
  backends['noble-xsalsa20poly1305'] = {};
  for (const size of SIZES) {
    const plain = new Uint8Array(1 + size).fill(0x78);
    const nonce = new Uint8Array(24);
    nonce.set(PREFIX);
    const seal = (/** @type {number} */ i) => {
      nonce[23] = i;
      xsalsa20poly1305(KEY, nonce).encrypt(plain);
    };
    backends['noble-xsalsa20poly1305'][size] = { sealPerSec: measure(seal) };
  }
}
writeSync(1, `${JSON.stringify({ event: 'result', node: process.version, warmupMs, durationMs, backends })}\n`);
process.exit(0);
