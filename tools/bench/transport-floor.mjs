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
 * Runs alternate between the transports (`--repeat` rounds, the order reversed every other
 * round); the median is reported.
 *
 * `--latency`: the same streams ping-ponging instead — the client writes `size` bytes, the
 * server writes them back, one exchange in flight; after `--warmup-trips` exchanges the
 * client times each round trip for `--duration` ms and reports the p50 (and the client's
 * CPU time per round trip: its share of the work, apart from waiting). It answers "how
 * much of a REQ/REP round trip is the transport's own wake-up path?" per transport.
 *
 *   node tools/bench/transport-floor.mjs [--sizes 64,1024,65536] [--duration 1500] [--warmup 50] [--repeat 3] [--no-save]
 *   node tools/bench/transport-floor.mjs --latency [--sizes 64] [--duration 1500] [--warmup-trips 2000] [--repeat 9] [--no-save]
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
  /** @type {NodeJS.CpuUsage | undefined} */
  let cpu0;
  const listener = await t.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 }, (s) => {
    s.start({
      onData(chunk) {
        bytes += chunk.length;
        if (start === 0) {
          if (bytes >= warmupBytes) {
            start = performance.now();
            cpu0 = process.cpuUsage();
            bytes = 0;
          }
          return;
        }
        const ms = performance.now() - start;
        if (ms >= durationMs) {
          const cpu = process.cpuUsage(cpu0);
          // The receiver's CPU time (user + system) per 64 KiB received.
          process.send?.({ bytesPerSec: (bytes / ms) * 1e3, cpuUsPer64KiB: ((cpu.user + cpu.system) / bytes) * 65536 });
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

/** Latency mode, server side: write every byte back as it comes (copied: a chunk may be transient). */
async function echo(name) {
  const t = await transport(name);
  const listener = await t.listen({ protocol: 'tcp', host: '127.0.0.1', port: 0 }, (s) => {
    s.start({
      onData: (chunk) => void s.write([Buffer.from(chunk)]),
      onDrain() {},
      onClose: () => process.exit(0),
    });
  });
  process.send?.({ port: Number(listener.endpoint.split(':').pop()) });
  // Transports never keep the process alive by themselves (core's transport.ts); the
  // parent kills this process when the measurement is over.
  setInterval(() => {}, 1 << 30);
}

/**
 * Latency mode, client side: one `size`-byte exchange in flight; the next goes out from
 * inside the data callback that completed the previous one (as a REQ/REP pair does).
 * Reports the p50 round trip in microseconds.
 */
async function pinger(name, size, port, durationMs, warmupTrips) {
  const t = await transport(name);
  setInterval(() => {}, 1 << 30); // as in echo(): exits once it has its result
  const s = await t.connect({ protocol: 'tcp', host: '127.0.0.1', port });
  const payload = Buffer.alloc(size, 7);
  /** @type {number[]} */
  const rtts = [];
  let got = 0;
  let trips = 0;
  let sent = 0n;
  let until = 0;
  /** @type {NodeJS.CpuUsage | undefined} */
  let cpu0;
  const send = () => {
    sent = process.hrtime.bigint();
    s.write([payload]);
  };
  s.start({
    onData(chunk) {
      got += chunk.length;
      if (got < size) return;
      got -= size;
      const now = process.hrtime.bigint();
      if (++trips > warmupTrips) {
        if (until === 0) {
          until = performance.now() + durationMs;
          cpu0 = process.cpuUsage();
        }
        rtts.push(Number(now - sent) / 1e3);
        if (performance.now() >= until) {
          const cpu = process.cpuUsage(cpu0);
          process.send?.({ p50Us: median(rtts), trips: rtts.length, cpuUsPerTrip: (cpu.user + cpu.system) / rtts.length });
          process.exit(0);
        }
      }
      send();
    },
    onDrain() {},
    onClose() {},
  });
  send();
}

/** Run a child of this script with `args`; resolves with its first IPC message. */
function child(args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const proc = fork(SELF, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.once('message', (m) => resolve({ proc, message: m }));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.slice(1, 4).join(' ')}: exited (${code}) without a result`));
    });
  });
}

/** One latency measurement in fresh processes: p50 round trip and client CPU per trip, in µs. */
async function measureLatency(name, size, durationMs, warmupTrips) {
  const server = await child(['--role', 'echo', name], 30_000);
  try {
    const { message } = await child(['--role', 'pinger', name, String(size), String(server.message.port), String(durationMs), String(warmupTrips)], durationMs + 30_000);
    return /** @type {{ p50Us: number, cpuUsPerTrip: number }} */ (message);
  } finally {
    server.proc.kill('SIGKILL');
  }
}

/**
 * Measure every size `repeat` times per transport, the transports' order reversed every other
 * round (the VM drifts), keeping the named fields of each result.
 * @template {string} F
 * @param {number[]} sizes
 * @param {number} repeat
 * @param {readonly string[]} usable
 * @param {F[]} fields
 * @param {(name: any, size: number) => Promise<Record<F, number>>} measureOne
 * @returns {Promise<Record<F, Record<string, Record<string, number[]>>>>} field → size → transport → runs
 */
async function collect(sizes, repeat, usable, fields, measureOne) {
  const out = /** @type {Record<F, Record<string, Record<string, number[]>>>} */ (Object.fromEntries(fields.map((f) => [f, {}])));
  for (const size of sizes) {
    for (const f of fields) out[f][size] = {};
    for (let r = 0; r < repeat; r++) {
      for (const name of r % 2 === 0 ? usable : [...usable].reverse()) {
        const m = await measureOne(name, size);
        for (const f of fields) (out[f][size][name] ??= []).push(m[f]);
      }
    }
  }
  return out;
}

/** Latency mode: interleaved runs per transport and size, medians of the p50s. */
async function mainLatency(argv, opt, usable) {
  const sizes = opt('--sizes', '64').split(',').map(Number);
  const durationMs = Number(opt('--duration', '1500'));
  const warmupTrips = Number(opt('--warmup-trips', '2000'));
  const repeat = Number(opt('--repeat', '9'));
  const { p50Us: runs, cpuUsPerTrip: cpu } = await collect(sizes, repeat, usable, ['p50Us', 'cpuUsPerTrip'], (name, size) =>
    measureLatency(name, size, durationMs, warmupTrips),
  );
  const rows = sizes.map((size) => {
    const net = median(runs[size].net);
    const ur = runs[size].uring ? median(runs[size].uring) : undefined;
    const pairs = runs[size].uring?.map((u, i) => u / runs[size].net[i]);
    return {
      size,
      netP50Us: net,
      uringP50Us: ur,
      ratio: ur === undefined ? undefined : ur / net,
      pairRatioMedian: pairs ? median(pairs) : undefined,
      netCpuUsPerTrip: median(cpu[size].net),
      uringCpuUsPerTrip: cpu[size].uring ? median(cpu[size].uring) : undefined,
    };
  });
  console.log(`\nTransport ping-pong floor (Stream interface, no ZMTP), loopback TCP, p50 round trip, median of ${repeat} interleaved runs`);
  console.log('| size | node:net p50 µs | io_uring p50 µs | uring/net | median of per-round ratios | client CPU µs/trip net · uring |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  const f = (/** @type {number | undefined} */ x, /** @type {number} */ d, suffix = '') => (x === undefined ? '–' : `${x.toFixed(d)}${suffix}`);
  for (const r of rows) {
    console.log(`| ${r.size} B | ${f(r.netP50Us, 1)} | ${f(r.uringP50Us, 1)} | ${f(r.ratio, 2, '×')} | ${f(r.pairRatioMedian, 2, '×')} | ${f(r.netCpuUsPerTrip, 1)} · ${f(r.uringCpuUsPerTrip, 1)} |`);
  }
  if (!argv.includes('--no-save')) save('transport-latency-latest.json', argv, { durationMs, warmupTrips, repeat }, { p50Us: runs, cpuUsPerTrip: cpu }, rows);
}

/** Write a result document to results/<file>. */
function save(file, argv, settings, runs, rows) {
  mkdirSync(RESULTS, { recursive: true });
  const out = path.join(RESULTS, file);
  const doc = {
    date: new Date().toISOString(),
    command: `node tools/bench/transport-floor.mjs ${argv.join(' ')}`.trim(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, kernel: os.release(), node: process.version, loadavg: os.loadavg() },
    settings,
    runs,
    rows,
  };
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`results: ${path.relative(process.cwd(), out)}`);
}

/** One measurement in fresh processes (the server forks its client). */
async function measure(name, size, durationMs, warmupBytes) {
  const { message } = await child(['--role', 'server', name, String(size), String(durationMs), String(warmupBytes)], durationMs + 30_000);
  return /** @type {{ bytesPerSec: number, cpuUsPer64KiB: number }} */ (message);
}

async function main(argv) {
  const opt = (/** @type {string} */ name, /** @type {string} */ dflt) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : dflt;
  };
  const names = /** @type {const} */ (['net', 'uring']);
  const uring = await loadUring();
  const usable = uring.ok ? names : names.filter((n) => n === 'net');
  if (!uring.ok) console.log(`io_uring column skipped: ${uring.reason}`);
  if (argv.includes('--latency')) return mainLatency(argv, opt, usable);
  const sizes = opt('--sizes', '64,1024,65536').split(',').map(Number);
  const durationMs = Number(opt('--duration', '1500'));
  const warmupBytes = Number(opt('--warmup', '50')) * 1e6;
  const repeat = Number(opt('--repeat', '3'));
  const { bytesPerSec: runs, cpuUsPer64KiB: cpu } = await collect(sizes, repeat, usable, ['bytesPerSec', 'cpuUsPer64KiB'], (name, size) =>
    measure(name, size, durationMs, warmupBytes),
  );
  const rows = sizes.map((size) => {
    const net = median(runs[size].net);
    const ur = runs[size].uring ? median(runs[size].uring) : undefined;
    return {
      size,
      netBytesPerSec: net,
      uringBytesPerSec: ur,
      ratio: ur === undefined ? undefined : ur / net,
      netCpuUsPer64KiB: median(cpu[size].net),
      uringCpuUsPer64KiB: cpu[size].uring ? median(cpu[size].uring) : undefined,
    };
  });
  console.log(`\nTransport floor (Stream interface, no ZMTP), loopback TCP, median of ${repeat}; write() = 64 KiB of size-byte buffers`);
  console.log('| write size | node:net MB/s | io_uring MB/s | uring/net | receiver CPU µs per 64 KiB net · uring |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const mb = (/** @type {number | undefined} */ x) => (x === undefined ? '–' : (x / 1e6).toFixed(0));
    const us = (/** @type {number | undefined} */ x) => (x === undefined ? '–' : x.toFixed(1));
    console.log(`| ${r.size} B | ${mb(r.netBytesPerSec)} | ${mb(r.uringBytesPerSec)} | ${r.ratio === undefined ? '–' : `${r.ratio.toFixed(2)}×`} | ${us(r.netCpuUsPer64KiB)} · ${us(r.uringCpuUsPer64KiB)} |`);
  }
  if (!argv.includes('--no-save')) save('transport-floor-latest.json', argv, { durationMs, warmupBytes, repeat }, { bytesPerSec: runs, cpuUsPer64KiB: cpu }, rows);
}

const argv = process.argv.slice(2);
if (argv[0] === '--role') {
  const [, role, name, size, a, b, c] = argv;
  const run =
    role === 'client'
      ? client(name, Number(size), Number(a))
      : role === 'echo'
        ? echo(name)
        : role === 'pinger'
          ? pinger(name, Number(size), Number(a), Number(b), Number(c))
          : server(name, Number(size), Number(a), Number(b));
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
