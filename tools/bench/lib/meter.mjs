/**
 * Counting messages per peer for the fan-out and fan-in scenarios (one process with many
 * sockets, or one socket fed by many peers). c/zmqbench.c has the same state machine in C.
 *
 * Phases:
 * 1. warming — until every peer has counted at least one message (connections up,
 *    subscriptions through), the total is ≥ `warmupMsgs`, and ≥ `warmupMs` have passed
 *    since the first message. If some peer is still silent after `joinTimeoutMs`, the
 *    run fails naming how many peers were heard from.
 * 2. measuring — per-peer counts are snapshotted at the start; the window ends after
 *    `durationMs` or `maxMsgs` messages in total.
 * 3. done — the result: total rate, and the slowest and fastest peer's rate.
 *
 * The clock is read every 64 messages (and on `tick()`, which the caller runs from a timer
 * so that a stalled run still ends): `performance.now()` is not free at millions of
 * messages per second.
 */

const WARMING = 0;
const MEASURING = 1;
const DONE = 2;

/**
 * @typedef {object} MeterOptions
 * @property {number} peers how many peers are counted (indices 0 … peers-1)
 * @property {number} warmupMs minimum warm-up after the first message
 * @property {number} warmupMsgs minimum warm-up messages (in total)
 * @property {number} durationMs measurement window
 * @property {number} maxMsgs end the window after this many messages in total
 * @property {number} joinTimeoutMs fail when a peer is still silent this long after the start
 * @property {() => number} [now] the clock in ms (default `performance.now`)
 * @property {() => void} [onMeasure] called once when the window opens
 */

/**
 * @typedef {object} MeterResult
 * @property {number} peers
 * @property {number} count messages in the window, all peers
 * @property {number} warmupCount messages before the window
 * @property {number} elapsedMs the window's length
 * @property {number} msgPerSec count / window
 * @property {number} minPerSec the slowest peer's rate over the window
 * @property {number} maxPerSec the fastest peer's rate over the window
 * @property {number} silentPeers peers that counted nothing in the window
 * @property {number} joinMs from the meter's creation until every peer had been heard from
 */

export class PeerMeter {
  /** @param {MeterOptions} o */
  constructor(o) {
    if (!(o.peers >= 1)) throw new RangeError(`peers must be ≥ 1, got ${o.peers}`);
    this.o = o;
    this.now = o.now ?? (() => performance.now());
    this.counts = new Float64Array(o.peers);
    /** @type {Float64Array | undefined} */
    this.startCounts = undefined;
    this.total = 0;
    this.totalAtStart = 0;
    this.joined = 0;
    this.phase = WARMING;
    this.created = this.now();
    this.first = 0;
    this.joinedAt = NaN;
    this.measureStart = 0;
    this.end = 0;
    /** @type {Error | undefined} set when the peers did not all join in time */
    this.error = undefined;
  }

  /** Whether the window is over (or the run failed). */
  get done() {
    return this.phase === DONE;
  }

  /**
   * Count one message of peer `i`.
   * @param {number} i
   * @returns {boolean} true once the measurement is over: stop
   */
  hit(i) {
    const c = ++this.counts[i];
    const total = ++this.total;
    if (this.phase === MEASURING) {
      if (total - this.totalAtStart >= this.o.maxMsgs) this.finish(this.now());
      else if ((total & 63) === 0) this.tick();
      return this.phase === DONE;
    }
    if (this.phase === DONE) return true;
    if (total === 1) this.first = this.now();
    if (c === 1 && ++this.joined === this.o.peers) {
      this.joinedAt = this.now();
      this.tick();
    } else if ((total & 63) === 0) {
      this.tick();
    }
    return this.phase === DONE;
  }

  /**
   * Read the clock and move between phases.
   * @returns {boolean} true once the measurement is over
   */
  tick() {
    if (this.phase === DONE) return true;
    const t = this.now();
    if (this.phase === WARMING) {
      if (this.joined === this.o.peers && this.total >= this.o.warmupMsgs && t - this.first >= this.o.warmupMs) {
        this.phase = MEASURING;
        this.measureStart = t;
        this.startCounts = this.counts.slice();
        this.totalAtStart = this.total;
        this.o.onMeasure?.();
      } else if (this.joined < this.o.peers && t - this.created >= this.o.joinTimeoutMs) {
        this.error = new Error(
          `only ${this.joined} of ${this.o.peers} peers were heard from within ${this.o.joinTimeoutMs} ms (${this.total} messages in all)`,
        );
        this.phase = DONE;
      }
    } else if (t - this.measureStart >= this.o.durationMs) {
      this.finish(t);
    }
    return this.phase === DONE;
  }

  /** @param {number} t */
  finish(t) {
    this.phase = DONE;
    this.end = t;
  }

  /**
   * The figures of a finished window (throws the join error when the peers never all joined).
   * @returns {MeterResult}
   */
  result() {
    if (this.error) throw this.error;
    if (this.phase !== DONE || !this.startCounts) throw new Error('the measurement window has not ended');
    const elapsedMs = this.end - this.measureStart;
    const secs = elapsedMs / 1e3;
    let min = Infinity;
    let max = 0;
    let silent = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const d = this.counts[i] - this.startCounts[i];
      if (d < min) min = d;
      if (d > max) max = d;
      if (d === 0) silent++;
    }
    const count = this.total - this.totalAtStart;
    return {
      peers: this.o.peers,
      count,
      warmupCount: this.totalAtStart,
      elapsedMs,
      msgPerSec: count / secs,
      minPerSec: min / secs,
      maxPerSec: max / secs,
      silentPeers: silent,
      joinMs: this.joinedAt - this.created,
    };
  }
}
