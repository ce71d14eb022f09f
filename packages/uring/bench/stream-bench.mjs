#!/usr/bin/env node
// Micro-benchmark: io_uring transport vs the node:net transport, client and server in two
// processes, both sides using the same Transport implementation.
//
//   node packages/uring/bench/stream-bench.mjs [--frames 1000000] [--size 32] [--pings 20000]
//                                              [--transports net,uring,uring-defer] [--endpoints tcp,ipc]
//                                              [--runs 3] [--pin]
//
// Each configuration runs `--runs` times (interleaved) and the median of each column is
// reported. `--pin` pins the client to CPU 0 and the server to CPU 1 (taskset), which
// removes most of the scheduler noise on small VMs.
//
// 1. frames/s: the client streams length-prefixed frames (4-byte big-endian length +
//    `size` bytes, two chunks per frame, 256 frames per write() call, honouring
//    backpressure); the server parses every frame boundary and counts them.
// 2. ping-pong: one frame out, wait for the echo, repeat; reports round-trip latency.
//
// It loads the built packages: run `pnpm build` first.
import { fork, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = fileURLToPath(new URL('.', import.meta.url));
const pkg = join(here, '..');

const { values: opts } = parseArgs({
  options: {
    frames: { type: 'string', default: '1000000' },
    size: { type: 'string', default: '32' },
    pings: { type: 'string', default: '20000' },
    transports: { type: 'string', default: 'net,uring,uring-defer' },
    endpoints: { type: 'string', default: 'tcp,ipc' },
    runs: { type: 'string', default: '3' },
    pin: { type: 'boolean', default: false },
    child: { type: 'string' },
    dir: { type: 'string' },
  },
});

async function loadTransport(name) {
  const built = join(pkg, 'dist/index.js');
  if (!existsSync(built)) throw new Error(`${built} missing: run pnpm build first`);
  if (name === 'net') return (await import('@monocoque/core')).netTransport;
  process.env.MONOCOQUE_URING_MODE = name === 'uring-defer' ? 'defer' : 'coop';
  const r = (await import(pathToFileURL(built).href)).loadUring();
  if (!r.ok) throw new Error(`uring unavailable: ${r.reason}`);
  return r.transport;
}

/** Counts length-prefixed frames across arbitrary chunk boundaries. */
class FrameCounter {
  frames = 0;
  header = Buffer.alloc(4);
  have = 0; // header bytes collected
  skip = 0; // body bytes still to skip
  /** Count data frames in `chunk`; call `onControl()` for each zero-length frame. */
  push(chunk, onControl) {
    let i = 0;
    while (i < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - i);
        this.skip -= n;
        i += n;
        if (this.skip === 0) this.frames++;
        continue;
      }
      const n = Math.min(4 - this.have, chunk.length - i);
      chunk.copy(this.header, this.have, i, i + n);
      this.have += n;
      i += n;
      if (this.have === 4) {
        this.have = 0;
        this.skip = this.header.readUInt32BE(0);
        if (this.skip === 0) onControl();
      }
    }
  }
}

// ---------------------------------------------------------------- server (child process)
async function child() {
  const [name, kind] = opts.child.split(':');
  const t = await loadTransport(name);
  const endpoint = kind === 'tcp' ? { protocol: 'tcp', host: '127.0.0.1', port: 0 } : { protocol: 'ipc', path: join(opts.dir, `bench-${name}.sock`) };
  const listener = await t.listen(endpoint, (stream) => {
    const counter = new FrameCounter();
    let mode = 'count';
    stream.start({
      onData(chunk, transient) {
        if (mode === 'echo') {
          // io_uring chunks are transient (their memory is reused after this call).
          stream.write([transient ? Buffer.from(chunk) : chunk]);
          return;
        }
        counter.push(chunk, () => {
          // Control frame: report the count and switch to echo mode for ping-pong.
          const reply = Buffer.alloc(8);
          reply.writeUInt32BE(4, 0);
          reply.writeUInt32BE(counter.frames, 4);
          stream.write([reply]);
          mode = 'echo';
        });
      },
      onDrain() {},
      onClose() {
        void listener.close().then(() => process.exit(0));
      },
    });
  });
  process.send({ endpoint: kind === 'tcp' ? { ...endpoint, port: Number(listener.endpoint.split(':').pop()) } : endpoint });
}

// ---------------------------------------------------------------- client (this process)
async function runPair(dir, name, kind) {
  const proc = fork(fileURLToPath(import.meta.url), ['--child', `${name}:${kind}`, '--dir', dir], { stdio: 'inherit' });
  if (opts.pin) {
    spawnSync('taskset', ['-a', '-pc', '1', String(proc.pid)], { stdio: 'ignore' });
  }
  const { endpoint } = await new Promise((resolve, reject) => {
    proc.once('message', resolve);
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const t = await loadTransport(name);
  const stream = await t.connect(endpoint);
  const frames = Number(opts.frames);
  const size = Number(opts.size);
  const pings = Number(opts.pings);
  let onBytes = () => {};
  let drainWait;
  let received = [];
  stream.start({
    onData(chunk, transient) {
      received.push(transient ? Buffer.from(chunk) : chunk);
      onBytes();
    },
    onDrain() {
      drainWait?.();
    },
    onClose() {},
  });
  const body = Buffer.alloc(size, 0x61);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(size, 0);
  const BATCH = 256;
  const batch = [];
  for (let i = 0; i < BATCH; i++) batch.push(header, body);

  // 1. frames/s
  const t0 = process.hrtime.bigint();
  for (let sent = 0; sent < frames; ) {
    const n = Math.min(BATCH, frames - sent);
    const ok = stream.write(n === BATCH ? batch : batch.slice(0, 2 * n));
    sent += n;
    if (!ok) await new Promise((r) => (drainWait = r));
    else if (sent % (BATCH * 16) === 0) await new Promise((r) => setImmediate(r));
  }
  stream.write([Buffer.alloc(4)]); // control frame: length 0
  const count = await new Promise((resolve) => {
    onBytes = () => {
      const all = Buffer.concat(received);
      if (all.length >= 8) {
        received = [];
        resolve(all.readUInt32BE(4));
      }
    };
  });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (count !== frames) throw new Error(`server counted ${count} frames, sent ${frames}`);

  // 2. ping-pong (the server now echoes)
  const ping = Buffer.concat([header, body]);
  const rtts = new Float64Array(pings);
  let got = 0;
  for (let i = 0; i < pings + 1000; i++) {
    const start = process.hrtime.bigint();
    got = 0;
    await new Promise((resolve) => {
      onBytes = () => {
        for (const c of received) got += c.length;
        received = [];
        if (got >= ping.length) resolve();
      };
      stream.write([ping]);
    });
    if (i >= 1000) rtts[i - 1000] = Number(process.hrtime.bigint() - start) / 1000; // µs, after warm-up
  }
  rtts.sort();
  stream.destroy();
  await new Promise((r) => proc.once('exit', r));
  return {
    transport: name,
    endpoint: kind,
    framesPerSec: Math.round(frames / secs),
    mbPerSec: +((frames * (size + 4)) / secs / 1e6).toFixed(1),
    rttMeanUs: +(rtts.reduce((a, b) => a + b, 0) / pings).toFixed(1),
    rttP50Us: +rtts[Math.floor(pings * 0.5)].toFixed(1),
    rttP99Us: +rtts[Math.floor(pings * 0.99)].toFixed(1),
  };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'mq-uring-bench-'));
  try {
    console.log(`# node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}`);
    console.log(`# ${opts.frames} frames of ${opts.size} B (+4 B header), ${opts.pings} ping-pongs\n`);
    if (opts.pin) spawnSync('taskset', ['-a', '-pc', '0', String(process.pid)], { stdio: 'ignore' });
    const results = new Map();
    for (let run = 0; run < Number(opts.runs); run++) {
      for (const kind of opts.endpoints.split(',')) {
        for (const name of opts.transports.split(',')) {
          const key = `${name} ${kind}`;
          try {
            const r = await runPair(dir, name, kind);
            results.set(key, [...(results.get(key) ?? []), r]);
          } catch (error) {
            if (run === 0) console.log(`${key}: skipped (${error.message})`);
          }
        }
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const rows = [...results.values()].map((rs) => {
      const row = { transport: rs[0].transport, endpoint: rs[0].endpoint };
      for (const k of ['framesPerSec', 'mbPerSec', 'rttMeanUs', 'rttP50Us', 'rttP99Us']) row[k] = median(rs.map((r) => r[k]));
      return row;
    });
    console.log(`# median of ${opts.runs} runs${opts.pin ? ', client pinned to CPU 0, server to CPU 1' : ''}`);
    console.table(rows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (opts.child) await child();
else await main();
