#!/usr/bin/env node
// Seal + open throughput of each CURVE box backend (crypto_box_easy_afternm and its open,
// in place, the way MESSAGE frames use them) at 64 B, 1 KiB and 64 KiB, two ways:
// - `per message`: backend.seal/open with the key and the full nonce (what every box cost
//   before the MESSAGE fast path; the handshake still uses it);
// - `messageBoxes`: backend.messageBoxes(key, prefix), what MESSAGE frames use now (noble
//   derives the XSalsa20 subkey once per direction instead of per box).
// The two are measured alternately, `--rounds` times each, and the median is printed, so
// the comparison is within one run on a noisy machine.
// Run after `pnpm build`: node bench/box-bench.mjs [--seconds=N] [--rounds=N]
import { getBoxBackend, sodiumAvailability } from '../dist/index.js';

const flag = (name, dflt) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt);
const seconds = flag('seconds', 1);
const rounds = flag('rounds', 3);
const SIZES = [64, 1024, 64 * 1024];
const PREFIX = new Uint8Array(Buffer.from('CurveZMQMESSAGEC', 'latin1'));

function run(backend, cached, size, ms) {
  const key = new Uint8Array(32).fill(3);
  const nonce = new Uint8Array(24);
  nonce.set(PREFIX);
  // The box at a 4-byte aligned offset + 16, as the mechanism lays out a MESSAGE frame.
  const frame = new Uint8Array(16 + size).fill(7);
  const out = new Uint8Array(size);
  const boxes = cached ? backend.messageBoxes(key, PREFIX) : undefined;
  let ops = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) {
      nonce[23] = ops & 0xff;
      nonce[22] = (ops >>> 8) & 0xff;
      if (boxes) {
        boxes.seal(frame, 0, frame.subarray(16), nonce);
        if (!boxes.open(out, 0, frame, nonce)) throw new Error('box did not open');
      } else {
        backend.seal(frame, 0, frame.subarray(16), nonce, key);
        if (!backend.open(out, 0, frame, nonce, key)) throw new Error('box did not open');
      }
      ops++;
    }
  }
  return ops;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const names = ['noble', ...(sodiumAvailability().available ? ['sodium'] : [])];
if (names.length === 1) console.log(`sodium: unavailable (${sodiumAvailability().reason})`);
const rows = [];
for (const name of names) {
  const backend = getBoxBackend(name);
  for (const size of SIZES) {
    const rates = { false: [], true: [] };
    for (const cached of [false, true]) run(backend, cached, size, 300); // warm-up
    for (let r = 0; r < rounds; r++) {
      for (const cached of [false, true]) {
        const t0 = performance.now();
        const ops = run(backend, cached, size, seconds * 1000);
        rates[cached].push(ops / ((performance.now() - t0) / 1000));
      }
    }
    for (const cached of [false, true]) {
      const opsPerSec = median(rates[cached]);
      rows.push({ backend: name, path: cached ? 'messageBoxes' : 'per message', size, opsPerSec, mibPerSec: (opsPerSec * size) / 1048576 });
    }
  }
}
const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
console.log(`seal+open, in place, ${seconds}s per row, median of ${rounds} alternating rounds, node ${process.version}\n`);
console.log('| backend | path | size | seal+open/s | MiB/s |');
console.log('| --- | --- | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.backend} | ${r.path} | ${r.size >= 1024 ? `${r.size / 1024} KiB` : `${r.size} B`} | ${fmt(r.opsPerSec)} | ${fmt(r.mibPerSec)} |`);
