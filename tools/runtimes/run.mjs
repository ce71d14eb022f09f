#!/usr/bin/env node
// `pnpm test:runtimes`: runs the runtime-neutral interop check (e2e/runtimes/interop.mjs)
// under Node, Bun and Deno, one after the other, on the built packages (run `pnpm build`
// first). Bun and Deno come from the npm registry at the versions pinned in runtimes.mjs,
// installed into tools/runtimes/.cache (gitignored) by `node tools/runtimes/run.mjs --install`, which
// tools/setup.sh calls. Under CI a missing runtime fails the run; locally it is skipped
// with the reason printed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { binaryOf, CACHE as cache, PINNED } from './runtimes.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const INTEROP = join(root, 'e2e/runtimes/interop.mjs');
const DENO_NPM = join(root, 'e2e/runtimes/deno-npm-specifiers.mjs');
/** What an application needs under Deno (README "Runtimes"): tcp:// needs the first two, ipc:// all four. */
const DENO_USER_PERMISSIONS = ['--allow-net', '--allow-env=MONOCOQUE_TRANSPORT', '--allow-read=/tmp', '--allow-write=/tmp'];
const PER_RUNTIME_TIMEOUT_MS = 180_000;
const CI = process.env.CI === 'true';

/** Version the binary reports, or why it cannot run. */
function probe(name) {
  const bin = binaryOf(name);
  if (!existsSync(bin)) return { error: `${bin} not found` };
  const r = spawnSync(bin, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  if (r.error || r.status !== 0) return { error: `${bin} --version failed: ${r.error?.message ?? r.stderr.trim()}` };
  return { version: r.stdout.match(/\d+\.\d+\.\d+\S*/)?.[0] ?? r.stdout.trim() };
}

function install() {
  const missing = Object.keys(PINNED).filter((name) => probe(name).version !== PINNED[name].version);
  if (missing.length === 0) {
    console.log(`runtimes: ${Object.keys(PINNED).map((n) => `${n} ${PINNED[n].version}`).join(', ')} already in ${cache}`);
    return;
  }
  const specs = missing.map((name) => `${PINNED[name].pkg}@${PINNED[name].version}`);
  console.log(`runtimes: installing ${specs.join(' ')} into ${cache}`);
  const r = spawnSync('npm', ['install', '--prefix', cache, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', ...specs], {
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
  for (const name of missing) {
    const p = probe(name);
    if (p.version !== PINNED[name].version) {
      console.error(`runtimes: ${name} installed but unusable: ${p.error ?? `reports ${p.version}, pinned ${PINNED[name].version}`}`);
      process.exit(1);
    }
  }
}

/** Run one command with a prefixed, streamed output; resolves with its exit status and last line. */
function run(label, cmd, args) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const env = { ...process.env, MONOCOQUE_PEER_NODE: process.execPath, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' };
    delete env.MONOCOQUE_TRANSPORT; // the checks select transports themselves
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let last = '';
    let pending = '';
    const onData = (d) => {
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        console.log(`[${label}] ${line}`);
        if (line.trim()) last = line;
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    const timer = setTimeout(() => {
      console.log(`[${label}] timed out after ${PER_RUNTIME_TIMEOUT_MS / 1000} s; killing it`);
      child.kill('SIGKILL');
    }, PER_RUNTIME_TIMEOUT_MS);
    child.once('error', (err) => onData(`cannot start ${cmd}: ${err.message}\n`));
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (pending) onData('\n');
      resolve({ ok: code === 0, status: signal ? `signal ${signal}` : `code ${code}`, last, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

async function main() {
  const unbuilt = readdirSync(join(root, 'packages')).filter(
    (d) => existsSync(join(root, 'packages', d, 'package.json')) && !existsSync(join(root, 'packages', d, 'dist/index.js')),
  );
  if (unbuilt.length > 0) {
    console.error(`test:runtimes: packages not built (${unbuilt.join(', ')}); run \`pnpm build\` first`);
    process.exit(1);
  }

  const rows = [];
  const total = { passed: 0, failed: 0, skipped: 0 };
  const count = (line) => {
    const m = line.match(/^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/);
    if (!m) return false;
    total.passed += Number(m[1]);
    total.failed += Number(m[2]);
    total.skipped += Number(m[3] ?? 0);
    return true;
  };
  const record = (runtime, r) => {
    // No summary line (it crashed), or a non-zero exit that the summary does not explain.
    if (!count(r.last) || (!r.ok && / 0 failed/.test(r.last))) total.failed++;
    rows.push(`${runtime.padEnd(18)} ${r.ok ? 'ok  ' : 'FAIL'} ${r.seconds.toFixed(1).padStart(5)} s  ${r.last} (${r.status})`);
  };

  record(`node ${process.versions.node}`, await run('node', process.execPath, [INTEROP]));
  for (const name of Object.keys(PINNED)) {
    const p = probe(name);
    const wrong = p.version && p.version !== PINNED[name].version ? `${binaryOf(name)} is ${p.version}, pinned ${PINNED[name].version}` : undefined;
    const reason = p.error ?? wrong;
    if (reason) {
      const hint = 'install it with `node tools/runtimes/run.mjs --install` (tools/setup.sh does)';
      if (CI) {
        total.failed++;
        rows.push(`${name.padEnd(18)} FAIL  ${reason}; ${hint}`);
      } else {
        total.skipped++;
        rows.push(`${name.padEnd(18)} skip  ${reason}; ${hint}`);
      }
      continue;
    }
    const bin = binaryOf(name);
    record(`${name} ${p.version}`, await run(name, bin, [...PINNED[name].args, INTEROP]));
    if (name === 'deno') record('deno npm: imports', await run('deno', bin, ['run', ...DENO_USER_PERMISSIONS, DENO_NPM]));
  }

  console.log('\nruntimes:');
  for (const row of rows) console.log(`  ${row}`);
  const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : '';
  console.log(`${total.passed} passed, ${total.failed} failed${skipped}`);
  process.exit(total.failed > 0 ? 1 : 0);
}

if (process.argv.includes('--install')) install();
else await main();
