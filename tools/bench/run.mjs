#!/usr/bin/env node
/**
 * Side-by-side benchmark runner: Monocoque (net and io_uring transports) vs npm zeromq
 * vs libzmq in C. Every scenario runs as two processes (a binding server and a
 * connecting client) over loopback TCP or IPC. See README.md for the details.
 *
 *   node tools/bench/run.mjs [--quick] [--filter push-pull/tcp] [--impl monocoque,zeromq]
 *                            [--curve | --fanout] [--duration 1000] [--warmup 300] [--repeat 1]
 *                            [--memory [--connections 10000]] [--docs] [--runtime bun]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Child } from './lib/proc.mjs';
import { runtimeCommand } from '../runtimes/runtimes.mjs';
import { buildMatrix, baseId, checkSecurity, curveBackendOf, IMPLS, MEASURER, runsScenario } from './lib/matrix.mjs';
import { importMonocoque } from './lib/impls.mjs';
import { combineCrypto, medianOfRuns } from './lib/stats.mjs';
import { evaluateCurveTargets, evaluateFanoutTargets, evaluateTargets, fmtCell, problemLines, renderCryptoTable, renderTables, renderTargets } from './lib/report.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WORKER = path.join(HERE, 'worker.mjs');
const CRYPTO = path.join(HERE, 'crypto.mjs');
const RESULTS_DIR = path.join(HERE, 'results');

/**
 * @typedef {import('./lib/matrix.mjs').Scenario} Scenario
 * @typedef {import('./lib/matrix.mjs').ImplId} ImplId
 * @typedef {import('./lib/report.mjs').ImplResult} ImplResult
 * @typedef {import('./lib/report.mjs').ScenarioResult} ScenarioResult
 */

const USAGE = `Usage: node tools/bench/run.mjs [options]
  --quick              CI smoke: a few hundred messages per scenario, reduced matrix (< 60 s)
  --filter <s>[,<s>]   only scenarios whose id contains one of the substrings (repeatable)
                       ids look like req-rep/tcp/64B, push-pull/ipc/64KiB/batch,
                       push-pull/tcp/64B/curve (substrings naming "curve" pick CURVE rows)
  --curve              the CURVE matrix instead of the NULL one: REQ/REP and PUSH/PULL over
                       TCP at 64 B, 1 KiB, 64 KiB, plus each box backend's crypto alone
  --fanout             the fan-out/fan-in matrix instead (64 B, TCP): one PUB to 1, 10, 100
                       SUBs, one ROUTER serving 1000 DEALERs, one PULL fed by 10 PUSHes
                       (ids like pub-sub/tcp/64B/100subs; --filter fanout picks them all)
  --impl <id>[,<id>]   columns: ${IMPLS.map((i) => i.id).join(', ')} (default: all)
  --duration <ms>      measurement window per run (default 1000)
  --warmup <ms>        warm-up per run before measuring (default 300)
  --repeat <n>         runs per cell; the median is reported (default 1)
  --cpu-prof <dir>     profile the JS workers (node --cpu-prof) into <dir>, one
                       .cpuprofile per process; summarise with profile-top.mjs
  --pin                pin the server to CPU 0 and the client to CPU 1 (taskset; recorded)
  --memory             also run the idle-connection memory benchmark (memory.mjs)
  --connections <n>    connections for --memory (default 10000)
  --docs               regenerate docs/performance.md and docs/performance-chart.svg
  --runtime <name>     run the JS workers under node (default), bun or deno (the pinned
                       binaries of tools/runtimes; npm zeromq and io_uring do not load on bun/deno)
  --help`;

/** @param {string[]} argv */
function parseArgs(argv) {
  const opts = {
    quick: false,
    /** @type {string[]} */ filter: [],
    /** @type {ImplId[]} */ impls: IMPLS.map((i) => i.id),
    durationMs: 1000,
    warmupMs: 300,
    repeat: 1,
    memory: false,
    connections: 10000,
    docs: false,
    runtime: 'node',
    curve: false,
    fanout: false,
    pin: false,
    /** @type {string | undefined} */ cpuProf: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.includes('=') ? a.split(/=(.*)/s) : [a, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const num = () => {
      const n = Number(value());
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number`);
      return n;
    };
    switch (flag) {
      case '--quick': opts.quick = true; break;
      case '--curve': opts.curve = true; break;
      case '--fanout': opts.fanout = true; break;
      case '--pin': opts.pin = true; break;
      case '--cpu-prof': opts.cpuProf = path.resolve(value()); break;
      case '--filter': opts.filter.push(...value().split(',').filter(Boolean)); break;
      case '--impl': {
        const ids = value().split(',').filter(Boolean);
        for (const id of ids) if (!IMPLS.some((x) => x.id === id)) throw new Error(`unknown implementation ${id}`);
        opts.impls = /** @type {ImplId[]} */ (ids);
        break;
      }
      case '--duration': opts.durationMs = num(); break;
      case '--warmup': opts.warmupMs = Number(value()); break;
      case '--repeat': opts.repeat = Math.floor(num()); break;
      case '--memory': opts.memory = true; break;
      case '--connections': opts.connections = Math.floor(num()); break;
      case '--docs': opts.docs = true; break;
      case '--runtime': opts.runtime = value(); break;
      case '--help': case '-h': console.log(USAGE); process.exit(0); break;
      default: throw new Error(`unknown option ${a}\n${USAGE}`);
    }
  }
  if (opts.curve && opts.fanout) throw new Error('--curve and --fanout select different matrices: pick one');
  return opts;
}

/** Machine facts for the results file and docs. */
function machineInfo() {
  const sh = (/** @type {string} */ cmd, /** @type {string[]} */ args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : '';
  };
  const lscpu = sh('lscpu', []);
  const field = (/** @type {string} */ name) => lscpu.match(new RegExp(`^${name}:\\s*(.+)$`, 'm'))?.[1]?.trim();
  return {
    cpu: field('Model name') ?? os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    hypervisor: field('Hypervisor vendor') ?? null,
    kernel: sh('uname', ['-r']) || os.release(),
    os: `${os.type()} ${os.arch()}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    /** 1-minute load average when the run started (other work on the machine skews figures). */
    loadAverage: Number(os.loadavg()[0].toFixed(2)),
  };
}

/**
 * Compile c/zmqbench.c into a temp dir.
 * @returns {{ ok: true, bin: string, version: string } | { ok: false, reason: string }}
 */
function buildC() {
  const cc = process.env.CC || 'cc';
  const probe = spawnSync(cc, ['--version'], { encoding: 'utf8' });
  if (probe.error) return { ok: false, reason: `no C compiler (${cc}) on PATH` };
  const dir = path.join(os.tmpdir(), 'monocoque-bench');
  mkdirSync(dir, { recursive: true });
  const src = path.join(HERE, 'c', 'zmqbench.c');
  // Named after the source's hash: runs from other checkouts (other versions of the
  // source) on the same machine never use or overwrite each other's binary.
  const hash = createHash('sha256').update(readFileSync(src)).digest('hex').slice(0, 12);
  const bin = path.join(dir, `zmqbench-${hash}`);
  const r = spawnSync(cc, ['-O2', '-o', bin, src, '-lzmq'], { encoding: 'utf8' });
  if (r.status !== 0) {
    const err = `${r.stderr}`;
    if (/zmq\.h/.test(err)) return { ok: false, reason: 'libzmq headers missing (apt-get install -y libzmq3-dev)' };
    if (/-lzmq/.test(err)) return { ok: false, reason: 'libzmq library missing (apt-get install -y libzmq3-dev)' };
    return { ok: false, reason: `cc failed: ${err.trim().split('\n')[0]}` };
  }
  const v = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (v.status !== 0) return { ok: false, reason: `zmqbench does not run: ${v.stderr.trim().split('\n')[0]}` };
  const [version, curve] = v.stdout.trim().split(/\s+/);
  return { ok: true, bin, version, curve: curve === 'curve' };
}

/**
 * Probe a JS implementation in a child process (importing the uring transport has
 * process-wide effects, so the runner itself never imports implementations).
 * @param {ImplId} impl
 * @returns {Promise<any>}
 */
async function probeJs(impl) {
  const child = new Child(`${impl} probe`, JS.command, [...JS.args, WORKER, '--probe', impl], childEnv(impl));
  try {
    return await child.waitFor('probe', 30_000);
  } catch (err) {
    return { error: /** @type {Error} */ (err).message };
  } finally {
    await child.kill();
  }
}

/**
 * @param {ImplId} impl
 * @param {CurveKeys} [curve] the run's keys (C peers read them from the environment)
 * @param {'server' | 'client'} [role]
 */
function childEnv(impl, curve, role) {
  const env = { ...process.env };
  delete env.MONOCOQUE_TRANSPORT;
  delete env.MONOCOQUE_CURVE_BACKEND;
  for (const k of Object.keys(env)) if (k.startsWith('ZMQBENCH_CURVE_')) delete env[k];
  if (impl === 'monocoque-uring') env.MONOCOQUE_TRANSPORT = 'uring';
  // Forced, so an unloadable sodium-native is an error rather than a silent noble column.
  const backend = curveBackendOf(impl);
  if (backend) env.MONOCOQUE_CURVE_BACKEND = backend;
  if (curve && impl === 'libzmq') {
    if (role === 'server') env.ZMQBENCH_CURVE_SECRET = curve.serverSecret;
    else Object.assign(env, { ZMQBENCH_CURVE_SERVERKEY: curve.serverPublic, ZMQBENCH_CURVE_PUBLIC: curve.clientPublic, ZMQBENCH_CURVE_SECRET: curve.clientSecret });
  }
  return env;
}

/** @typedef {{ serverPublic: string, serverSecret: string, clientPublic: string, clientSecret: string }} CurveKeys */

/** @type {(() => { publicKey: string, secretKey: string }) | undefined} */
let curveKeyPair;

/** Fresh CURVE key pairs for one run (`@monocoque/curve`'s curveKeyPair; Z85 keys work for every implementation). */
async function curveKeys() {
  if (!curveKeyPair) {
    const m = await importMonocoque('curve');
    if (!m.ok) throw new Error(m.reason);
    curveKeyPair = m.module.curveKeyPair;
  }
  const server = /** @type {NonNullable<typeof curveKeyPair>} */ (curveKeyPair)();
  const client = /** @type {NonNullable<typeof curveKeyPair>} */ (curveKeyPair)();
  return { serverPublic: server.publicKey, serverSecret: server.secretKey, clientPublic: client.publicKey, clientSecret: client.secretKey };
}


let ipcCounter = 0;

/** @param {unknown} bytes */
const mib = (bytes) => (typeof bytes === 'number' ? `${Math.round(bytes / 2 ** 20)} MiB` : '?');

/**
 * A live process's peak resident set (VmHWM in /proc/<pid>/status), in bytes.
 * @param {number | undefined} pid
 * @returns {number | undefined}
 */
function peakRssOf(pid) {
  try {
    const kib = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m)?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

/** Fan-out rows: how long all peers may take to connect and be heard from. */
const JOIN_TIMEOUT_MS = 30_000;
/** Fan-out rows: the fd limit their processes ask for (capped at the hard limit). */
const FD_LIMIT = 65536;

/** How JS workers are started (`--runtime`): Node by default, else a pinned Bun or Deno. */
let JS = runtimeCommand('node');

/**
 * Run one scenario for one implementation once: spawn server, wait until bound, spawn
 * client, wait for the measuring side's result, kill both.
 * @param {Scenario} s
 * @param {ImplId} impl
 * @param {'plain' | 'batch'} variant
 * @param {{ warmupMs: number, warmupMsgs: number, durationMs: number, maxMsgs: number, timeoutMs: number, cBin?: string, pin?: boolean, cpuProf?: string }} cfg
 * @returns {Promise<ImplResult>}
 */
async function runOnce(s, impl, variant, cfg) {
  const ipcPath = path.join(os.tmpdir(), `monocoque-bench-${process.pid}-${++ipcCounter}.sock`);
  const bindEndpoint = s.transport === 'tcp' ? 'tcp://127.0.0.1:*' : `ipc://${ipcPath}`;
  /** @type {CurveKeys | undefined} */
  let curve;
  try {
    if (s.security === 'curve') curve = await curveKeys();
  } catch (err) {
    return { status: 'error', reason: `CURVE keys: ${/** @type {Error} */ (err).message}` };
  }
  /** @param {'server' | 'client'} role @param {string} endpoint */
  const spawnRole = (role, endpoint) => {
    const label = `${impl} ${role}`;
    /**
     * `taskset -c <cpu>` in front of a command when pinning; fan-out rows run under a
     * raised fd limit (bash `ulimit -n`: 1000 sockets need more than a default 1024).
     * @param {string} command @param {string[]} args
     */
    const child = (command, args) => {
      let argv = [command, ...args];
      if (s.peers !== undefined) argv = ['bash', '-c', `ulimit -n ${FD_LIMIT} 2>/dev/null || ulimit -n $(ulimit -Hn); exec "$0" "$@"`, ...argv];
      if (cfg.pin) argv = ['taskset', '-c', role === 'server' ? '0' : '1', ...argv];
      return new Child(label, argv[0], argv.slice(1), childEnv(impl, curve, role));
    };
    if (impl === 'libzmq') {
      const args = [role, s.pattern, endpoint, s.size, cfg.warmupMs, cfg.warmupMsgs, cfg.durationMs, cfg.maxMsgs];
      if (s.peers !== undefined) args.push(s.peers, JOIN_TIMEOUT_MS);
      return child(/** @type {string} */ (cfg.cBin), args.map(String));
    }
    const wcfg = {
      impl, role, pattern: s.pattern, variant, endpoint, size: s.size,
      warmupMs: cfg.warmupMs, warmupMsgs: cfg.warmupMsgs, durationMs: cfg.durationMs, maxMsgs: cfg.maxMsgs,
      ...(curve ? { curve, curveBackend: curveBackendOf(impl) } : {}),
      ...(s.peers !== undefined ? { peers: s.peers, joinTimeoutMs: JOIN_TIMEOUT_MS } : {}),
    };
    const prof = cfg.cpuProf
      ? ['--cpu-prof', `--cpu-prof-dir=${cfg.cpuProf}`, `--cpu-prof-name=${[impl, s.id.replaceAll('/', '-'), role, Date.now()].join('.')}.cpuprofile`]
      : [];
    return child(JS.command, [...JS.args, ...prof, WORKER, JSON.stringify(wcfg)]);
  };
  /** @type {Child[]} */
  const children = [];
  try {
    const server = spawnRole('server', bindEndpoint);
    children.push(server);
    const ready = await server.waitFor('ready', 15_000);
    const client = spawnRole('client', String(ready.endpoint));
    children.push(client);
    const measurer = MEASURER[s.pattern] === 'server' ? server : client;
    const other = measurer === server ? client : server;
    // The other side never reports; its waitFor only settles if it fails or exits.
    const timeoutMs = cfg.timeoutMs + (s.peers !== undefined ? JOIN_TIMEOUT_MS : 0);
    const result = await Promise.race([measurer.waitFor('result', timeoutMs), other.waitFor('result', timeoutMs)]);
    const { event: _event, ...metrics } = result;
    if (s.peers !== undefined) {
      // Peak RSS of both processes: the measurer reports its own (it has exited by now),
      // the other one is read from /proc before it is killed.
      const otherPeak = peakRssOf(other.proc.pid);
      const [mine, theirs] = measurer === server ? ['serverRssPeakBytes', 'clientRssPeakBytes'] : ['clientRssPeakBytes', 'serverRssPeakBytes'];
      if (typeof metrics.rssPeakBytes === 'number') metrics[mine] = metrics.rssPeakBytes;
      if (otherPeak !== undefined) metrics[theirs] = otherPeak;
      delete metrics.rssPeakBytes;
    }
    if (curve) {
      // Both sides printed their mechanism before binding/connecting.
      const reports = await Promise.all([server.waitFor('security', 2_000), client.waitFor('security', 2_000)]);
      metrics.security = checkSecurity(impl, reports);
    }
    return /** @type {ImplResult} */ ({ status: 'ok', ...metrics });
  } catch (err) {
    return { status: 'error', reason: /** @type {Error} */ (err).message };
  } finally {
    // Profiled workers exit on SIGTERM so that node writes their profile.
    await Promise.all(children.map((c) => (cfg.cpuProf ? c.stop(5_000) : c.kill())));
    rmSync(ipcPath, { force: true });
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const started = Date.now();
  JS = runtimeCommand(opts.runtime);
  const machine = machineInfo();
  if (opts.runtime !== 'node') machine.runtime = `${opts.runtime} ${spawnSync(JS.command, ['--version'], { encoding: 'utf8' }).stdout.match(/\d+\.\d+\.\d+/)?.[0]}`;
  const cfg = opts.quick
    ? { warmupMs: 0, warmupMsgs: 30, durationMs: 1000, maxMsgs: 300, timeoutMs: 8_000 }
    : { warmupMs: opts.warmupMs, warmupMsgs: 100, durationMs: opts.durationMs, maxMsgs: 1e12, timeoutMs: opts.warmupMs + opts.durationMs + 12_000 };

  console.log(`Monocoque side-by-side benchmark${opts.quick ? ' (--quick smoke run: numbers are not meaningful)' : ''}`);
  console.log(`machine: ${machine.cpu}, ${machine.cores} cores, kernel ${machine.kernel}, node ${machine.node}${machine.runtime ? `, workers on ${machine.runtime}` : ''}`);

  const scenarios = buildMatrix({ quick: opts.quick, filter: opts.filter, curve: opts.curve, fanout: opts.fanout });
  if (scenarios.length === 0) {
    console.error(`no scenario matches --filter ${opts.filter.join(',')}`);
    process.exit(2);
  }
  // Columns that run at least one of the selected rows (CURVE-only columns sit out NULL runs).
  const columns = IMPLS.filter((i) => opts.impls.includes(i.id) && scenarios.some((s) => runsScenario(i, s)));

  // Availability of each column, decided once up front.
  /** @type {Record<string, { available: boolean, reason?: string, version?: string, curve?: { ok: boolean, reason?: string, backend?: string }, patterns?: Record<string, { ok: boolean, reason?: string, batch?: boolean }> }>} */
  const availability = {};
  const jsImpls = columns.map((i) => i.id).filter((id) => id !== 'libzmq');
  const probes = await Promise.all(jsImpls.map((id) => probeJs(id)));
  jsImpls.forEach((id, i) => {
    const p = probes[i];
    if (p.error) availability[id] = { available: false, reason: p.error };
    else {
      const ok = Object.values(p.patterns).some((x) => /** @type {any} */ (x).ok);
      const reasons = [...new Set(Object.values(p.patterns).filter((x) => !(/** @type {any} */ (x).ok)).map((x) => /** @type {any} */ (x).reason))];
      availability[id] = { available: ok, reason: reasons.join('; ') || undefined, version: p.version, patterns: p.patterns, curve: p.curve };
    }
  });
  /** @type {string | undefined} */
  let cBin;
  if (columns.some((i) => i.id === 'libzmq')) {
    const c = buildC();
    availability.libzmq = c.ok
      ? { available: true, version: `libzmq ${c.version} (C, ${process.env.CC || 'cc'} -O2)`, curve: c.curve ? { ok: true, backend: 'libzmq' } : { ok: false, reason: 'libzmq built without CURVE' } }
      : { available: false, reason: c.reason };
    if (c.ok) cBin = c.bin;
  }
  const hasCurve = scenarios.some((s) => s.security === 'curve');
  // Load the key maker before any scenario runs: resolved later in the run (after IPC
  // scenarios), importing @monocoque/curve from here has failed to find @noble/hashes.
  if (hasCurve) await curveKeys().catch(() => undefined);
  for (const impl of columns) {
    const a = availability[impl.id];
    const curveNote = hasCurve && a.curve ? (a.curve.ok ? `; CURVE: ${a.curve.backend}` : `; CURVE rows skipped — ${a.curve.reason}`) : '';
    if (!a.available) console.log(`  ${impl.label}: column skipped — ${a.reason}`);
    else if (a.reason) console.log(`  ${impl.label}: partly available — ${a.reason}${curveNote}`);
    else console.log(`  ${impl.label}: ok${a.version ? ` (${a.version})` : ''}${curveNote}`);
  }

  console.log(
    `${scenarios.length} scenarios; per run: warm-up ${cfg.warmupMs} ms / ≥${cfg.warmupMsgs} msgs, ` +
      `measure ${cfg.durationMs} ms${cfg.maxMsgs < 1e12 ? ` or ${cfg.maxMsgs} msgs` : ''}, median of ${opts.repeat} run(s)\n`,
  );

  /** @type {Map<string, ImplResult>} baseline results shared by plain and batch rows */
  const baselineCache = new Map();
  /** @type {Map<string, number>} consecutive failures per impl+pattern */
  const failures = new Map();
  /** @type {ScenarioResult[]} */
  const rows = [];
  for (const s of scenarios) {
    /** @type {ScenarioResult} */
    const row = { ...s, results: {} };
    rows.push(row);
    // Decide per column first: a fixed result (skipped, or a baseline's plain result reused
    // for its batch row), or runs to make.
    /** @type {Map<string, ImplResult>} */
    const fixed = new Map();
    /** @type {Map<string, { variant: 'plain' | 'batch', key: string, failKey: string, runs: ImplResult[] }>} */
    const toRun = new Map();
    for (const impl of columns) {
      if (!runsScenario(impl, s)) continue;
      const a = availability[impl.id];
      const p = a.patterns?.[s.pattern];
      const key = `${impl.id}:${baseId(s)}`;
      const failKey = `${impl.id}:${s.pattern}`;
      if (!a.available) fixed.set(impl.id, { status: 'skipped', reason: /** @type {string} */ (a.reason) });
      else if (s.security === 'curve' && !a.curve?.ok) fixed.set(impl.id, { status: 'skipped', reason: a.curve?.reason ?? 'no CURVE' });
      else if (p && !p.ok) fixed.set(impl.id, { status: 'skipped', reason: /** @type {string} */ (p.reason) });
      else if (impl.batchApi && s.variant === 'batch' && !p?.batch) {
        fixed.set(impl.id, { status: 'skipped', reason: 'no batching API yet (write/flush/receiveMany)' });
      } else if (!impl.batchApi && baselineCache.has(key)) {
        fixed.set(impl.id, /** @type {ImplResult} */ (baselineCache.get(key)));
      } else if ((failures.get(failKey) ?? 0) >= 2) {
        fixed.set(impl.id, { status: 'skipped', reason: `skipped after 2 consecutive failures of ${s.pattern}` });
      } else {
        toRun.set(impl.id, { variant: impl.batchApi ? s.variant : 'plain', key, failKey, runs: [] });
      }
    }
    // Repeats go round the columns (run 1 of each, then run 2 of each, ...), so a VM whose
    // speed drifts over minutes slows every column of a cell alike instead of one of them.
    for (let r = 0; r < opts.repeat; r++) {
      for (const [id, job] of toRun) {
        if (job.runs.some((x) => x.status !== 'ok')) continue;
        job.runs.push(await runOnce(s, id, job.variant, { ...cfg, cBin, pin: opts.pin, cpuProf: opts.cpuProf }));
      }
    }
    for (const impl of columns) {
      if (!runsScenario(impl, s)) continue;
      /** @type {ImplResult} */
      let result;
      const job = toRun.get(impl.id);
      if (job === undefined) {
        result = /** @type {ImplResult} */ (fixed.get(impl.id));
      } else {
        const bad = job.runs.find((x) => x.status !== 'ok');
        result = bad ?? { ...medianOfRuns(/** @type {any[]} */ (job.runs)), status: 'ok' };
        failures.set(job.failKey, bad ? (failures.get(job.failKey) ?? 0) + 1 : 0);
        if (!impl.batchApi) baselineCache.set(job.key, result);
        const shown = result.status === 'ok' ? `${fmtCell(result, s.kind)}${s.kind === 'latency' ? ' µs' : ''}` : `ERROR ${result.reason}`;
        const extra = result.status !== 'ok' ? '' : s.kind === 'fanout'
          ? ` (${result.count} msgs; all ${s.peers} peers heard from after ${Math.round(Number(result.joinMs))} ms${
              Number(result.silentPeers) > 0 ? `; ${result.silentPeers} peer(s) silent in the window` : ''
            }; peak RSS server ${mib(result.serverRssPeakBytes)}, client ${mib(result.clientRssPeakBytes)})`
          : ` (${result.count} msgs)`;
        console.log(`  ${s.id.padEnd(26)} ${impl.label.padEnd(18)} ${shown}${extra}`);
      }
      row.results[impl.id] = result;
    }
  }

  const previous = readJson(path.join(RESULTS_DIR, 'latest.json'));
  let memory = previous?.memory;
  if (opts.memory) memory = await runMemory(opts.connections);

  /** @type {import('./lib/report.mjs').CryptoSection | undefined} */
  let crypto;
  if (hasCurve && !opts.quick && opts.runtime === 'node') crypto = await runCrypto(cfg, opts.repeat, opts.pin);

  const onlyFanout = scenarios.every((s) => s.kind === 'fanout');
  const targets = onlyFanout
    ? evaluateFanoutTargets(rows)
    : hasCurve && !scenarios.some((s) => s.security !== 'curve') ? evaluateCurveTargets(rows, crypto) : evaluateTargets(rows, memory, { pinned: opts.pin });
  console.log(`\n${renderTables(rows, columns.map((i) => i.id))}\n`);
  if (crypto) console.log(`Crypto alone, one core (seal = encrypt only, in place, MESSAGE nonces):\n${renderCryptoTable(crypto)}\n`);
  console.log('Latency cells: p50 / p99 round trip in µs (ratio columns: p50, lower is better).');
  console.log('Throughput cells: msg/s · MB/s at the receiver (ratio columns: msg/s, higher is better).');
  if (!onlyFanout) console.log('Baselines have no batching API: their /batch rows repeat the /plain measurement (the node:net floor measures both).');
  if (scenarios.some((s) => s.kind === 'fanout')) console.log('Fan-out cells: total rate (msg/s, or round trips/s for DEALERs) · the slowest peer\'s rate (ratio columns: total).');
  const problems = problemLines(rows);
  if (problems.length) console.log(`\n${problems.map((l) => `  ${l}`).join('\n')}`);
  console.log(`\nTargets${opts.quick ? ' (quick run: not meaningful)' : ''}:\n${renderTargets(targets)}\n`);

  const complete = !opts.quick && opts.filter.length === 0 && opts.impls.length === IMPLS.length && opts.runtime === 'node';
  const full = complete && !opts.curve && !opts.fanout;
  const curveFull = complete && opts.curve;
  const fanoutFull = complete && opts.fanout;
  const doc = {
    schema: 1,
    date: new Date().toISOString(),
    command: `node tools/bench/run.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    kind: opts.quick ? 'quick' : full ? 'full' : curveFull ? 'curve' : fanoutFull ? 'fanout' : 'partial',
    elapsedSec: Math.round((Date.now() - started) / 1000),
    machine: { ...machine, loadAverageAtEnd: Number(os.loadavg()[0].toFixed(2)) },
    settings: { ...cfg, repeat: opts.repeat, timeoutMs: undefined, maxMsgs: cfg.maxMsgs < 1e12 ? cfg.maxMsgs : null },
    pinning: opts.pin ? 'taskset: server on CPU 0, client on CPU 1; crypto alone on CPU 0' : 'none (processes not pinned)',
    implementations: Object.fromEntries(
      IMPLS.filter((i) => availability[i.id]).map((i) => {
        const { patterns: _p, ...a } = availability[i.id];
        return [i.id, { label: i.label, ...a }];
      }),
    ),
    scenarios: rows,
    ...(opts.curve ? { crypto } : opts.fanout ? {} : { memory }),
    targets,
  };
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = doc.date.replace(/[:.]/g, '-');
  const stamped = path.join(RESULTS_DIR, `${doc.kind}-${stamp}.json`);
  writeFileSync(stamped, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`results: ${path.relative(process.cwd(), stamped)}`);
  // A pinned run is kept beside the unpinned one (docs compare them), never in its place.
  const pin = opts.pin ? 'pinned-' : '';
  const latestName = full ? `${pin}latest.json` : opts.curve ? `curve-${pin}latest.json` : opts.fanout ? `fanout-${pin}latest.json` : 'latest.json';
  const latest = path.join(RESULTS_DIR, latestName);
  if (full || curveFull || fanoutFull) {
    writeFileSync(latest, `${JSON.stringify(doc, null, 2)}\n`);
    console.log(`results: ${path.relative(process.cwd(), latest)}`);
  } else {
    console.log(`(quick/partial run: results/${latestName} left unchanged)`);
  }
  if (opts.docs) {
    const { writeDocs } = await import('./docs.mjs');
    const input = full || curveFull || fanoutFull ? latest : stamped;
    // Pinned runs appear in the pinned section, read from their own files.
    const files = opts.pin ? writeDocs() : opts.curve ? writeDocs(undefined, input) : opts.fanout ? writeDocs(undefined, undefined, input) : writeDocs(input);
    for (const f of files) console.log(`wrote ${path.relative(process.cwd(), f)}`);
  }
  console.log(`done in ${doc.elapsedSec} s`);
  process.exit(0);
}

/**
 * Each box backend's crypto alone on one core (crypto.mjs in a child process): the
 * physical limit the CURVE rows are compared with. Median of `repeat` runs.
 * @param {{ warmupMs: number, durationMs: number }} cfg
 * @param {number} repeat
 * @param {boolean} pin
 * @returns {Promise<import('./lib/report.mjs').CryptoSection | undefined>}
 */
async function runCrypto(cfg, repeat, pin) {
  console.log('\ncrypto alone (crypto.mjs, one process) …');
  /** @type {any[]} */
  const runs = [];
  for (let r = 0; r < repeat; r++) {
    const args = [CRYPTO, '--warmup', String(Math.max(300, cfg.warmupMs)), '--duration', String(cfg.durationMs)];
    const child = pin ? new Child('crypto', 'taskset', ['-c', '0', process.execPath, ...args], childEnv('monocoque')) : new Child('crypto', process.execPath, args, childEnv('monocoque'));
    try {
      const { event: _e, ...result } = await child.waitFor('result', 120_000);
      runs.push(result);
    } catch (err) {
      console.log(`crypto benchmark failed: ${/** @type {Error} */ (err).message}`);
      return undefined;
    } finally {
      await child.kill();
    }
  }
  return combineCrypto(runs);
}

/** @param {string} file */
function readJson(file) {
  try {
    return existsSync(file) && statSync(file).isFile() ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Run memory.mjs (which raises the fd limit through bash) and return its section.
 * @param {number} connections
 */
async function runMemory(connections) {
  console.log(`\nmemory: ${connections} idle DEALER connections to one ROUTER …`);
  const out = path.join(os.tmpdir(), `monocoque-bench-memory-${process.pid}.json`);
  const r = spawnSync(process.execPath, [path.join(HERE, 'memory.mjs'), '--connections', String(connections), '--out', out, '--no-save'], {
    stdio: ['ignore', 'inherit', 'inherit'],
    timeout: 600_000,
  });
  const section = readJson(out);
  rmSync(out, { force: true });
  if (!section) console.log(`memory benchmark failed (exit ${r.status ?? r.signal})`);
  return section;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
