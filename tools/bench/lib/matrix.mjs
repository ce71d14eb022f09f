/**
 * The scenario matrix and the implementation columns.
 */

/** @typedef {'monocoque' | 'monocoque-uring' | 'zeromq' | 'libzmq'} ImplId */
/** @typedef {'req-rep' | 'dealer-router' | 'push-pull' | 'pub-sub'} Pattern */

/**
 * @typedef {object} Scenario
 * @property {string} id e.g. `req-rep/tcp/64B` or `push-pull/ipc/64KiB/batch`
 * @property {'latency' | 'throughput'} kind
 * @property {Pattern} pattern
 * @property {'tcp' | 'ipc'} transport
 * @property {number} size payload bytes
 * @property {'plain' | 'batch'} variant Monocoque's API variant (baselines always run plain)
 */

/** Columns, in table order. `js` implementations run worker.mjs, `c` runs c/zmqbench. */
export const IMPLS = /** @type {const} */ ([
  { id: 'monocoque', label: 'Monocoque (net)', runner: 'js', monocoque: true },
  { id: 'monocoque-uring', label: 'Monocoque (uring)', runner: 'js', monocoque: true },
  { id: 'zeromq', label: 'zeromq (npm)', runner: 'js', monocoque: false },
  { id: 'libzmq', label: 'libzmq (C)', runner: 'c', monocoque: false },
]);

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

/** @param {number} size */
export function sizeLabel(size) {
  if (size >= 1024 && size % 1024 === 0) return `${size / 1024}KiB`;
  return `${size}B`;
}

/**
 * Build the scenario list.
 * @param {{ quick?: boolean, filter?: string[] }} opts `quick`: the CI smoke matrix
 *   (every pattern over TCP at 64 B and 64 KiB, and over IPC at 64 B); `filter`: keep
 *   scenarios whose id contains any of these substrings
 * @returns {Scenario[]}
 */
export function buildMatrix({ quick = false, filter = [] } = {}) {
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
  if (filter.length === 0) return out;
  return out.filter((s) => filter.some((f) => s.id.includes(f)));
}

/**
 * The id under which a baseline result is shared between a scenario's plain and batch
 * rows (baselines have no batching API, so they run once per scenario).
 * @param {Scenario} s
 */
export function baseId(s) {
  return s.id.replace(/\/(plain|batch)$/, '');
}
