#!/usr/bin/env node
// Runs the examples: each *.ts here is bundled with esbuild (workspace packages stay external and
// resolve to their built dist/, so run `pnpm build` first), then run with node under a timeout.
//   node examples/run.mjs                 all examples
//   node examples/run.mjs lazy-pirate     one (or several) by name
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const TIMEOUT_MS = Number(process.env.EXAMPLE_TIMEOUT_MS ?? 20_000);

const all = readdirSync(here).filter((f) => f.endsWith('.ts')).map((f) => basename(f, '.ts')).sort();
const wanted = process.argv.slice(2).map((a) => basename(a).replace(/\.ts$/, ''));
for (const name of wanted) {
  if (!all.includes(name)) {
    console.error(`no example named ${name}; there are: ${all.join(', ')}`);
    process.exit(2);
  }
}
const names = wanted.length > 0 ? wanted : all;

// Output goes inside examples/ (in a temporary directory) so that bare imports of the
// workspace packages resolve through examples/node_modules.
const outdir = mkdtempSync(join(here, '.run-'));
process.on('exit', () => rmSync(outdir, { recursive: true, force: true }));

function runOne(file) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      if (names.length === 1) process.stdout.write(d);
    });
    child.stderr.on('data', (d) => {
      output += d;
      if (names.length === 1) process.stderr.write(d);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ms = Math.round(performance.now() - started);
      const status = timedOut ? `TIMEOUT (${TIMEOUT_MS} ms)` : code === 0 ? 'ok' : `FAIL (${signal ?? `exit ${code}`})`;
      resolve({ ms, status, ok: !timedOut && code === 0, output });
    });
  });
}

const results = [];
for (const name of names) {
  const outfile = join(outdir, `${name}.mjs`);
  try {
    await build({
      entryPoints: [join(here, `${name}.ts`)],
      outfile,
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'silent',
    });
  } catch (err) {
    results.push({ name, ms: 0, status: 'FAIL (esbuild)', ok: false, output: String(err?.message ?? err) });
    continue;
  }
  results.push({ name, ...(await runOne(outfile)) });
}

const failed = results.filter((r) => !r.ok);
if (names.length > 1) {
  for (const r of failed) {
    console.log(`--- ${r.name}: ${r.status}\n${r.output.trimEnd()}\n`);
  }
}
const width = Math.max(...results.map((r) => r.name.length), 'example'.length);
console.log(`\n${'example'.padEnd(width)}  ${'time'.padStart(8)}  result`);
for (const r of results) console.log(`${r.name.padEnd(width)}  ${`${r.ms} ms`.padStart(8)}  ${r.status}`);
console.log(failed.length === 0 ? `\nall ${results.length} example(s) passed` : `\n${failed.length} of ${results.length} example(s) failed`);
process.exit(failed.length === 0 ? 0 : 1);
