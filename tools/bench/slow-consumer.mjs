#!/usr/bin/env node
/**
 * Slow-consumer memory benchmark: one or more PUSH sockets (a sender process) flood one PULL
 * (a receiver process) that consumes slowly, with the same high-water mark on both sides
 * (`sendHighWaterMark` / `receiveHighWaterMark`, libzmq's default 1000). Measures how much
 * each process's resident set grows over its baseline while the backlog builds up, for
 * Monocoque (node:net and io_uring transports), npm `zeromq`, libzmq C
 * (`c/slowconsumer.c`, built on the fly with `cc -O2 -lzmq`) and a node:net floor
 * (`lib/slow-floor.mjs`: the least a JS sender and receiver hold for the same backlog, so
 * V8's own share — garbage it has not collected yet — shows apart from a library's).
 *
 * The receiver binds, settles (forced GC for JS), reports its baseline RSS, waits for the
 * first message, then stalls (reads nothing) for `--stall` ms and reads one message per
 * millisecond for `--slow` ms. The sender reports its baseline after connecting and sends
 * fresh `--size`-byte messages as fast as its sockets take them (`await send()` per socket;
 * `--peers` sockets, one loop each). The driver samples both processes' VmRSS from
 * /proc every 20 ms; a cell's figure is the peak sample minus the baseline.
 *
 *   node tools/bench/slow-consumer.mjs [--impl monocoque,monocoque-uring,zeromq,libzmq,node-net-floor]
 *     [--sizes 64,65536] [--peers 1,10] [--stall 2000] [--slow 1500] [--hwm 1000]
 *     [--gc <ms>] [--out file.json] [--no-save]
 *
 * `--gc <ms>` (analysis): the JS processes force a full GC every <ms> ms, which shows how
 * much of their growth is garbage V8 has not collected yet rather than bytes held.
 *
 * Writes results/slow-consumer-latest.json (unless --no-save) and a table to stdout.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child } from './lib/proc.mjs';
import { importMonocoque, loadUring } from './lib/impls.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const IMPLS = ['monocoque', 'monocoque-uring', 'zeromq', 'libzmq', 'node-net-floor'];

/** @param {string[]} argv */
function parseArgs(argv) {
  const opts = { impls: IMPLS, sizes: [64, 65536], peers: [1, 10], stallMs: 2000, slowMs: 1500, hwm: 1000, gcMs: 0, out: undefined, save: true };
  const list = (v) => String(v).split(',').filter(Boolean);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--impl') opts.impls = list(argv[++i]);
    else if (a === '--sizes') opts.sizes = list(argv[++i]).map(Number);
    else if (a === '--peers') opts.peers = list(argv[++i]).map(Number);
    else if (a === '--stall') opts.stallMs = Number(argv[++i]);
    else if (a === '--slow') opts.slowMs = Number(argv[++i]);
    else if (a === '--hwm') opts.hwm = Number(argv[++i]);
    else if (a === '--gc') opts.gcMs = Number(argv[++i]);
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--no-save') opts.save = false;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/** One line of JSON to the parent. */
function emit(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function settledRss() {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().rss;
}

/**
 * Socket classes for a JS implementation (in this child process).
 * @param {string} impl
 * @param {number} size the cell's message size (the floor's fixed record size)
 */
async function classes(impl, size) {
  if (impl === 'node-net-floor') {
    const { SlowFloorPull, SlowFloorPush } = await import('./lib/slow-floor.mjs');
    return {
      Pull: class extends SlowFloorPull {
        constructor(/** @type {{ receiveHighWaterMark?: number }} */ o) {
          super({ ...o, recordSize: size });
        }
      },
      Push: SlowFloorPush,
    };
  }
  if (impl === 'zeromq') {
    const zmq = await import('zeromq');
    return { Push: zmq.Push, Pull: zmq.Pull };
  }
  if (impl === 'monocoque-uring') {
    const uring = await loadUring();
    if (!uring.ok) throw new Error(uring.reason);
  }
  const loaded = await importMonocoque('pipeline');
  if (!loaded.ok) throw new Error(loaded.reason);
  return { Push: loaded.module.Push, Pull: loaded.module.Pull };
}

// ------------------------------------------------------------------ receiver process
async function receiver(impl, { size, hwm, stallMs, slowMs }) {
  const { Pull } = await classes(impl, size);
  const pull = new Pull({ receiveHighWaterMark: hwm, linger: 0 });
  await pull.bind('tcp://127.0.0.1:*');
  await sleep(200);
  emit({ event: 'ready', endpoint: pull.lastEndpoint, rssBytes: settledRss() });
  let received = 0;
  await pull.receive();
  received++;
  await sleep(stallMs);
  const end = Date.now() + slowMs;
  while (Date.now() < end) {
    await pull.receive();
    received++;
    await sleep(1);
  }
  emit({ event: 'done', received });
  await new Promise(() => {}); // stay up until the parent kills us
}

// ------------------------------------------------------------------ sender process
async function sender(impl, { endpoint, size, hwm, peers }) {
  const { Push } = await classes(impl, size);
  const pushes = [];
  for (let i = 0; i < peers; i++) {
    const p = new Push({ sendHighWaterMark: hwm, linger: 0 });
    p.connect(endpoint);
    pushes.push(p);
  }
  emit({ event: 'ready', rssBytes: settledRss() });
  await sleep(300);
  await Promise.all(
    pushes.map(async (p, i) => {
      for (;;) {
        // A fresh message each time, as an application would send.
        const msg = Buffer.allocUnsafe(size).fill(i);
        await p.send(msg);
      }
    }),
  );
}

// ------------------------------------------------------------------ driver
/** A live process's current resident set (VmRSS), in bytes. */
function rssOf(pid) {
  try {
    const kib = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

/** Compile c/slowconsumer.c (same way run.mjs builds zmqbench). */
function buildC() {
  const cc = process.env.CC || 'cc';
  const src = path.join(HERE, 'c', 'slowconsumer.c');
  const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 12);
  const dir = path.join(os.tmpdir(), 'monocoque-bench');
  mkdirSync(dir, { recursive: true });
  const bin = path.join(dir, `slowconsumer-${hash}`);
  const r = spawnSync(cc, ['-O2', '-o', bin, src, '-lzmq'], { encoding: 'utf8' });
  if (r.error) return { ok: false, reason: `no C compiler (${cc}) on PATH` };
  if (r.status !== 0) {
    const err = String(r.stderr);
    if (/zmq\.h|-lzmq/.test(err)) return { ok: false, reason: 'libzmq missing (apt-get install -y libzmq3-dev)' };
    return { ok: false, reason: `cc failed: ${err.trim().split('\n')[0]}` };
  }
  return { ok: true, bin };
}

function childEnv(impl) {
  const env = { ...process.env };
  delete env.MONOCOQUE_TRANSPORT;
  if (impl === 'monocoque-uring') env.MONOCOQUE_TRANSPORT = 'uring';
  return env;
}

function spawnRole(impl, role, cfg, cBin) {
  if (impl === 'libzmq') {
    const args =
      role === 'receiver'
        ? ['receiver', 'tcp://127.0.0.1:*', cfg.size, cfg.hwm, cfg.stallMs, cfg.slowMs]
        : ['sender', cfg.endpoint, cfg.size, cfg.hwm, cfg.peers];
    return new Child(`libzmq ${role}`, cBin, args.map(String), childEnv(impl));
  }
  return new Child(`${impl} ${role}`, process.execPath, ['--expose-gc', SELF, '--role', role, '--impl', impl, JSON.stringify(cfg)], childEnv(impl));
}

async function measure(impl, cell, opts, cBin) {
  const cfg = { size: cell.size, peers: cell.peers, hwm: opts.hwm, stallMs: opts.stallMs, slowMs: opts.slowMs, gcMs: opts.gcMs };
  /** @type {Child[]} */
  const children = [];
  let timer;
  try {
    const recv = spawnRole(impl, 'receiver', cfg, cBin);
    children.push(recv);
    const ready = await recv.waitFor('ready', 20_000);
    const send = spawnRole(impl, 'sender', { ...cfg, endpoint: ready.endpoint }, cBin);
    children.push(send);
    const sready = await send.waitFor('ready', 20_000);
    const base = { receiver: Number(ready.rssBytes), sender: Number(sready.rssBytes) };
    const peak = { ...base };
    timer = setInterval(() => {
      const r = rssOf(recv.proc.pid);
      const s = rssOf(send.proc.pid);
      if (r !== undefined && r > peak.receiver) peak.receiver = r;
      if (s !== undefined && s > peak.sender) peak.sender = s;
    }, 20);
    const done = await Promise.race([recv.waitFor('done', opts.stallMs + opts.slowMs + 20_000), send.waitFor('done', 600_000)]);
    clearInterval(timer);
    const end = { receiver: rssOf(recv.proc.pid), sender: rssOf(send.proc.pid) };
    return {
      status: 'ok',
      received: done.received,
      receiverBaseBytes: base.receiver,
      senderBaseBytes: base.sender,
      receiverGrowthBytes: peak.receiver - base.receiver,
      senderGrowthBytes: peak.sender - base.sender,
      receiverEndGrowthBytes: end.receiver === undefined ? undefined : end.receiver - base.receiver,
      senderEndGrowthBytes: end.sender === undefined ? undefined : end.sender - base.sender,
    };
  } catch (err) {
    return { status: 'error', reason: String(err?.message ?? err) };
  } finally {
    clearInterval(timer);
    await Promise.all(children.map((c) => c.kill()));
  }
}

const mib = (b) => (typeof b === 'number' ? (b / 2 ** 20).toFixed(1) : '?');

async function main() {
  const argv = process.argv.slice(2);
  if (argv[0] === '--role') {
    const cfg = JSON.parse(argv[4]);
    if (cfg.gcMs > 0) setInterval(() => globalThis.gc?.(), cfg.gcMs).unref();
    if (argv[1] === 'receiver') return receiver(argv[3], cfg);
    return sender(argv[3], cfg);
  }
  const opts = parseArgs(argv);
  const c = opts.impls.includes('libzmq') ? buildC() : { ok: false, reason: 'not selected' };
  const run = {
    date: new Date().toISOString(),
    command: `node tools/bench/slow-consumer.mjs ${argv.join(' ')}`.trim(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version, kernel: os.release() },
    loadAverageStart: Number(os.loadavg()[0].toFixed(2)),
    hwm: opts.hwm,
    gcMs: opts.gcMs,
    stallMs: opts.stallMs,
    slowMs: opts.slowMs,
    cells: [],
  };
  const gcNote = opts.gcMs > 0 ? `; JS processes force a GC every ${opts.gcMs} ms` : '';
  console.log(`slow consumer: HWM ${opts.hwm} both sides, stall ${opts.stallMs} ms then 1 msg/ms for ${opts.slowMs} ms${gcNote}; RSS growth over baseline (MiB, peak)`);
  console.log(`${'cell'.padEnd(31)}${'impl'.padEnd(18)}${'receiver'.padStart(10)}${'sender'.padStart(10)}${'total'.padStart(10)}${'vs libzmq'.padStart(12)}${'vs floor'.padStart(10)}`);
  for (const peers of opts.peers) {
    for (const size of opts.sizes) {
      const id = `push-pull/tcp/${size >= 1024 ? `${size / 1024}KiB` : `${size}B`}${peers > 1 ? `/${peers}pushers` : ''}`;
      const cell = { id, size, peers, results: {} };
      for (const impl of opts.impls) {
        const r =
          impl === 'libzmq' && !c.ok
            ? { status: 'skipped', reason: c.reason }
            : impl === 'node-net-floor' && peers > 1
              ? { status: 'skipped', reason: 'the floor serves one connection' }
              : await measure(impl, cell, opts, c.bin);
        cell.results[impl] = r;
      }
      const lz = cell.results.libzmq;
      const lzTotal = lz?.status === 'ok' ? lz.receiverGrowthBytes + lz.senderGrowthBytes : undefined;
      const fl = cell.results['node-net-floor'];
      const floorTotal = fl?.status === 'ok' ? fl.receiverGrowthBytes + fl.senderGrowthBytes : undefined;
      for (const impl of opts.impls) {
        const r = cell.results[impl];
        if (r.status !== 'ok') {
          console.log(`${id.padEnd(31)}${impl.padEnd(18)}${r.status}: ${r.reason}`);
          continue;
        }
        const total = r.receiverGrowthBytes + r.senderGrowthBytes;
        const ratio = lzTotal ? `${(total / lzTotal).toFixed(2)}×`.padStart(12) : ''.padStart(12);
        const vsFloor = floorTotal && impl !== 'node-net-floor' ? `${(total / floorTotal).toFixed(2)}×`.padStart(10) : '';
        console.log(`${id.padEnd(31)}${impl.padEnd(18)}${mib(r.receiverGrowthBytes).padStart(10)}${mib(r.senderGrowthBytes).padStart(10)}${mib(total).padStart(10)}${ratio}${vsFloor}`);
      }
      run.cells.push(cell);
    }
  }
  run.loadAverageEnd = Number(os.loadavg()[0].toFixed(2));
  const json = JSON.stringify(run, null, 2);
  if (opts.out) writeFileSync(opts.out, json);
  if (opts.save) writeFileSync(path.join(HERE, 'results', 'slow-consumer-latest.json'), json);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
