/**
 * The scenario matrix and the implementation columns.
 */

/** @typedef {'monocoque' | 'monocoque-uring' | 'monocoque-noble' | 'zeromq' | 'libzmq' | 'node-net' | 'node-net-framed'} ImplId */
/** @typedef {'req-rep' | 'dealer-router' | 'push-pull' | 'pub-sub'} Pattern */

/**
 * @typedef {object} Scenario
 * @property {string} id e.g. `req-rep/tcp/64B` or `push-pull/ipc/64KiB/batch`
 * @property {'latency' | 'throughput' | 'fanout'} kind
 * @property {Pattern} pattern
 * @property {'tcp' | 'ipc'} transport
 * @property {number} size payload bytes
 * @property {'plain' | 'batch'} variant Monocoque's API variant (baselines always run plain)
 * @property {'null' | 'curve'} [security] the security mechanism (NULL when absent); CURVE
 *   rows end in `/curve` (latency, throughput plain) or `/curve/batch`
 * @property {number} [peers] fan-out/fan-in rows (kind `fanout`): how many sockets the
 *   client process opens (SUBs, DEALERs or PUSHes) against the server's one socket
 * @property {string} [metric] fan-out rows: what the headline counts, e.g. `msg/s delivered`
 */

/**
 * Columns, in table order. `js` implementations run worker.mjs, `c` runs c/zmqbench.
 * `patterns`, where given, limits a column to those patterns' rows.
 * `security` says which rows a column runs: NULL rows, CURVE rows, or both. On CURVE rows
 * `monocoque` runs the sodium-native box backend (forced: it fails rather than fall back)
 * and `monocoque-noble` the pure-JavaScript one; `curveLabel` is their CURVE-table header.
 * `batchApi`: the column has a batching API (write/flush/receiveMany), so its `/batch`
 * rows are measured on their own; the others' `/batch` cells repeat their `/plain` run.
 * `fanout`: the column runs the fan-out/fan-in rows.
 * `node-net` is the node:net floor (lib/floor.mjs): raw `node:net` streams without ZMTP,
 * push-pull and req-rep rows only (its other NULL cells are skipped with the reason).
 * `node-net-framed` is the same floor carrying ZMTP frames, its receiver doing only the
 * receiving API's per-message work (a `Buffer` view and an array per message): push-pull only.
 */
export const IMPLS = /** @type {const} */ ([
  { id: 'monocoque', label: 'Monocoque (net)', curveLabel: 'Monocoque (sodium)', runner: 'js', monocoque: true, batchApi: true, fanout: true, security: ['null', 'curve'], curveBackend: 'sodium' },
  { id: 'monocoque-uring', label: 'Monocoque (uring)', curveLabel: 'Monocoque (uring)', runner: 'js', monocoque: true, batchApi: true, fanout: true, security: ['null'], curveBackend: undefined },
  { id: 'monocoque-noble', label: 'Monocoque (noble)', curveLabel: 'Monocoque (noble)', runner: 'js', monocoque: true, batchApi: true, fanout: true, security: ['curve'], curveBackend: 'noble' },
  { id: 'zeromq', label: 'zeromq (npm)', curveLabel: 'zeromq (npm)', runner: 'js', monocoque: false, batchApi: false, fanout: true, security: ['null', 'curve'], curveBackend: undefined },
  { id: 'libzmq', label: 'libzmq (C)', curveLabel: 'libzmq (C)', runner: 'c', monocoque: false, batchApi: false, fanout: true, security: ['null', 'curve'], curveBackend: undefined },
  { id: 'node-net', label: 'node:net floor', curveLabel: 'node:net floor', runner: 'js', monocoque: false, batchApi: true, fanout: false, security: ['null'], curveBackend: undefined },
  { id: 'node-net-framed', label: 'node:net floor, framed', curveLabel: 'node:net floor, framed', runner: 'js', monocoque: false, batchApi: true, fanout: false, security: ['null'], curveBackend: undefined, patterns: ['push-pull'] },
]);

/**
 * Whether an implementation column runs a scenario (by its security mechanism, whether it
 * takes part in fan-out rows, and the patterns it is limited to, if any).
 * @param {{ security: readonly string[], fanout?: boolean, patterns?: readonly string[] }} impl
 * @param {{ security?: 'null' | 'curve', peers?: number, pattern?: string }} s
 */
export function runsScenario(impl, s) {
  return (
    impl.security.includes(s.security ?? 'null') &&
    (s.peers === undefined || impl.fanout !== false) &&
    (impl.patterns === undefined || s.pattern === undefined || impl.patterns.includes(s.pattern))
  );
}

/** The CURVE rows' patterns (one latency, one throughput) and transport. */
export const CURVE_PATTERNS = /** @type {const} */ (['req-rep', 'push-pull']);
export const CURVE_TRANSPORT = 'tcp';

export const LATENCY_PATTERNS = /** @type {const} */ (['req-rep', 'dealer-router']);
export const THROUGHPUT_PATTERNS = /** @type {const} */ (['push-pull', 'pub-sub']);
export const SIZES = [64, 1024, 65536];
export const TRANSPORTS = /** @type {const} */ (['tcp', 'ipc']);

/** The measuring side of a pattern: latency clients and throughput receivers. */
export const MEASURER = /** @type {const} */ ({
  'req-rep': 'client',
  'dealer-router': 'client',
  'push-pull': 'server',
  'pub-sub': 'client',
});

/**
 * The fan-out and fan-in rows (`--fanout`), all 64 B over loopback TCP. The server process
 * holds one socket, the client process `peers` sockets (see README.md):
 * - `pub-sub/…/Nsubs`: one PUB (server, sending flat out) to N SUBs in the client; counted
 *   at the SUBs: total delivered msg/s and the slowest subscriber's rate;
 * - `dealer-router/…/1000dealers`: one ROUTER (server, echoing) serving N DEALERs in the
 *   client, each with one request in flight (the next goes on the reply): round trips/s;
 * - `push-pull/…/10pushers`: N PUSHes in the client (sending flat out) into one PULL
 *   (server, counting): msg/s received, and the slowest pusher's delivered rate.
 */
export const FANOUT = /** @type {const} */ ([
  { pattern: 'pub-sub', peers: 1, noun: 'subs', metric: 'msg/s delivered' },
  { pattern: 'pub-sub', peers: 10, noun: 'subs', metric: 'msg/s delivered' },
  { pattern: 'pub-sub', peers: 100, noun: 'subs', metric: 'msg/s delivered' },
  { pattern: 'dealer-router', peers: 1000, noun: 'dealers', metric: 'round trips/s' },
  { pattern: 'push-pull', peers: 10, noun: 'pushers', metric: 'msg/s received' },
]);
export const FANOUT_SIZE = 64;

/** Fan-out rows in `--quick` (the small ones: the big ones take seconds just to connect). */
export const FANOUT_QUICK = ['pub-sub/tcp/64B/10subs', 'push-pull/tcp/64B/10pushers'];

/**
 * The fan-out/fan-in rows, e.g. `pub-sub/tcp/64B/100subs`, `dealer-router/tcp/64B/1000dealers`.
 * @returns {Scenario[]}
 */
export function fanoutScenarios() {
  return FANOUT.map((f) => ({
    id: `${f.pattern}/tcp/${sizeLabel(FANOUT_SIZE)}/${f.peers}${f.noun}`,
    kind: /** @type {const} */ ('fanout'),
    pattern: f.pattern,
    transport: /** @type {const} */ ('tcp'),
    size: FANOUT_SIZE,
    variant: /** @type {const} */ ('plain'),
    peers: f.peers,
    metric: f.metric,
  }));
}

/**
 * Whether a `--filter` substring is about fan-out rows: `fanout` (all of them) or one
 * naming the peers (`subs`, `dealers`, `pushers`).
 * @param {string} f
 */
export function isFanoutTerm(f) {
  return f === 'fanout' || /subs|dealers|pushers/.test(f);
}

/** @param {number} size */
export function sizeLabel(size) {
  if (size >= 1024 && size % 1024 === 0) return `${size / 1024}KiB`;
  return `${size}B`;
}

/**
 * The CURVE rows: REQ/REP and PUSH/PULL over TCP at each size, e.g. `req-rep/tcp/64B/curve`,
 * `push-pull/tcp/64KiB/curve` (plain API) and `push-pull/tcp/64KiB/curve/batch`.
 * @param {number[]} sizes
 * @returns {Scenario[]}
 */
export function curveScenarios(sizes = SIZES) {
  /** @type {Scenario[]} */
  const out = [];
  for (const pattern of CURVE_PATTERNS) {
    const kind = LATENCY_PATTERNS.includes(/** @type {any} */ (pattern)) ? 'latency' : 'throughput';
    for (const size of sizes) {
      const variants = kind === 'throughput' ? /** @type {const} */ (['plain', 'batch']) : /** @type {const} */ (['plain']);
      for (const variant of variants) {
        const id = `${pattern}/${CURVE_TRANSPORT}/${sizeLabel(size)}/curve${variant === 'batch' ? '/batch' : ''}`;
        out.push({ id, kind, pattern, transport: CURVE_TRANSPORT, size, variant, security: 'curve' });
      }
    }
  }
  return out;
}

/**
 * Build the scenario list.
 * @param {{ quick?: boolean, filter?: string[], curve?: boolean, fanout?: boolean }} opts
 *   `quick`: the CI smoke matrix (every pattern over TCP at 64 B and 64 KiB, and over IPC
 *   at 64 B, plus the two 64 B CURVE rows and the two 10-peer fan-out rows); `curve`: the
 *   CURVE rows instead of the NULL ones; `fanout`: the fan-out/fan-in rows instead;
 *   `filter`: keep scenarios whose id contains any of these substrings (a substring
 *   containing `curve` selects among the CURVE rows, so `--filter curve` equals `--curve`;
 *   one naming `subs`, `dealers` or `pushers` among the fan-out rows, and `fanout` picks
 *   them all, so `--filter fanout` equals `--fanout`)
 * @returns {Scenario[]}
 */
export function buildMatrix({ quick = false, filter = [], curve = false, fanout = false } = {}) {
  const curveRows = curveScenarios(quick ? [64] : SIZES).filter((s) => !quick || s.variant === 'plain');
  const fanoutRows = fanoutScenarios().filter((s) => !quick || FANOUT_QUICK.includes(s.id));
  const fanoutMatch = (/** @type {Scenario} */ s, /** @type {string} */ f) => f === 'fanout' || s.id.includes(f);
  if (curve) return filter.length === 0 ? curveRows : curveRows.filter((s) => filter.some((f) => s.id.includes(f)));
  if (fanout) return filter.length === 0 ? fanoutRows : fanoutRows.filter((s) => filter.some((f) => fanoutMatch(s, f)));
  /** @type {Scenario[]} */
  const out = [];
  const sizesFor = (/** @type {string} */ transport) => (quick ? (transport === 'tcp' ? [64, 65536] : [64]) : SIZES);
  for (const kind of /** @type {const} */ (['latency', 'throughput'])) {
    const patterns = kind === 'latency' ? LATENCY_PATTERNS : THROUGHPUT_PATTERNS;
    for (const pattern of patterns) {
      for (const transport of TRANSPORTS) {
        for (const size of sizesFor(transport)) {
          const variants = kind === 'throughput' ? /** @type {const} */ (['plain', 'batch']) : /** @type {const} */ (['plain']);
          for (const variant of variants) {
            const id = `${pattern}/${transport}/${sizeLabel(size)}${kind === 'throughput' ? `/${variant}` : ''}`;
            out.push({ id, kind, pattern, transport, size, variant });
          }
        }
      }
    }
  }
  if (filter.length === 0) return quick ? [...out, ...curveRows, ...fanoutRows] : out;
  // NULL rows match the plain substrings, CURVE rows the ones that name `curve`, fan-out
  // rows the ones that name their peers.
  const nullTerms = filter.filter((f) => !f.includes('curve') && !isFanoutTerm(f));
  const curveTerms = filter.filter((f) => f.includes('curve'));
  const fanoutTerms = filter.filter((f) => isFanoutTerm(f));
  return [
    ...out.filter((s) => nullTerms.some((f) => s.id.includes(f))),
    ...curveRows.filter((s) => curveTerms.some((f) => s.id.includes(f))),
    ...fanoutRows.filter((s) => fanoutTerms.some((f) => fanoutMatch(s, f))),
  ];
}

/**
 * The id under which a baseline result is shared between a scenario's plain and batch
 * rows (baselines have no batching API, so they run once per scenario).
 * @param {Scenario} s
 */
export function baseId(s) {
  return s.id.replace(/\/(plain|batch)$/, '');
}

/**
 * The CURVE box backend a Monocoque column runs CURVE rows with (`undefined` for others).
 * @param {ImplId} impl
 * @returns {'sodium' | 'noble' | undefined}
 */
export function curveBackendOf(impl) {
  return IMPLS.find((i) => i.id === impl)?.curveBackend;
}

/**
 * Check a CURVE run's two `security` reports: both sides ran CURVE, and a Monocoque
 * column ran the box backend it is named after. Throws otherwise.
 * @param {ImplId} impl
 * @param {Array<{ mechanism?: unknown, backend?: unknown }>} reports server's, then client's
 * @returns {{ mechanism: string, backend?: string }}
 */
export function checkSecurity(impl, reports) {
  const want = curveBackendOf(impl);
  for (const [i, r] of reports.entries()) {
    const side = i === 0 ? 'server' : 'client';
    if (r.mechanism !== 'curve') throw new Error(`${impl} ${side}: security mechanism ${r.mechanism}, expected curve`);
    if (want && r.backend !== want) throw new Error(`${impl} ${side}: CURVE box backend ${r.backend}, expected ${want}`);
  }
  return { mechanism: 'curve', backend: /** @type {string | undefined} */ (reports[0]?.backend) };
}
