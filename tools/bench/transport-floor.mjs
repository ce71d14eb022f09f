#!/usr/bin/env node
/**
 * The transport floor: what each Monocoque transport moves with no ZMTP and no socket
 * engine above it — the `Stream` interface of `@monocoque/core` (node:net) and of
 * `@monocoque/uring` driven directly. It answers "can io_uring be faster than node:net
 * here at all?": whatever the engine does per message comes on top of these figures.
 *
 * Two processes over loopback TCP, per transport and write size:
 * - the client writes `size`-byte buffers, `64 KiB / size` of them per `write()` call (one
 *   writev/sendmsg each), as fast as the stream accepts them (it stops on `false` and
 *   resumes on `onDrain`);
 * - the server counts bytes; after a warm-up of `--warmup` MB, it measures `--duration` ms.
 * Runs alternate between the transports (`--repeat` rounds); the median is reported.
 *
 *   node tools/bench/transport-floor.mjs [--sizes 64,1024,65536] [--duration 1500] [--warmup 50] [--repeat 3] [--no-save]
 */
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importMonocoque, loadUring } from './lib/impls.mjs';
import { median } from './lib/stats.mjs';

const SELF = fileURLToPath(import.meta.url);
const RESULTS = path.join(path.dirname(SELF), 'results');

/** @param {'net' | 'uring'} name */
async function transport(name) {
  if (name === 'uring') {
    const reg = await loadUring();
    if (!reg.ok) throw new Error(reg.reason);
    const uring = await importMonocoque('uring');
    if (!uring.ok) throw new Error(uring.reason);
    return uring.module.uringTransport();
  }
  const core = await importMonocoque('core');
  if (!core.ok) throw new Error(core.reason);
  return core.module.netTransport;
}

async function client(name, size, port) {
  const t = await transport(name);
  const s = await t.connect({ protocol: 'tcp', host: '127.0.0.1', port });
  const payload = Buffer.alloc(size, 7);
  const batch = Array.from({ length: Math.max(1, Math.floor(65536 / size)) }, () => payload);
  const pump = () => {
    while (s.write(batch));
  };
  s.start({ onData() {}, onDrain: pump, onClose: () => process.exit(0) });
  pump();
}

async function server(name, size, durationMs, warmupBytes) {
  const t = await transport(name);
  let bytes = 0;
  let start = 0;
  const listener = await t.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 }, (s) => {
    s.start({
      onData(chunk) {
        bytes += chunk.length;
        if (start === 0) {
          if (bytes >= warmupBytes) {
            start = performance.now();
            bytes = 0;
          }
          return;
        }
        const ms = performance.now() - start;
        if (ms >= durationMs) {
          process.send?.({ bytesPerSec: (bytes / ms) * 1e3 });
          process.exit(0);
        }
      },
      onDrain() {},
      onClose() {},
    });
  });
  const port = Number(listener.endpoint.split(':').pop());
  const child = fork(SELF, ['--role', 'client', name, String(size), String(port)], { stdio: 'inherit' });
  process.on('exit', () => child.kill('SIGKILL'));
}

/** One measurement in fresh processes. */
function measure(name, size, durationMs, warmupBytes) {
  return new Promise((resolve, reject) => {
    const child = fork(SELF, ['--role', 'server', name, String(size), String(durationMs), String(warmupBytes)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), durationMs + 30_000);
    child.on('message', (m) => resolve(/** @type {{ bytesPerSec: number }} */ (m).bytesPerSec));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} ${size} B: server exited (${code}) without a result`));
    });
  });
}

async function main(argv) {
  const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const sizes = opt('--sizes', '64,1024,65536').split(',').map(Number);
  const durationMs = Number(opt('--duration', '1500'));
  const warmupBytes = Number(opt('--warmup', '50')) * 1e6;
  const repeat = Number(opt('--repeat', '3'));
  const names = /** @type {const} */ (['net', 'uring']);
  const uring = await loadUring();
  const usable = uring.ok ? names : names.filter((n) => n === 'net');
  if (!uring.ok) console.log(`io_uring column skipped: ${uring.reason}`);
  /** @type {Record<string, Record<string, number[]>>} */
  const runs = {};
  for (const size of sizes) {
    runs[size] = {};
    for (let r = 0; r < repeat; r++) {
      for (const name of usable) (runs[size][name] ??= []).push(await measure(name, size, durationMs, warmupBytes));
    }
  }
  const rows = sizes.map((size) => {
    const net = median(runs[size].net);
    const ur = runs[size].uring ? median(runs[size].uring) : undefined;
    return { size, netBytesPerSec: net, uringBytesPerSec: ur, ratio: ur === undefined ? undefined : ur / net };
  });
  console.log(`\nTransport floor (Stream interface, no ZMTP), loopback TCP, median of ${repeat}; write() = 64 KiB of size-byte buffers`);
  console.log('| write size | node:net MB/s | io_uring MB/s | uring/net |');
  console.log('|---:|---:|---:|---:|');
  for (const r of rows) {
    const mb = (/** @type {number | undefined} */ x) => (x === undefined ? '–' : (x / 1e6).toFixed(0));
    console.log(`| ${r.size} B | ${mb(r.netBytesPerSec)} | ${mb(r.uringBytesPerSec)} | ${r.ratio === undefined ? '–' : `${r.ratio.toFixed(2)}×`} |`);
  }
  if (!argv.includes('--no-save')) {
    mkdirSync(RESULTS, { recursive: true });
    const file = path.join(RESULTS, 'transport-floor-latest.json');
    const doc = {
      date: new Date().toISOString(),
      command: `node tools/bench/transport-floor.mjs ${argv.join(' ')}`.trim(),
      machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, kernel: os.release(), node: process.version, loadavg: os.loadavg() },
      settings: { durationMs, warmupBytes, repeat },
      runs,
      rows,
    };
    writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
    console.log(`results: ${path.relative(process.cwd(), file)}`);
  }
}

const argv = process.argv.slice(2);
if (argv[0] === '--role') {
  const [, role, name, size, a, b] = argv;
  const run = role === 'client' ? client(name, Number(size), Number(a)) : server(name, Number(size), Number(a), Number(b));
  run.catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main(argv).catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
