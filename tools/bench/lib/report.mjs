/**
 * Turning results into tables and target verdicts. Pure functions: used by run.mjs for
 * stdout, by docs.mjs for docs/performance.md, and by the tests.
 */
import { IMPLS, runsScenario, SIZES, sizeLabel } from './matrix.mjs';

/**
 * @typedef {import('./matrix.mjs').Scenario} Scenario
 * @typedef {import('./matrix.mjs').ImplId} ImplId
 * @typedef {{ status: 'ok', count: number, p50Us?: number, p99Us?: number, msgPerSec?: number, mbPerSec?: number, [k: string]: unknown }
 *   | { status: 'skipped' | 'error', reason: string }} ImplResult
 * @typedef {Scenario & { results: Partial<Record<ImplId, ImplResult>> }} ScenarioResult
 * @typedef {{ status: 'ok', perConnectionBytes: number, connections: number, [k: string]: unknown }
 *   | { status: 'skipped' | 'error', reason: string }} MemoryResult
 * @typedef {{ date?: string, connections?: number, results: Partial<Record<ImplId, MemoryResult>> }} MemorySection
 * @typedef {{ node?: string, runs?: number, backends: Record<string, Record<string, { sealPerSec: number, openPerSec?: number }>> }} CryptoSection
 *   crypto.mjs: boxes per second of each backend alone on one core, by body size
 */

/** @param {number} n */
export function fmtCount(n) {
  if (!Number.isFinite(n)) return '–';
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return n.toFixed(0);
}

/** @param {number} us */
export function fmtUs(us) {
  if (!Number.isFinite(us)) return '–';
  return us >= 100 ? us.toFixed(0) : us.toFixed(1);
}

/** @param {number} mb */
export function fmtMB(mb) {
  if (!Number.isFinite(mb)) return '–';
  return mb >= 100 ? mb.toFixed(0) : mb >= 10 ? mb.toFixed(1) : mb.toFixed(2);
}

/** @param {number | undefined} r */
export function fmtRatio(r) {
  if (r === undefined || !Number.isFinite(r)) return '–';
  return `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

/** @param {number} bytes */
export function fmtBytes(bytes) {
  if (!Number.isFinite(bytes)) return '–';
  if (Math.abs(bytes) >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
  if (Math.abs(bytes) >= 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${bytes.toFixed(0)} B`;
}

/**
 * One table cell. Fan-out cells: the total rate · the slowest peer's rate.
 * @param {ImplResult | undefined} r
 * @param {'latency' | 'throughput' | 'fanout'} kind
 */
export function fmtCell(r, kind) {
  if (!r) return '';
  if (r.status !== 'ok') return r.status === 'skipped' ? 'skip' : 'ERR';
  if (kind === 'fanout') return `${fmtCount(/** @type {number} */ (r.msgPerSec))} · ${fmtCount(/** @type {number} */ (r.minPerSec))}`;
  if (kind === 'latency') return `${fmtUs(/** @type {number} */ (r.p50Us))} / ${fmtUs(/** @type {number} */ (r.p99Us))}`;
  return `${fmtCount(/** @type {number} */ (r.msgPerSec))} · ${fmtMB(/** @type {number} */ (r.mbPerSec))} MB/s`;
}

/**
 * The headline number of a result: p50 µs for latency, msg/s for throughput, the total
 * rate (msg/s, or round trips/s) for fan-out rows.
 * @param {ImplResult | undefined} r
 * @param {'latency' | 'throughput' | 'fanout'} kind
 * @returns {number | undefined}
 */
export function headline(r, kind) {
  if (!r || r.status !== 'ok') return undefined;
  const v = kind === 'latency' ? r.p50Us : r.msgPerSec;
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/**
 * `a / b` of the headline numbers (p50 for latency: lower is better; msg/s for
 * throughput: higher is better).
 * @param {ScenarioResult} row
 * @param {ImplId} a
 * @param {ImplId} b
 */
export function ratio(row, a, b) {
  const x = headline(row.results[a], row.kind);
  const y = headline(row.results[b], row.kind);
  return x !== undefined && y !== undefined ? x / y : undefined;
}

/**
 * Render rows as an aligned Markdown table.
 * @param {string[]} header
 * @param {string[][]} rows
 * @param {string} [align] one letter per column, `l` or `r` (default: first left, rest right)
 */
export function markdownTable(header, rows, align) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const left = (/** @type {number} */ i) => (align ? align[i] !== 'r' : i === 0);
  const line = (/** @type {string[]} */ cells) =>
    `| ${cells.map((c, i) => (left(i) ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (left(i) ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), sep, ...rows.map(line)].join('\n');
}

/**
 * The results tables as Markdown: one per kind for NULL rows, then one per kind for
 * CURVE rows (whose Monocoque columns are its two box backends).
 * @param {ScenarioResult[]} scenarios
 * @param {ImplId[]} [columns] implementation columns to show (default: all that have a result)
 * @returns {string}
 */
export function renderTables(scenarios, columns) {
  const out = [];
  for (const security of /** @type {const} */ (['null', 'curve'])) {
    const mine = scenarios.filter((s) => (s.security ?? 'null') === security);
    if (mine.length === 0) continue;
    const impls = IMPLS.filter(
      (i) => runsScenario(i, { security }) && (columns ? columns.includes(i.id) : mine.some((s) => s.results[i.id])),
    );
    for (const kind of /** @type {const} */ (['latency', 'throughput', 'fanout'])) {
      const rows = mine.filter((s) => s.kind === kind);
      if (rows.length === 0) continue;
      // A table's columns: those that run at least one of its rows.
      const cols = impls.filter((i) => rows.some((s) => runsScenario(i, s)));
      if (kind === 'fanout') out.push(fanoutTable(rows, cols));
      else out.push(security === 'curve' ? curveTable(rows, kind, cols) : nullTable(rows, kind, cols));
    }
  }
  return out.join('\n\n');
}

/**
 * @param {ScenarioResult[]} rows
 * @param {'latency' | 'throughput'} kind
 * @param {ReadonlyArray<(typeof IMPLS)[number]>} impls
 */
function nullTable(rows, kind, impls) {
  const hasUring = impls.some((i) => i.id === 'monocoque-uring');
  const hasFloor = impls.some((i) => i.id === 'node-net');
  const hasFramed = impls.some((i) => i.id === 'node-net-framed');
  const header = [
    kind === 'latency' ? 'Round trip p50 / p99 (µs)' : 'Throughput (msg/s · MB/s)',
    ...impls.map((i) => i.label),
    'Mono/zeromq',
    'Mono/libzmq',
    ...(hasFloor ? ['Mono/floor'] : []),
    ...(hasFramed ? ['Mono/framed'] : []),
    ...(hasUring ? ['uring/net'] : []),
  ];
  // Mono/floor: Monocoque (net) against the node:net floor of the same row (and so the
  // same API variant: the floor measures /plain and /batch separately); Mono/framed against
  // the framed floor (the simplest receiver of Buffer messages: the API's per-message work only).
  const body = rows.map((row) => [
    row.id,
    ...impls.map((i) => fmtCell(row.results[i.id], kind)),
    fmtRatio(ratio(row, 'monocoque', 'zeromq')),
    fmtRatio(ratio(row, 'monocoque', 'libzmq')),
    ...(hasFloor ? [fmtRatio(ratio(row, 'monocoque', 'node-net'))] : []),
    ...(hasFramed ? [fmtRatio(ratio(row, 'monocoque', 'node-net-framed'))] : []),
    ...(hasUring ? [fmtRatio(ratio(row, 'monocoque-uring', 'monocoque'))] : []),
  ]);
  return markdownTable(header, body);
}

/**
 * The fan-out/fan-in table: per cell the total rate and the slowest peer's rate; the ratio
 * columns compare totals (higher is better).
 * @param {ScenarioResult[]} rows
 * @param {ReadonlyArray<(typeof IMPLS)[number]>} impls
 */
function fanoutTable(rows, impls) {
  const hasUring = impls.some((i) => i.id === 'monocoque-uring');
  const header = [
    'Fan-out / fan-in: total · slowest peer',
    'Counted',
    ...impls.map((i) => i.label),
    'Mono/zeromq',
    'Mono/libzmq',
    ...(hasUring ? ['uring/net', 'uring/libzmq'] : []),
  ];
  const body = rows.map((row) => [
    row.id,
    row.metric ?? 'msg/s',
    ...impls.map((i) => fmtCell(row.results[i.id], 'fanout')),
    fmtRatio(ratio(row, 'monocoque', 'zeromq')),
    fmtRatio(ratio(row, 'monocoque', 'libzmq')),
    ...(hasUring ? [fmtRatio(ratio(row, 'monocoque-uring', 'monocoque')), fmtRatio(ratio(row, 'monocoque-uring', 'libzmq'))] : []),
  ]);
  return markdownTable(header, body, `ll${'r'.repeat(header.length - 2)}`);
}

/**
 * @param {ScenarioResult[]} rows
 * @param {'latency' | 'throughput'} kind
 * @param {ReadonlyArray<(typeof IMPLS)[number]>} impls
 */
function curveTable(rows, kind, impls) {
  const header = [
    kind === 'latency' ? 'CURVE round trip p50 / p99 (µs)' : 'CURVE throughput (msg/s · MB/s)',
    ...impls.map((i) => i.curveLabel),
    'sodium/zeromq',
    'noble/zeromq',
    'sodium/libzmq',
  ];
  const body = rows.map((row) => [
    row.id,
    ...impls.map((i) => fmtCell(row.results[i.id], kind)),
    fmtRatio(ratio(row, 'monocoque', 'zeromq')),
    fmtRatio(ratio(row, 'monocoque-noble', 'zeromq')),
    fmtRatio(ratio(row, 'monocoque', 'libzmq')),
  ]);
  return markdownTable(header, body);
}

/**
 * Each box backend's crypto alone (crypto.mjs) as a Markdown table: seal (encrypt only)
 * and open per second, and the seal rate in MB/s of body.
 * @param {CryptoSection} crypto
 */
export function renderCryptoTable(crypto) {
  const rows = [];
  for (const [name, sizes] of Object.entries(crypto.backends)) {
    for (const size of SIZES) {
      const r = sizes[size];
      if (!r) continue;
      rows.push([
        name,
        sizeLabel(size),
        fmtCount(r.sealPerSec),
        fmtMB((r.sealPerSec * size) / 1e6),
        r.openPerSec === undefined ? '–' : fmtCount(r.openPerSec),
      ]);
    }
  }
  return markdownTable(['Backend (one core)', 'Body', 'seal/s', 'seal MB/s', 'open/s'], rows, 'llrrr');
}

/**
 * Skipped and failed cells, grouped by reason so the same reason prints once.
 * @param {ScenarioResult[]} scenarios
 * @returns {string[]} one line per (implementation, reason)
 */
export function problemLines(scenarios) {
  /** @type {Map<string, string[]>} */
  const groups = new Map();
  for (const row of scenarios) {
    for (const impl of IMPLS) {
      const r = row.results[impl.id];
      if (!r || r.status === 'ok') continue;
      const key = `${r.status === 'error' ? 'ERROR' : 'skipped'} ${impl.label}: ${r.reason}`;
      if (!groups.has(key)) groups.set(key, []);
      /** @type {string[]} */ (groups.get(key)).push(row.id);
    }
  }
  return [...groups].map(([key, ids]) => `${key} [${ids.length > 4 ? `${ids.length} scenarios` : ids.join(', ')}]`);
}

/**
 * @typedef {object} Target
 * @property {string} name
 * @property {string} goal human-readable threshold, e.g. `≤ 0.6× zeromq`
 * @property {number | undefined} value the measured ratio (or absolute value)
 * @property {string} shown the measured value as shown
 * @property {boolean | null} met null when it could not be measured
 * @property {string} [note] why not measured, or which variant was used
 */

/**
 * Evaluate the issue's performance targets against a result set.
 * @param {ScenarioResult[]} scenarios
 * @param {MemorySection | undefined} memory
 * @param {{ pinned?: boolean }} [run] `pinned`: the processes ran under `taskset` (`--pin`),
 *   so a target stated for unpinned processes is not measured by this run
 * @returns {Target[]}
 */
export function evaluateTargets(scenarios, memory, run = {}) {
  const find = (/** @type {string} */ id) => scenarios.find((s) => s.id === id);
  /** @type {Target[]} */
  const targets = [];

  /**
   * @param {string} name
   * @param {string} id scenario id
   * @param {ImplId} a
   * @param {ImplId} b
   * @param {'<=' | '>='} op
   * @param {number} threshold
   */
  const ratioTarget = (name, id, a, b, op, threshold) => {
    const row = find(id);
    const r = row ? ratio(row, a, b) : undefined;
    const lbl = (/** @type {ImplId} */ x) => IMPLS.find((i) => i.id === x)?.label ?? x;
    targets.push({
      name,
      goal: `${op === '<=' ? '≤' : '≥'} ${threshold}× ${lbl(b)}`,
      value: r,
      shown: fmtRatio(r),
      met: r === undefined ? null : op === '<=' ? r <= threshold : r >= threshold,
      note: r === undefined ? missingNote(row, [a, b], id) : `${id}, ${lbl(a)} vs ${lbl(b)}`,
    });
  };

  ratioTarget('REQ/REP 64 B TCP p50 vs npm zeromq', 'req-rep/tcp/64B', 'monocoque', 'zeromq', '<=', 0.6);
  ratioTarget('REQ/REP 64 B TCP p50 vs libzmq C', 'req-rep/tcp/64B', 'monocoque', 'libzmq', '<=', 1.0);
  ratioTarget('PUSH/PULL 64 B TCP plain vs npm zeromq', 'push-pull/tcp/64B/plain', 'monocoque', 'zeromq', '>=', 8);
  ratioTarget('PUSH/PULL 64 B TCP batching vs libzmq C', 'push-pull/tcp/64B/batch', 'monocoque', 'libzmq', '>=', 1.0);
  ratioTarget('PUB/SUB 64 B TCP (1 subscriber) vs npm zeromq', 'pub-sub/tcp/64B/plain', 'monocoque', 'zeromq', '>=', 8);
  // The node:net floor (lib/floor.mjs) of the same API variant, and libzmq C unpinned.
  ratioTarget('Plain API 64 B PUSH/PULL TCP vs raw node:net (one await per message)', 'push-pull/tcp/64B/plain', 'monocoque', 'node-net', '>=', 0.8);
  ratioTarget('Batched API 64 B PUSH/PULL TCP vs raw node:net (unframed)', 'push-pull/tcp/64B/batch', 'monocoque', 'node-net', '>=', 0.6);
  ratioTarget('Plain API 64 B PUSH/PULL TCP vs libzmq C (unpinned)', 'push-pull/tcp/64B/plain', 'monocoque', 'libzmq', '>=', 1.0);
  if (run.pinned) {
    const t = targets[targets.length - 1];
    Object.assign(t, { met: null, note: `pinned run (--pin): this target is for unpinned processes; measured ${t.shown} pinned` });
  }

  // 64 KiB PUSH/PULL ≥ 1 GB/s: the better of Monocoque's two API variants over TCP.
  {
    const cands = ['push-pull/tcp/64KiB/plain', 'push-pull/tcp/64KiB/batch']
      .map((id) => ({ id, r: find(id)?.results.monocoque }))
      .filter((c) => c.r?.status === 'ok');
    const best = cands.sort((x, y) => Number(y.r?.mbPerSec) - Number(x.r?.mbPerSec))[0];
    const mb = best ? Number(best.r?.mbPerSec) : undefined;
    targets.push({
      name: 'PUSH/PULL 64 KiB TCP bandwidth',
      goal: '≥ 1 GB/s (1000 MB/s)',
      value: mb,
      shown: mb === undefined ? '–' : `${fmtMB(mb)} MB/s`,
      met: mb === undefined ? null : mb >= 1000,
      note: best ? `${best.id}, Monocoque (net)` : missingNote(find('push-pull/tcp/64KiB/plain'), ['monocoque'], 'push-pull/tcp/64KiB'),
    });
  }

  ratioTarget('io_uring vs net, 64 B PUSH/PULL TCP throughput', 'push-pull/tcp/64B/plain', 'monocoque-uring', 'monocoque', '>=', 1.3);
  ratioTarget('io_uring vs net, 64 B PUSH/PULL TCP batched', 'push-pull/tcp/64B/batch', 'monocoque-uring', 'monocoque', '>=', 1.3);
  ratioTarget('io_uring vs net, 64 KiB PUSH/PULL TCP bandwidth', 'push-pull/tcp/64KiB/plain', 'monocoque-uring', 'monocoque', '>=', 1.3);
  ratioTarget('io_uring vs net, 64 B REQ/REP TCP p50 (no worse)', 'req-rep/tcp/64B', 'monocoque-uring', 'monocoque', '<=', 1.0);

  {
    const m = memory?.results.monocoque;
    const z = memory?.results.zeromq;
    const ok = m?.status === 'ok' && z?.status === 'ok';
    const r = ok ? m.perConnectionBytes / z.perConnectionBytes : undefined;
    targets.push({
      name: 'Server RSS per idle DEALER connection vs npm zeromq',
      goal: '< 1.0× zeromq (npm)',
      value: r,
      shown: fmtRatio(r),
      met: r === undefined ? null : r < 1,
      note: ok
        ? `${fmtBytes(m.perConnectionBytes)} vs ${fmtBytes(z.perConnectionBytes)} per connection, ${m.connections} connections`
        : !memory
          ? 'memory benchmark not run (pnpm bench --memory)'
          : [m, z].filter((x) => x && x.status !== 'ok').map((x) => /** @type {any} */ (x).reason).join('; ') || 'no result',
    });
  }
  return targets;
}

/**
 * Evaluate the CURVE targets of the issue against a CURVE result set.
 * - sodium backend: ≥ 2× zeromq.js's CURVE throughput at 64 B, ≥ 1.5× at 64 KiB (PUSH/PULL
 *   TCP, `await send()` / `for await`, the API zeromq.js has); REQ/REP p50 ≤ zeromq.js's.
 * - noble backend: PUSH/PULL throughput ≥ 0.7× of what its crypto alone does on one core
 *   (crypto.mjs: the lower of seal and open per second, since the sender seals and the
 *   receiver opens, each on its own core).
 * @param {ScenarioResult[]} scenarios
 * @param {CryptoSection | undefined} crypto
 * @returns {Target[]}
 */
export function evaluateCurveTargets(scenarios, crypto) {
  const find = (/** @type {string} */ id) => scenarios.find((s) => s.id === id);
  /** @type {Target[]} */
  const targets = [];
  /**
   * @param {string} name
   * @param {string} id
   * @param {'<=' | '>='} op
   * @param {number} threshold
   */
  const vsZeromq = (name, id, op, threshold) => {
    const row = find(id);
    const r = row ? ratio(row, 'monocoque', 'zeromq') : undefined;
    targets.push({
      name,
      goal: `${op === '<=' ? '≤' : '≥'} ${threshold}× zeromq (npm) CURVE`,
      value: r,
      shown: fmtRatio(r),
      met: r === undefined ? null : op === '<=' ? r <= threshold : r >= threshold,
      note: r === undefined ? missingNote(row, ['monocoque', 'zeromq'], id) : `${id}, Monocoque (sodium) vs zeromq (npm)`,
    });
  };
  vsZeromq('CURVE PUSH/PULL 64 B TCP, sodium backend', 'push-pull/tcp/64B/curve', '>=', 2);
  vsZeromq('CURVE PUSH/PULL 64 KiB TCP, sodium backend', 'push-pull/tcp/64KiB/curve', '>=', 1.5);
  vsZeromq('CURVE REQ/REP 64 B TCP p50, sodium backend', 'req-rep/tcp/64B/curve', '<=', 1);
  vsZeromq('CURVE REQ/REP 64 KiB TCP p50, sodium backend', 'req-rep/tcp/64KiB/curve', '<=', 1);
  for (const size of [64, 65536]) {
    const id = `push-pull/tcp/${sizeLabel(size)}/curve`;
    const row = find(id);
    const r = row?.results['monocoque-noble'];
    const c = crypto?.backends.noble?.[size];
    const limit = c ? Math.min(c.sealPerSec, c.openPerSec ?? Infinity) : undefined;
    const got = r?.status === 'ok' ? Number(r.msgPerSec) : undefined;
    const value = got !== undefined && limit ? got / limit : undefined;
    targets.push({
      name: `CURVE PUSH/PULL ${size === 64 ? '64 B' : '64 KiB'} TCP, noble backend vs its crypto alone`,
      goal: '≥ 0.7× one core of noble crypto',
      value,
      shown: fmtRatio(value),
      met: value === undefined ? null : value >= 0.7,
      note:
        value === undefined
          ? !crypto
            ? 'crypto alone not measured (run with --curve, not --quick)'
            : missingNote(row, ['monocoque-noble'], id)
          : `${fmtCount(/** @type {number} */ (got))} msg/s vs ${fmtCount(/** @type {number} */ (limit))} boxes/s (min of seal, open)`,
    });
  }
  return targets;
}

/**
 * The fan-out targets of the issue: PUB to 100 SUBs, total delivered ≥ libzmq C's; ROUTER
 * with 1,000 DEALERs, ≥ 0.8× libzmq C's round trips per second (Monocoque on node:net and
 * on io_uring).
 * @param {ScenarioResult[]} scenarios
 * @returns {Target[]}
 */
export function evaluateFanoutTargets(scenarios) {
  /** @type {Target[]} */
  const targets = [];
  const cases = /** @type {const} */ ([
    ['PUB to 100 SUBs, total delivered', 'pub-sub/tcp/64B/100subs', 1.0],
    ['ROUTER with 1,000 DEALERs, round trips/s', 'dealer-router/tcp/64B/1000dealers', 0.8],
  ]);
  for (const [name, id, threshold] of cases) {
    for (const [impl, label] of /** @type {const} */ ([['monocoque', 'Monocoque (net)'], ['monocoque-uring', 'Monocoque (uring)']])) {
      const row = scenarios.find((s) => s.id === id);
      const r = row ? ratio(row, impl, 'libzmq') : undefined;
      targets.push({
        name: `${name}, ${label} vs libzmq C`,
        goal: `≥ ${threshold}× libzmq (C)`,
        value: r,
        shown: fmtRatio(r),
        met: r === undefined ? null : r >= threshold,
        note: r === undefined ? missingNote(row, [impl, 'libzmq'], id) : `${id}, ${label} vs libzmq (C)`,
      });
    }
  }
  return targets;
}

/**
 * @param {ScenarioResult | undefined} row
 * @param {ImplId[]} impls
 * @param {string} id
 */
function missingNote(row, impls, id) {
  if (!row) return `${id} not run`;
  const reasons = impls
    .map((i) => row.results[i])
    .filter((r) => r && r.status !== 'ok')
    .map((r) => /** @type {any} */ (r).reason);
  const absent = impls.filter((i) => !row.results[i]);
  return [...reasons, ...absent.map((i) => `${i} not run`)].join('; ') || 'no result';
}

/**
 * The targets as a Markdown table.
 * @param {Target[]} targets
 */
export function renderTargets(targets) {
  const verdict = (/** @type {Target} */ t) => (t.met === null ? 'not measured' : t.met ? '**met**' : '**missed**');
  return markdownTable(
    ['Target', 'Goal', 'Measured', 'Verdict', 'Detail'],
    targets.map((t) => [t.name, t.goal, t.shown, verdict(t), t.note ?? '']),
    'llrll',
  );
}
