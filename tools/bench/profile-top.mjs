#!/usr/bin/env node
/**
 * Summarise V8 CPU profiles (`node --cpu-prof`, e.g. from `run.mjs --cpu-prof <dir>`): the
 * functions with the most self time, with their share of the samples.
 *
 *   node tools/bench/profile-top.mjs <file.cpuprofile | dir> [--top 15]
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 15;
const target = args[0];
if (!target) {
  console.error('usage: node tools/bench/profile-top.mjs <file.cpuprofile | dir> [--top 15]');
  process.exit(2);
}
const files = statSync(target).isDirectory()
  ? readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).sort().map((f) => path.join(target, f))
  : [target];

for (const file of files) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  /** @type {Map<number, any>} */
  const nodes = new Map(profile.nodes.map((/** @type {any} */ n) => [n.id, n]));
  /** @type {Map<string, number>} */
  const self = new Map();
  for (const id of profile.samples) {
    const { callFrame: f } = nodes.get(id);
    const where = f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  console.log(`\n${path.basename(file)} — ${total} samples`);
  for (const [name, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${((100 * n) / total).toFixed(1).padStart(5)}%  ${name}`);
  }
}
