#!/usr/bin/env node
// Seal + open throughput of each CURVE box backend (crypto_box_easy_afternm and its open,
// in place, the way MESSAGE frames use them) at 64 B, 1 KiB and 64 KiB.
// Run after `pnpm build`: node bench/box-bench.mjs [--seconds=N]
import { getBoxBackend, sodiumAvailability } from '../dist/index.js';

const seconds = Number(process.argv.find((a) => a.startsWith('--seconds='))?.slice(10) ?? 1);
const SIZES = [64, 1024, 64 * 1024];

function run(backend, size, ms) {
  const key = new Uint8Array(32).fill(3);
  const nonce = new Uint8Array(24).fill(5);
  const frame = new Uint8Array(16 + size).fill(7);
  const out = new Uint8Array(size);
  let ops = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 16; i++) {
      nonce[23] = ops & 0xff;
      backend.seal(frame, 0, frame.subarray(16), nonce, key);
      if (!backend.open(out, 0, frame, nonce, key)) throw new Error('box did not open');
      ops++;
    }
  }
  return ops;
}

const names = ['noble', ...(sodiumAvailability().available ? ['sodium'] : [])];
if (names.length === 1) console.log(`sodium: unavailable (${sodiumAvailability().reason})`);
const rows = [];
for (const name of names) {
  const backend = getBoxBackend(name);
  for (const size of SIZES) {
    run(backend, size, 300); // warm-up
    const t0 = performance.now();
    const ops = run(backend, size, seconds * 1000);
    const elapsed = (performance.now() - t0) / 1000;
    rows.push({ backend: name, size, opsPerSec: ops / elapsed, mibPerSec: (ops * size) / elapsed / 1048576 });
  }
}
const fmt = (n) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
console.log(`seal+open, in place, ${seconds}s per row, node ${process.version}\n`);
console.log('| backend | size | seal+open/s | MiB/s |');
console.log('| --- | ---: | ---: | ---: |');
for (const r of rows) console.log(`| ${r.backend} | ${r.size >= 1024 ? `${r.size / 1024} KiB` : `${r.size} B`} | ${fmt(r.opsPerSec)} | ${fmt(r.mibPerSec)} |`);
