/**
 * The flush scheduler and event-loop fairness, shared process-wide (see runtime.ts).
 *
 * - Connections with output queued in this tick register once; one `setImmediate` per
 *   tick hands each one's batch to its transport (one writev per peer per tick).
 * - Calls that complete at once (a `send()` with room, a `receive()` with a message
 *   queued) resolve with an already-settled promise, which is fast but never lets the
 *   event loop turn: a `for (;;) await sock.receive()` over a backlog would starve timers
 *   and I/O. After {@link YIELD_EVERY} such completions without a turn, one completes on
 *   `setImmediate` instead.
 */
import { runtime } from './runtime.js';

/** Something with output to hand to its transport at the end of the tick. */
export interface Flushable {
  flush(): void;
}

/** @internal */
export interface SchedulerState {
  dirty: Flushable[];
  scheduled: boolean;
  turns: number;
  immediate: number;
  lastTurn: number;
}

const s: SchedulerState = (runtime.scheduler ??= { dirty: [], scheduled: false, turns: 0, immediate: 0, lastTurn: -1 });

/** Completions allowed between two event-loop turns. */
export const YIELD_EVERY = 512;
const RESOLVED = Promise.resolve();

function run(): void {
  s.scheduled = false;
  s.turns++;
  const dirty = s.dirty;
  for (let i = 0; i < dirty.length; i++) dirty[i]!.flush();
  dirty.length = 0;
}

function tick(): void {
  s.turns++;
}

/** Flush `f` at the end of this tick (call once per tick per connection). */
export function scheduleFlush(f: Flushable): void {
  s.dirty.push(f);
  if (!s.scheduled) {
    s.scheduled = true;
    setImmediate(run);
  }
}

/** Flush everything scheduled, now. */
export function flushNow(): void {
  if (s.scheduled) run();
}

/**
 * A call had to wait: the event loop will turn before it completes, so the run of
 * completions that never yielded starts again (a receiver that drains its queue, or a
 * sender at the high-water mark, never pays for a forced yield).
 */
export function willTurn(): void {
  s.immediate = 0;
}

/**
 * Whether this completion should wait for an event-loop turn. Hot paths call it inline:
 * `mustYield() ? afterTurn(v) : Promise.resolve(v)` keeps each `Promise.resolve` site
 * monomorphic.
 */
export function mustYield(): boolean {
  if (s.turns !== s.lastTurn) {
    s.lastTurn = s.turns;
    s.immediate = 0;
  }
  if (++s.immediate < YIELD_EVERY) return false;
  s.immediate = 0;
  return true;
}

/** A settled promise for a send that completed at once (yielding now and then). */
export function completed(): Promise<void> {
  return mustYield() ? afterTurn(undefined) : RESOLVED;
}

/** A promise of `value` that settles after an event-loop turn (see {@link mustYield}). */
export function afterTurn<T>(value: T): Promise<T> {
  return new Promise((resolve) => setImmediate(() => (tick(), resolve(value))));
}
