#!/usr/bin/env node
/**
 * Pinned against unpinned, measured fairly: `run.mjs` on the same cells with and without
 * `--pin`, the two alternating round by round (the order reversed every other round), so the
 * VM's drift over minutes slows both alike — a full `--pin` run made after the unpinned one
 * compares two different machines as often as two placements. Reports, per row and column,
 * the median unpinned and pinned figure, their ratio, and the median and range of the
 * per-round ratios (throughput: msg/s, higher is better; latency: p50 µs, lower is better).
 *
 *   node tools/bench/pin-compare.mjs [--rounds 6] [--filter push-pull/tcp/64B/plain,req-rep/tcp/64B]
 *     [--impl monocoque,libzmq] [--duration 1000] [--warmup 300] [--no-save]
 *
 * Writes results/pin-compare-latest.json (unless --no-save) and a table to stdout.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib/stats.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUN = path.join(HERE, 'run.mjs');
const RESULTS = path.join(HERE, 'results');

/** @param {string[]} argv */
function options(argv) {
  const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  return {
    rounds: Number(opt('--rounds', '6')),
    filter: opt('--filter', 'push-pull/tcp/64B/plain,push-pull/tcp/64KiB/plain,pub-sub/tcp/64B/plain,req-rep/tcp/64B'),
    impl: opt('--impl', 'monocoque,libzmq'),
    duration: opt('--duration', '1000'),
    warmup: opt('--warmup', '300'),
    save: !argv.includes('--no-save'),
  };
}

/**
 * One `run.mjs` invocation; returns its per-cell figures keyed `scenario|impl`.
 * @param {ReturnType<typeof options>} o
 * @param {boolean} pin
 */
function runOnce(o, pin) {
  const args = [RUN, '--impl', o.impl, '--filter', o.filter, '--duration', o.duration, '--warmup', o.warmup, ...(pin ? ['--pin'] : [])];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const file = /^results: (\S+)$/m.exec(out)?.[1];
  if (!file) throw new Error(`run.mjs printed no results file:\n${out}`);
  const doc = JSON.parse(readFileSync(path.resolve(process.cwd(), file), 'utf8'));
  /** @type {Map<string, { kind: string, value: number }>} */
  const cells = new Map();
  for (const s of doc.scenarios) {
    for (const [impl, r] of Object.entries(s.results)) {
      const c = /** @type {any} */ (r);
      if (c.status !== 'ok') continue;
      cells.set(`${s.id}|${impl}`, { kind: c.kind, value: c.kind === 'latency' ? c.p50Us : c.msgPerSec });
    }
  }
  return cells;
}

async function main(argv) {
  const o = options(argv);
  /** @type {Map<string, { kind: string, unpinned: number[], pinned: number[] }>} */
  const cells = new Map();
  for (let r = 0; r < o.rounds; r++) {
    for (const pin of r % 2 === 0 ? [false, true] : [true, false]) {
      for (const [key, c] of runOnce(o, pin)) {
        const entry = cells.get(key) ?? { kind: c.kind, unpinned: [], pinned: [] };
        (pin ? entry.pinned : entry.unpinned).push(c.value);
        cells.set(key, entry);
      }
    }
  }
  const rows = [...cells]
    .filter(([, c]) => c.pinned.length === o.rounds && c.unpinned.length === o.rounds)
    .map(([key, c]) => {
      const [scenario, impl] = key.split('|');
      const per = c.pinned.map((p, i) => p / c.unpinned[i]);
      return { scenario, impl, kind: c.kind, unpinned: median(c.unpinned), pinned: median(c.pinned), ratio: median(c.pinned) / median(c.unpinned), roundRatio: median(per), min: Math.min(...per), max: Math.max(...per), runs: c };
    });
  const fmt = (/** @type {number} */ x, /** @type {string} */ kind) =>
    kind === 'latency' ? `${x.toFixed(1)} µs` : x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(1)} k/s`;
  console.log(`\nPinned ÷ unpinned, ${o.rounds} alternating rounds (\`run.mjs --pin\`: server on CPU 0, client on CPU 1)`);
  console.log('| scenario | column | unpinned | pinned | pinned ÷ unpinned | per round: median (range) |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.scenario} | ${r.impl} | ${fmt(r.unpinned, r.kind)} | ${fmt(r.pinned, r.kind)} | ${r.ratio.toFixed(2)}× | ${r.roundRatio.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)}) |`);
  }
  if (o.save) {
    mkdirSync(RESULTS, { recursive: true });
    const file = path.join(RESULTS, 'pin-compare-latest.json');
    const doc = {
      date: new Date().toISOString(),
      command: `node tools/bench/pin-compare.mjs ${argv.join(' ')}`.trim(),
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, kernel: os.release(), node: process.version },
      settings: o,
      rows,
    };
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    console.log(`results: ${path.relative(process.cwd(), file)}`);
  }
}

main(process.argv.slice(2)).catch((error) => {
  console.error(error);
  process.exit(1);
});
