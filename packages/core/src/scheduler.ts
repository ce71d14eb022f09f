/**
 * The flush scheduler and event-loop fairness, shared process-wide (see runtime.ts).
 *
 * - Connections with output queued in this tick register once; one `setImmediate` per
 *   tick hands each one's batch to its transport (one writev per peer per tick).
 * - Calls that complete at once (a `send()` with room, a `receive()` with a message
 *   queued) resolve with an already-settled promise, which is fast but never lets the
 *   event loop turn: a `for (;;) await sock.receive()` over a backlog would starve timers
 *   and I/O. So now and then one completes on `setImmediate` instead: a send after
 *   {@link SENDS_PER_TURN} sends without a turn (the turn also hands the batch to the
 *   transport and lets drain events in, so a PUB that never waits does not outrun its
 *   peers); a receive once a run of receives has lasted {@link RECEIVE_RUN_MS} (a forced
 *   turn lets the transport refill the inbound queue to its high-water mark and pause the
 *   stream, which every 512 receives cost a quarter of the throughput).
 * - New connections: node:net (libuv ≥ 1.45) accepts one connection per loop turn, and
 *   each handshake step waits for a turn too. A PUB sending flat out to 100 SUBs turns
 *   the loop every 512 sends, each 100 deliveries (~4 ms), so 100 SUBs connecting at
 *   once took ~0.8 s to all hear from it (libzmq's I/O thread: 0.03 s). For a short
 *   window after each accepted connection ({@link connectionArrived}), a run of sends
 *   also yields after {@link JOIN_SEND_RUN_MS}: that costs a flat-out sender throughput
 *   only while connections arrive, and cut that join to ~0.2 s.
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
  lastTurn: number;
  /** Sends completed at once since the last turn. */
  sends: number;
  /** Receives completed at once since the last turn. */
  receives: number;
  /** When the current run of receives was first looked at (ms), 0 = not yet. */
  runStart: number;
  /** Until when (ms) sends keep their runs short for new connections, 0 = not now. */
  joinUntil?: number;
  /** When the current run of sends was first looked at in that window (ms), 0 = not yet. */
  sendRunStart?: number;
}

const s: SchedulerState = (runtime.scheduler ??= { dirty: [], scheduled: false, turns: 0, lastTurn: -1, sends: 0, receives: 0, runStart: 0 });

/** Sends that may complete at once between two event-loop turns. */
export const SENDS_PER_TURN = 512;
/** How long a run of receives that complete at once may last without an event-loop turn. */
export const RECEIVE_RUN_MS = 2;
/** The clock is read once per this many receives (it is not free at millions per second). */
const CLOCK_EVERY = 256;
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
  s.sends = 0;
  s.receives = 0;
  s.runStart = 0;
}

function sinceTurn(): void {
  if (s.turns !== s.lastTurn) {
    s.lastTurn = s.turns;
    s.sends = 0;
    s.receives = 0;
    s.runStart = 0;
    s.sendRunStart = 0;
  }
}

/** How long after a connection arrives sends keep their runs short (ms). */
export const JOIN_WINDOW_MS = 50;
/** How long a run of sends that complete at once may last in that window (ms). */
export const JOIN_SEND_RUN_MS = 0.05;

/**
 * A connection was accepted: for {@link JOIN_WINDOW_MS}, runs of sends yield after
 * {@link JOIN_SEND_RUN_MS} so that the loop turns often while it (and any that follow)
 * hand-shakes.
 */
export function connectionArrived(): void {
  s.joinUntil = performance.now() + JOIN_WINDOW_MS;
}

/** Whether a send that completed at once should wait for an event-loop turn. */
export function sendMustYield(): boolean {
  sinceTurn();
  const n = ++s.sends;
  if (n >= SENDS_PER_TURN) {
    s.sends = 0;
    return true;
  }
  if (!s.joinUntil || (n & 7) !== 0) return false;
  const now = performance.now();
  if (now >= s.joinUntil) {
    s.joinUntil = 0;
    return false;
  }
  if (!s.sendRunStart) {
    s.sendRunStart = now;
    return false;
  }
  if (now - s.sendRunStart < JOIN_SEND_RUN_MS) return false;
  s.sends = 0;
  return true;
}

/**
 * Whether a receive that completed at once should wait for an event-loop turn. Hot paths
 * call it inline: `receiveMustYield() ? afterTurn(v) : Promise.resolve(v)` keeps each
 * `Promise.resolve` site monomorphic.
 */
export function receiveMustYield(): boolean {
  sinceTurn();
  if (++s.receives % CLOCK_EVERY !== 0) return false;
  const now = performance.now();
  if (s.runStart === 0) {
    s.runStart = now;
    return false;
  }
  if (now - s.runStart < RECEIVE_RUN_MS) return false;
  s.receives = 0;
  s.runStart = 0;
  return true;
}

/** A settled promise for a send that completed at once (yielding now and then). */
export function completed(): Promise<void> {
  return sendMustYield() ? afterTurn(undefined) : RESOLVED;
}

/** A promise of `value` that settles after an event-loop turn (see {@link mustYield}). */
export function afterTurn<T>(value: T): Promise<T> {
  return new Promise((resolve) => setImmediate(() => (tick(), resolve(value))));
}
