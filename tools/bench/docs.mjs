#!/usr/bin/env node
/**
 * Regenerate docs/performance.md (and the chart) from a results file.
 *
 *   node tools/bench/docs.mjs [results.json [curve-results.json [fanout-results.json]]]
 *     defaults: tools/bench/results/latest.json, curve-latest.json and fanout-latest.json
 *
 * `node tools/bench/run.mjs --docs` calls this after a run (a `--curve` run refreshes the
 * CURVE section from its results and keeps the rest from latest.json; a `--fanout` run
 * likewise refreshes the fan-out section, which says "pending" until there is a run). The whole page is
 * generated: change the text here, not in docs/performance.md. The hand-written analyses,
 * docs/performance-analysis.md and docs/performance-curve.md, are embedded.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_INPUT, writeChart } from './chart.mjs';
import { IMPLS } from './lib/matrix.mjs';
import { evaluateCurveTargets, evaluateFanoutTargets, evaluateTargets, fmtBytes, fmtCount, fmtRatio, fmtUs, headline, markdownTable, problemLines, renderCryptoTable, renderTables, renderTargets } from './lib/report.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DOCS = path.join(HERE, '..', '..', 'docs');
export const CURVE_INPUT = path.join(HERE, 'results', 'curve-latest.json');
export const FANOUT_INPUT = path.join(HERE, 'results', 'fanout-latest.json');
/** Full and fan-out runs made with `--pin` (compared with the unpinned ones in their own section). */
export const PINNED_INPUT = path.join(HERE, 'results', 'pinned-latest.json');
export const FANOUT_PINNED_INPUT = path.join(HERE, 'results', 'fanout-pinned-latest.json');
/** The command that produces the fan-out section. */
export const FANOUT_COMMAND = 'pnpm bench:fanout';

/**
 * What the node:net floor column measures (lib/floor.mjs), for the Results section: the
 * issue's "raw node:net stream doing one await per message" and "writing the same bytes
 * without framing".
 */
export const FLOOR_TEXT = [
  '- `node:net floor`: plain `node:net` sockets with no ZMTP at all (no framing: every message is a',
  '  fixed-size record of the row\'s size), push-pull and req-rep rows only; its other cells are skipped.',
  '  `/plain`: the sender does `socket.write(payload)` and then one `await` per message (of `drain` when',
  '  `write` returned false, else of an already-resolved promise): Node\'s own stream buffering, corked',
  '  from the first write of a tick until `process.nextTick`, so one turn\'s writes go out as one `writev`',
  '  (uncorked, each would be its own `write(2)`, about 5× slower); the receiver is an',
  '  async generator over the socket\'s chunks yielding each record (records split across chunks',
  '  reassembled), one await per message. `/batch`, "the same bytes without framing": the sender copies',
  '  payloads under 16 KiB back to back into 256 KiB buffers and writes those (larger payloads as they',
  '  are), awaiting `drain` when asked; the receiver counts bytes and does no per-record work.',
  '  REQ/REP: the client writes one record and awaits exactly one record back; the server echoes each.',
  '  Both sides set TCP_NODELAY. `Mono/floor` is Monocoque (net) over the floor on the same row (same',
  '  API variant): msg/s on throughput rows (higher is better), p50 on latency rows (lower is better).',
  '- `node:net floor, framed`: the same floor carrying each message as a final ZMTP frame (RFC 23 header,',
  '  then the payload; no greeting), push-pull rows only, its receiver doing only the per-message work',
  '  of the receiving API: check the header, make one `Buffer` view of the body on the received chunk',
  '  (no copy) and a one-frame array, and (`/batch`) return an array of those per chunk. No queue, no',
  '  high-water mark, no copy, nothing else: the simplest receiver of `Buffer[]` messages on node:net,',
  '  a reference, not an implementation and not a strict bound (it takes Node\'s fresh buffer per read,',
  '  where one shared read buffer can be faster). `Mono/framed` is Monocoque (net) over it on the same row.',
];

/**
 * The Markdown page for a results file.
 * @param {any} doc
 * @param {any} [curveDoc] a `--curve` results file, rendered as the CURVE section
 * @param {any} [fanoutDoc] a `--fanout` results file, rendered as the fan-out section
 *   (a "pending" note with the command when there is none)
 * @param {{ pinned?: any, fanoutPinned?: any }} [pinnedDocs] the `--pin` runs of the full and
 *   fan-out matrices, compared with `doc` and `fanoutDoc` in the pinned section (left out without them)
 * @returns {string}
 */
export function renderDocs(doc, curveDoc, fanoutDoc, pinnedDocs = {}) {
  const m = doc.machine ?? {};
  const s = doc.settings ?? {};
  const impls = doc.implementations ?? {};
  const targets = evaluateTargets(doc.scenarios ?? [], doc.memory, { pinned: String(doc.pinning ?? '').startsWith('taskset') });
  const met = targets.filter((t) => t.met === true).length;
  const missed = targets.filter((t) => t.met === false).length;
  const columns = IMPLS.filter((i) => impls[i.id]).map((i) => i.id);
  const problems = problemLines(doc.scenarios ?? []);
  const lines = [
    '# Performance',
    '',
    '<!-- Generated by tools/bench/docs.mjs from tools/bench/results/latest.json. Do not edit by hand:',
    '     run `pnpm bench --docs` (or `node tools/bench/docs.mjs`) to refresh. -->',
    '',
    'Monocoque side by side with [npm `zeromq`](https://www.npmjs.com/package/zeromq) v6 (libzmq bindings)',
    'and libzmq itself driven from C, on the same machine, in the same run. Every scenario is two',
    'processes (a binding server and a connecting client) talking over loopback TCP (`127.0.0.1`) or',
    'IPC (a Unix socket under the temp dir); each implementation only ever talks to itself.',
    'The harness lives in [`tools/bench`](../tools/bench/README.md).',
    '',
    `**Run:** ${doc.date ?? '?'} (${doc.kind ?? '?'} run, ${doc.elapsedSec ?? '?'} s)  `,
    `**Command:** \`pnpm bench\` (= \`pnpm build && node tools/bench/run.mjs --memory --docs\`); recorded as \`${doc.command ?? '?'}\`  `,
    `**Machine:** ${m.cpu ?? '?'}${m.hypervisor ? ` (${m.hypervisor} guest)` : ''}, ${m.cores ?? '?'} cores, ${m.memoryGiB ?? '?'} GiB, Linux ${m.kernel ?? '?'} (\`uname -r\`), Node ${m.node ?? '?'}  `,
    `**Per cell:** warm-up ≥ ${s.warmupMs ?? '?'} ms and ≥ ${s.warmupMsgs ?? '?'} messages, then ${
      s.maxMsgs ? `${s.maxMsgs} messages or ` : ''
    }a ${s.durationMs ?? '?'} ms window; median of ${s.repeat ?? 1} run(s). The message count of every cell is in the JSON.  `,
    `**Pinning:** ${doc.pinning ?? 'not recorded'}${
      m.loadAverage !== undefined ? `; 1-minute load average ${m.loadAverage} at the start, ${m.loadAverageAtEnd ?? '?'} at the end` : ''
    }`,
    '',
    '**Implementations:**',
    '',
    ...IMPLS.filter((i) => impls[i.id]).map((i) => {
      const a = impls[i.id];
      const state = !a.available ? `not measured — ${a.reason}` : a.reason ? `partly measured — ${a.reason}` : 'measured';
      return `- ${i.label}${a.version ? ` — ${a.version}` : ''}: ${state}`;
    }),
    '',
    `## Targets (${met} met, ${missed} missed, ${targets.length - met - missed} not measured)`,
    '',
    renderTargets(targets),
    '',
    '## Chart',
    '',
    '![Throughput and latency chart](performance-chart.svg)',
    '',
    '## Results',
    '',
    '- Latency rows: round trip p50 / p99 in µs, one message in flight (REQ→REP→REQ, DEALER→ROUTER→DEALER).',
    '  Ratio columns compare p50: **lower is better**.',
    '- Throughput rows: messages/s and MB/s counted at the receiver (PULL, SUB) over the window.',
    '  Ratio columns compare msg/s: **higher is better**. `/plain` rows use `await send()` and',
    '  `for await`; `/batch` rows use Monocoque\'s `write()`/`flush()`/`receiveMany()`. The baselines have',
    '  no batching API, so their `/batch` cells repeat the `/plain` measurement.',
    ...FLOOR_TEXT,
    '- PUB/SUB: the publisher sends as fast as it can and drops at the high-water mark (1000), as',
    '  ZeroMQ publishers do; only delivered messages count. On 2 cores a spinning publisher competes',
    '  with the subscriber for CPU, which is part of what this row measures.',
    '- `skip`: the implementation could not run the scenario (reason below); `ERR`: it failed.',
    '',
    renderTables(doc.scenarios ?? [], columns),
    '',
  ];
  if (problems.length) lines.push('Skipped or failed cells:', '', ...problems.map((l) => `- ${l}`), '');
  lines.push('## Memory: idle connections', '');
  const mem = doc.memory;
  if (!mem) {
    lines.push('Not measured in this run: `pnpm bench --memory` (or `node tools/bench/memory.mjs`).', '');
  } else {
    lines.push(
      `${mem.connections} idle DEALER connections from one client process to one ROUTER in a server process`,
      '(TCP loopback; every DEALER sent one message so the ROUTER knows it). Server RSS is sampled after GC',
      `before connecting and once all connections are up; the difference divided by the connection count is the`,
      `cost of one connection. Run: ${mem.date ?? '?'}.`,
      '',
      markdownTable(
        ['Server', 'RSS before', 'RSS with connections', 'Per connection', 'Status'],
        IMPLS.filter((i) => mem.results?.[i.id]).map((i) => {
          const r = mem.results[i.id];
          if (r.status !== 'ok') return [i.label, '–', '–', '–', `${r.status}: ${r.reason}`];
          return [i.label, fmtBytes(r.rssBeforeBytes), fmtBytes(r.rssAfterBytes), fmtBytes(r.perConnectionBytes), `${r.connections} connections`];
        }),
        'lrrrl',
      ),
      '',
    );
  }
  lines.push(
    ...analysisSection('performance-analysis.md'),
    ...fanoutSection(fanoutDoc),
    ...pinnedSection(doc, fanoutDoc, pinnedDocs.pinned, pinnedDocs.fanoutPinned),
    ...curveSection(curveDoc),
  );
  lines.push(
    '## Reproduce',
    '',
    '```sh',
    'bash tools/setup.sh              # installs libzmq3-dev (C column) and liburing-dev (uring column) when root',
    'pnpm bench                       # build, full matrix + memory benchmark, refresh this page (~4 min on 2 cores)',
    'node tools/bench/run.mjs --quick # CI smoke run (< 30 s); proves the harness works, asserts nothing',
    'pnpm bench:curve                 # the CURVE section: node tools/bench/run.mjs --curve --repeat 3 --docs (~5 min)',
    'pnpm bench:fanout                # the fan-out section: node tools/bench/run.mjs --fanout --repeat 3 --docs (~3 min)',
    '```',
    '',
  );
  return lines.join('\n');
}

/**
 * The fan-out and fan-in section: what is measured, then the run's targets and tables, or
 * a note that the figures are pending, with the command that produces them.
 * @param {any} doc a `--fanout` results file, or undefined
 * @returns {string[]}
 */
export function fanoutSection(doc) {
  const lines = [
    '## Fan-out and fan-in',
    '',
    'Many peers on one socket, 64 B messages over loopback TCP. Always two processes: the server holds',
    'one socket and binds, the client process opens N sockets that each connect (the same layout for',
    'every implementation; libzmq C drives its N sockets from one thread through their `ZMQ_FD`s, as',
    'zeromq.js does, with one context and its default single I/O thread).',
    '',
    '- `pub-sub/…/Nsubs`: one PUB sending flat out (dropping at the high-water mark, as PUB does) to',
    '  1, 10 and 100 SUBs; counted at the SUBs: **total delivered msg/s · the slowest subscriber\'s msg/s**.',
    '- `dealer-router/…/1000dealers`: one ROUTER echoing for 1,000 DEALERs, each sending its next',
    '  request when its reply arrives (1,000 in flight): **round trips/s in total · the slowest DEALER\'s**.',
    '- `push-pull/…/10pushers`: 10 PUSHes sending flat out into one PULL: **msg/s received · the slowest',
    '  pusher\'s delivered rate** (each message carries its pusher\'s index).',
    '- The window opens only once every peer has been heard from (all connected and subscribed); the',
    '  time that took and both processes\' peak RSS are in the second table. All sides use the plain',
    '  API (`await send()`, `for await`).',
    '',
  ];
  if (!doc) {
    lines.push(
      '**Pending.** These figures have not been measured yet: a run on a shared machine says little about',
      'many peers, so they wait for a run on an idle one. To produce this section:',
      '',
      '```sh',
      `${FANOUT_COMMAND}   # = pnpm build && node tools/bench/run.mjs --fanout --repeat 3 --docs`,
      'node tools/bench/run.mjs --fanout --repeat 3 --pin   # the same with server and client pinned to a core each',
      '```',
      '',
    );
    return lines;
  }
  const m = doc.machine ?? {};
  const s = doc.settings ?? {};
  const targets = evaluateFanoutTargets(doc.scenarios ?? []);
  const met = targets.filter((t) => t.met === true).length;
  const missed = targets.filter((t) => t.met === false).length;
  const problems = problemLines(doc.scenarios ?? []);
  const columns = IMPLS.filter((i) => (doc.scenarios ?? []).some((/** @type {any} */ r) => r.results?.[i.id]));
  lines.push(
    `**Run:** ${doc.date ?? '?'} (${doc.kind ?? '?'} run, ${doc.elapsedSec ?? '?'} s)  `,
    `**Command:** \`${FANOUT_COMMAND}\`; recorded as \`${doc.command ?? '?'}\`  `,
    `**Machine:** ${m.cpu ?? '?'}${m.hypervisor ? ` (${m.hypervisor} guest)` : ''}, ${m.cores ?? '?'} cores, ${m.memoryGiB ?? '?'} GiB, Linux ${m.kernel ?? '?'}, Node ${m.node ?? '?'}  `,
    `**Pinning:** ${doc.pinning ?? 'not recorded'}${
      m.loadAverage !== undefined ? `; 1-minute load average ${m.loadAverage} at the start, ${m.loadAverageAtEnd ?? '?'} at the end` : ''
    }  `,
    `**Per cell:** warm-up until every peer has been heard from, ≥ ${s.warmupMs ?? '?'} ms and ≥ ${s.warmupMsgs ?? '?'} messages, then a ${
      s.durationMs ?? '?'
    } ms window; median of ${s.repeat ?? 1} run(s).`,
    '',
    `### Fan-out targets (${met} met, ${missed} missed, ${targets.length - met - missed} not measured)`,
    '',
    renderTargets(targets),
    '',
    '### Fan-out results',
    '',
    renderTables(doc.scenarios ?? [], columns.map((i) => i.id)),
    '',
    renderFanoutSetup(doc.scenarios ?? [], columns),
    '',
  );
  if (problems.length) lines.push('Skipped or failed cells:', '', ...problems.map((l) => `- ${l}`), '');
  return lines;
}

/**
 * Fan-out rows: how long until every peer was heard from, peers silent in the window, and
 * both processes' peak RSS.
 * @param {any[]} scenarios
 * @param {ReadonlyArray<(typeof IMPLS)[number]>} columns
 */
export function renderFanoutSetup(scenarios, columns) {
  const mib = (/** @type {unknown} */ b) => (typeof b === 'number' ? (b / 2 ** 20).toFixed(0) : '?');
  const rows = scenarios
    .filter((s) => s.kind === 'fanout')
    .map((s) => [
      s.id,
      ...columns.map((i) => {
        const r = s.results?.[i.id];
        if (!r) return '';
        if (r.status !== 'ok') return r.status === 'skipped' ? 'skip' : 'ERR';
        const silent = Number(r.silentPeers) > 0 ? ` · ${r.silentPeers} silent` : '';
        return `${Math.round(Number(r.joinMs))} ms${silent} · ${mib(r.serverRssPeakBytes)} / ${mib(r.clientRssPeakBytes)} MiB`;
      }),
    ]);
  return markdownTable(['Setup · peak RSS server / client', ...columns.map((i) => i.label)], rows);
}

/**
 * The CURVE section: the run, each backend's crypto alone, the tables and the targets.
 * @param {any} doc a `--curve` results file
 * @returns {string[]}
 */
export function curveSection(doc) {
  if (!doc) return [];
  const m = doc.machine ?? {};
  const s = doc.settings ?? {};
  const impls = doc.implementations ?? {};
  const targets = evaluateCurveTargets(doc.scenarios ?? [], doc.crypto);
  const met = targets.filter((t) => t.met === true).length;
  const missed = targets.filter((t) => t.met === false).length;
  const problems = problemLines(doc.scenarios ?? []);
  const lines = [
    '## CURVE',
    '',
    'The same two-process scenarios with CURVE (RFC 25/26) on both sides, over loopback TCP: REQ/REP',
    'latency and PUSH/PULL throughput at 64 B, 1 KiB and 64 KiB. Keys are made per run. Monocoque runs',
    "each box backend: `sodium` (sodium-native, the default where it loads) and `noble` (pure",
    'JavaScript); `MONOCOQUE_CURVE_BACKEND` forces it, and every run checks on both sides that the',
    'socket reports `securityMechanism === "curve"` and that `curveBackend()` is the one the column is',
    'named after (libzmq peers report `ZMQ_MECHANISM`), so a silent fallback is never reported.',
    '`/curve/batch` rows use Monocoque\'s `write()`/`flush()`/`receiveMany()`; the baselines repeat their',
    'plain figure there.',
    '',
    `**Run:** ${doc.date ?? '?'} (${doc.kind ?? '?'} run, ${doc.elapsedSec ?? '?'} s)  `,
    `**Command:** \`pnpm bench:curve\`; recorded as \`${doc.command ?? '?'}\`  `,
    `**Machine:** ${m.cpu ?? '?'}${m.hypervisor ? ` (${m.hypervisor} guest)` : ''}, ${m.cores ?? '?'} cores, ${m.memoryGiB ?? '?'} GiB, Linux ${m.kernel ?? '?'}, Node ${m.node ?? '?'}  `,
    `**Pinning:** ${doc.pinning ?? 'not recorded'}${
      m.loadAverage !== undefined ? `; 1-minute load average ${m.loadAverage} at the start, ${m.loadAverageAtEnd ?? '?'} at the end` : ''
    }  `,
    `**Per cell:** warm-up ≥ ${s.warmupMs ?? '?'} ms and ≥ ${s.warmupMsgs ?? '?'} messages, then ${
      s.maxMsgs ? `${s.maxMsgs} messages or ` : ''
    }a ${s.durationMs ?? '?'} ms window; median of ${s.repeat ?? 1} run(s).`,
    '',
    ...IMPLS.filter((i) => impls[i.id]).map((i) => {
      const a = impls[i.id];
      const state = !a.available ? `not measured — ${a.reason}` : a.curve && !a.curve.ok ? `not measured — ${a.curve.reason}` : 'measured';
      return `- ${i.curveLabel}${a.version ? ` — ${a.version}` : ''}${a.curve?.backend ? `, CURVE: ${a.curve.backend}` : ''}: ${state}`;
    }),
    '',
    `### CURVE targets (${met} met, ${missed} missed, ${targets.length - met - missed} not measured)`,
    '',
    renderTargets(targets),
    '',
    '### CURVE results',
    '',
    renderTables(doc.scenarios ?? []),
    '',
  ];
  if (problems.length) lines.push('Skipped or failed cells:', '', ...problems.map((l) => `- ${l}`), '');
  if (doc.crypto) {
    lines.push(
      '### The crypto alone, one core',
      '',
      '`tools/bench/crypto.mjs`, in the same run: MESSAGE boxes sealed (encrypt only) and opened per',
      'second by each backend alone in one process, the way a frame uses them (flags byte + body, in place,',
      'per-direction nonce prefix and a counter). `noble-xsalsa20poly1305` is @noble/ciphers\' own one-shot',
      'secretbox, for comparison. The noble target compares PUSH/PULL with the lower of seal and open: the',
      'sender seals and the receiver opens, each on its own core.',
      '',
      renderCryptoTable(doc.crypto),
      '',
    );
  }
  lines.push(...analysisSection('performance-curve.md'));
  return lines;
}

/** @param {string} file */
function readIfExists(file) {
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

/**
 * One implementation's headline in an unpinned and a pinned run of a scenario, and their
 * ratio (pinned ÷ unpinned: msg/s, or p50 for latency rows).
 * @param {any} row unpinned scenario result
 * @param {any} pinnedRow the same scenario in the pinned run
 * @param {string} impl
 */
function pinCell(row, pinnedRow, impl) {
  const a = headline(row?.results?.[impl], row?.kind);
  const b = headline(pinnedRow?.results?.[impl], pinnedRow?.kind ?? row?.kind);
  if (a === undefined || b === undefined) return '–';
  const fmt = row.kind === 'latency' ? (/** @type {number} */ x) => `${fmtUs(x)} µs` : fmtCount;
  return `${fmt(a)} → ${fmt(b)} (${fmtRatio(b / a)})`;
}

/**
 * Pinned vs unpinned: every row of the last full (and fan-out) run next to the same row of
 * the last `--pin` run, per implementation. Left out until a pinned run exists.
 * @param {any} doc the unpinned full run
 * @param {any} fanoutDoc the unpinned fan-out run, or undefined
 * @param {any} [pinned] the pinned full run (results/pinned-latest.json)
 * @param {any} [fanoutPinned] the pinned fan-out run (results/fanout-pinned-latest.json)
 * @returns {string[]}
 */
export function pinnedSection(doc, fanoutDoc, pinned, fanoutPinned) {
  const pairs = [
    [doc, pinned],
    [fanoutDoc, fanoutPinned],
  ].filter(([a, b]) => a && b);
  if (pairs.length === 0) return [];
  const lines = [
    '## Pinned and unpinned',
    '',
    'The same matrix run twice: as everywhere above, with the scheduler free to place each process',
    '(unpinned), and with `--pin` (`taskset`: server on CPU 0, client on CPU 1). Each cell is',
    '**unpinned → pinned (pinned ÷ unpinned)**: msg/s (or round trips/s) on throughput and fan-out',
    'rows, where higher is better, and p50 µs on latency rows, where lower is better.',
    '',
  ];
  for (const [a, b] of pairs) {
    lines.push(
      `**Runs:** unpinned ${a.date} (\`${a.command}\`), pinned ${b.date} (\`${b.command}\`); load average at the end ${a.machine?.loadAverageAtEnd ?? '?'} / ${b.machine?.loadAverageAtEnd ?? '?'}.`,
      '',
    );
    const impls = IMPLS.filter((i) => (a.scenarios ?? []).some((/** @type {any} */ s) => s.results?.[i.id]) && (b.scenarios ?? []).some((/** @type {any} */ s) => s.results?.[i.id]));
    const rows = (a.scenarios ?? [])
      .filter((/** @type {any} */ s) => (s.security ?? 'null') === 'null')
      .map((/** @type {any} */ s) => {
        const p = (b.scenarios ?? []).find((/** @type {any} */ x) => x.id === s.id);
        return [s.id, ...impls.map((i) => pinCell(s, p, i.id))];
      });
    lines.push(markdownTable(['Scenario', ...impls.map((i) => i.label)], rows), '');
  }
  return lines;
}

/**
 * A hand-written analysis under docs/, embedded when present.
 * @param {string} name
 */
function analysisSection(name) {
  const file = path.join(DOCS, name);
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8').replace(/^<!--[\s\S]*?-->\s*/, '').trimEnd();
  return [text, ''];
}

/**
 * Write docs/performance.md and docs/performance-chart.svg.
 * @param {string} [input] results file
 * @param {string} [curveInput] CURVE results file (the section is left out when it does not exist)
 * @param {string} [fanoutInput] fan-out results file (the section says "pending" when it does not exist)
 * @returns {string[]} written files
 */
export function writeDocs(input = DEFAULT_INPUT, curveInput = CURVE_INPUT, fanoutInput = FANOUT_INPUT) {
  const doc = JSON.parse(readFileSync(input, 'utf8'));
  const curveDoc = existsSync(curveInput) ? JSON.parse(readFileSync(curveInput, 'utf8')) : undefined;
  const fanoutDoc = existsSync(fanoutInput) ? JSON.parse(readFileSync(fanoutInput, 'utf8')) : undefined;
  const md = path.join(DOCS, 'performance.md');
  writeFileSync(md, renderDocs(doc, curveDoc, fanoutDoc, { pinned: readIfExists(PINNED_INPUT), fanoutPinned: readIfExists(FANOUT_PINNED_INPUT) }));
  return [md, writeChart(input, path.join(DOCS, 'performance-chart.svg'))];
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  for (const f of writeDocs(process.argv[2] ?? DEFAULT_INPUT, process.argv[3] ?? CURVE_INPUT, process.argv[4] ?? FANOUT_INPUT)) console.log(`wrote ${path.relative(process.cwd(), f)}`);
}
