#!/usr/bin/env node
/**
 * Idle-connection memory benchmark: N DEALER connections from a client process to one
 * ROUTER in a server process, over loopback TCP. Reports the server's RSS growth per
 * connection for Monocoque (node:net and io_uring transports) and for npm `zeromq`.
 *
 * Only the server is measured, so the clients are always Monocoque Dealers (one socket,
 * one connection each); every Dealer sends one message, so the ROUTER has seen each peer.
 * RSS is sampled after a forced GC, before any connection and once all are up and idle.
 * Both processes run under `ulimit -n 65536` (bash), since Node cannot raise it itself.
 *
 *   node tools/bench/memory.mjs [--connections 10000] [--impl monocoque,zeromq] [--out file.json] [--no-save]
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importMonocoque, loadUring } from './lib/impls.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const FD_LIMIT = 65536;

/** @param {string[]} argv */
function parseArgs(argv) {
  const opts = { connections: 10_000, impls: ['monocoque', 'monocoque-uring', 'zeromq'], out: undefined, save: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--connections') opts.connections = Number(argv[++i]);
    else if (a === '--impl') opts.impls = String(argv[++i]).split(',');
    else if (a === '--out') opts.out = argv[++i];
    else if (a === '--no-save') opts.save = false;
  }
  if (!(opts.connections > 0)) throw new Error('--connections must be a positive number');
  return opts;
}

/** One line of JSON to the parent. */
function emit(obj) {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

function settledRss() {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().rss;
}

// ------------------------------------------------------------------ server process
async function server(impl, connections) {
  let router;
  if (impl === 'zeromq') {
    const zmq = await import('zeromq');
    router = new zmq.Router();
  } else {
    if (impl === 'monocoque-uring') {
      const uring = await loadUring();
      if (!uring.ok) throw new Error(uring.reason);
    }
    const loaded = await importMonocoque('router');
    if (!loaded.ok) throw new Error(loaded.reason);
    router = new loaded.module.Router();
  }
  await router.bind('tcp://127.0.0.1:*');
  await new Promise((r) => setTimeout(r, 200));
  const rssBeforeBytes = settledRss();
  emit({ event: 'ready', endpoint: router.lastEndpoint, rssBeforeBytes });
  let seen = 0;
  for await (const _ of router) {
    if (++seen === connections) break;
  }
  // Let the last handshakes and buffers settle, then sample.
  await new Promise((r) => setTimeout(r, 1000));
  const rssAfterBytes = settledRss();
  emit({ event: 'measured', rssBeforeBytes, rssAfterBytes });
  await new Promise(() => {}); // stay up until the parent kills us
}

// ------------------------------------------------------------------ client process
async function client(endpoint, connections) {
  const loaded = await importMonocoque('dealer');
  if (!loaded.ok) throw new Error(loaded.reason);
  const { Dealer } = loaded.module;
  const dealers = [];
  const BATCH = 250; // stay under the listen backlog
  for (let i = 0; i < connections; i += BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(connections, i + BATCH); j++) {
      const d = new Dealer({ linger: 0, reconnectInterval: 50 });
      d.connect(endpoint);
      dealers.push(d);
      batch.push(d.send('hi'));
    }
    await Promise.all(batch);
  }
  emit({ event: 'connected', connections: dealers.length });
  await new Promise(() => {});
}

// ------------------------------------------------------------------ driver
function child(args) {
  const cmd = `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$0" "$@"`;
  const proc = spawn('bash', ['-c', cmd, process.execPath, '--expose-gc', SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = [];
  const waiters = [];
  let buf = '';
  proc.stdout.on('data', (d) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop();
    for (const p of parts) {
      if (!p.trim()) continue;
      const msg = JSON.parse(p);
      lines.push(msg);
      for (const w of waiters.splice(0)) w();
    }
  });
  const next = async (event, timeoutMs) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find((l) => l.event === event);
      if (found) return found;
      if (proc.exitCode !== null) throw new Error(`process exited (${proc.exitCode}) before "${event}"`);
      if (Date.now() > deadline) throw new Error(`no "${event}" within ${timeoutMs} ms`);
      await new Promise((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { proc, next };
}

async function measure(impl, connections) {
  const srv = child(['--role', 'server', '--impl', impl, '--connections', String(connections)]);
  let cli;
  try {
    const ready = await srv.next('ready', 30_000);
    cli = child(['--role', 'client', '--endpoint', ready.endpoint, '--connections', String(connections)]);
    const timeout = 60_000 + connections * 20;
    await cli.next('connected', timeout);
    const m = await srv.next('measured', timeout);
    const perConnectionBytes = Math.round((m.rssAfterBytes - m.rssBeforeBytes) / connections);
    return { status: 'ok', connections, rssBeforeBytes: m.rssBeforeBytes, rssAfterBytes: m.rssAfterBytes, perConnectionBytes };
  } catch (err) {
    return { status: 'error', reason: String(err?.message ?? err) };
  } finally {
    srv.proc.kill('SIGKILL');
    cli?.proc.kill('SIGKILL');
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const role = argv[argv.indexOf('--role') + 1];
  if (argv.includes('--role')) {
    const connections = Number(argv[argv.indexOf('--connections') + 1]);
    if (role === 'server') return server(argv[argv.indexOf('--impl') + 1], connections);
    return client(argv[argv.indexOf('--endpoint') + 1], connections);
  }
  const opts = parseArgs(argv);
  const section = { date: new Date().toISOString(), connections: opts.connections, results: {} };
  for (const impl of opts.impls) {
    const t0 = Date.now();
    const r = await measure(impl, opts.connections);
    section.results[impl] = r;
    const shown = r.status === 'ok' ? `${(r.perConnectionBytes / 1024).toFixed(1)} KiB per connection (RSS ${(r.rssBeforeBytes / 2 ** 20).toFixed(0)} -> ${(r.rssAfterBytes / 2 ** 20).toFixed(0)} MiB)` : `${r.status}: ${r.reason}`;
    console.log(`  memory ${impl.padEnd(10)} ${opts.connections} connections: ${shown} [${((Date.now() - t0) / 1000).toFixed(1)} s]`);
  }
  if (opts.out) writeFileSync(opts.out, JSON.stringify(section, null, 2));
  if (opts.save) writeFileSync(path.join(HERE, 'results', 'memory-latest.json'), JSON.stringify(section, null, 2));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
