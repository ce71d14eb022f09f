/**
 * Process lifetime, as zeromq.js v6 has it: a pending `send()`/`receive()` (a `for await`
 * included) and messages still queued for a peer keep the process alive; an idle socket —
 * bound, connected or reconnecting — does not.
 *
 * Every transport handle (listener, stream, timer) the engine creates is unref'd. What
 * must keep the process alive takes a hold here instead: while any hold exists, one
 * ref'd timer exists, and it costs nothing while it waits. Holds are counted, so
 * taking and releasing one is two integer operations plus, on 0↔1, a `ref()`/`unref()`.
 */
import { runtime } from './runtime.js';

/** @internal */
export interface KeepAliveState {
  holds: number;
  timer: NodeJS.Timeout | undefined;
}

const state: KeepAliveState = (runtime.keepAlive ??= { holds: 0, timer: undefined });

function noop(): void {}

/** Keep the process alive until the matching {@link release}. */
export function hold(): void {
  if (state.holds++ === 0) {
    if (state.timer === undefined) state.timer = setInterval(noop, 0x7fffffff);
    else state.timer.ref();
  }
}

/** Undo one {@link hold}. */
export function release(): void {
  if (--state.holds === 0) state.timer?.unref();
}
