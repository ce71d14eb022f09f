/**
 * Small statistics helpers shared by the workers, the runner and the tests.
 * Percentiles use the nearest-rank definition (the same as c/zmqbench.c).
 */

/**
 * Nearest-rank percentile of an ascending array.
 * @param {ArrayLike<number>} sorted ascending values
 * @param {number} p percentile in [0, 100]
 * @returns {number} the value, or NaN for an empty array
 */
export function percentile(sorted, p) {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = Math.min(n, Math.max(1, Math.ceil((p / 100) * n)));
  return sorted[rank - 1];
}

/**
 * Median of unsorted values (mean of the two middle values for even counts).
 * @param {number[]} values
 * @returns {number} the median, or NaN for an empty array
 */
export function median(values) {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = finite.length;
  if (n === 0) return NaN;
  return n % 2 ? finite[(n - 1) / 2] : (finite[n / 2 - 1] + finite[n / 2]) / 2;
}

/**
 * Summarise round-trip samples in microseconds.
 * @param {Float64Array} samples (sorted in place)
 * @returns {{ count: number, p50Us: number, p99Us: number, meanUs: number, minUs: number, maxUs: number }}
 */
export function summariseLatency(samples) {
  samples.sort();
  let sum = 0;
  for (const s of samples) sum += s;
  const n = samples.length;
  return {
    count: n,
    p50Us: percentile(samples, 50),
    p99Us: percentile(samples, 99),
    meanUs: n ? sum / n : NaN,
    minUs: n ? samples[0] : NaN,
    maxUs: n ? samples[n - 1] : NaN,
  };
}

/**
 * Combine repeated runs of one scenario: the median of every numeric field.
 * Non-numeric fields come from the first run; `runs` records how many were combined, and
 * `msgPerSecRuns` / `p50UsRuns` (throughput / latency results, more than one run) each run's
 * rate or median round trip, in run order.
 * @template {Record<string, unknown>} T
 * @param {T[]} runs at least one
 * @returns {T & { runs: number }}
 */
export function medianOfRuns(runs) {
  /** @type {Record<string, unknown>} */
  const out = { ...runs[0], runs: runs.length };
  for (const [key, value] of Object.entries(runs[0])) {
    if (typeof value === 'number') out[key] = median(runs.map((r) => /** @type {number} */ (r[key])));
  }
  // Each run's rate too: runs go round the columns, so run i of every column of a cell shares
  // one stretch of the VM's speed, and same-round ratios can be taken from these.
  if (runs.length > 1 && typeof runs[0].msgPerSec === 'number') out.msgPerSecRuns = runs.map((r) => r.msgPerSec);
  if (runs.length > 1 && typeof runs[0].p50Us === 'number') out.p50UsRuns = runs.map((r) => r.p50Us);
  return /** @type {T & { runs: number }} */ (out);
}

/**
 * Combine repeated crypto.mjs runs: the median of every figure, per backend and size.
 * @param {Array<{ node?: string, backends: Record<string, Record<string, Record<string, number>>> }>} runs at least one
 */
export function combineCrypto(runs) {
  /** @type {Record<string, Record<string, Record<string, number>>>} */
  const backends = {};
  for (const [name, sizes] of Object.entries(runs[0].backends)) {
    backends[name] = {};
    for (const [size, figures] of Object.entries(sizes)) {
      backends[name][size] = {};
      for (const key of Object.keys(figures)) backends[name][size][key] = median(runs.map((r) => r.backends[name]?.[size]?.[key] ?? NaN));
    }
  }
  return { ...runs[0], backends, runs: runs.length };
}
