/**
 * The scheduler's event-loop fairness for sends that complete at once: a run of them
 * yields every SENDS_PER_TURN sends, and — for a short window after a connection was
 * accepted — once it has lasted JOIN_SEND_RUN_MS, so that a flat-out sender (a PUB with
 * many subscribers: each send is many deliveries) lets new connections in and through
 * their handshakes quickly (node:net accepts one connection per loop turn). The clock is
 * faked: each simulated send advances it by its cost.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectionArrived, JOIN_SEND_RUN_MS, JOIN_WINDOW_MS, SENDS_PER_TURN, sendMustYield } from '../src/scheduler.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Sends, each taking `costMs`, until the scheduler asks for a turn; how many. */
function runUntilYield(costMs: number): number {
  for (let n = 1; n <= 4 * SENDS_PER_TURN; n++) {
    vi.advanceTimersByTime(costMs);
    if (sendMustYield()) return n;
  }
  throw new Error(`no yield after ${4 * SENDS_PER_TURN} sends`);
}

describe('scheduler: runs of sends that complete at once', () => {
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['performance'] });
  });
  afterAll(() => {
    vi.useRealTimers();
  });

  it(`yield every ${SENDS_PER_TURN} sends, however long they take, when no connection arrived lately`, async () => {
    // Close any window opened earlier in this process.
    vi.advanceTimersByTime(JOIN_WINDOW_MS + 1);
    await turn();
    expect(runUntilYield(0.002)).toBe(SENDS_PER_TURN);
  });

  it(`yield after ${JOIN_SEND_RUN_MS} ms of sends for ${JOIN_WINDOW_MS} ms after a connection arrived`, async () => {
    await turn();
    connectionArrived();
    // 20 µs per send (a PUB delivering to ~100 subscribers): the run stops long before 512.
    const n = runUntilYield(0.02);
    expect(n).toBeLessThan(SENDS_PER_TURN / 8);
    expect(n * 0.02).toBeGreaterThanOrEqual(JOIN_SEND_RUN_MS);
    // Still inside the window: the next run is cut short too.
    await turn();
    expect(runUntilYield(0.02)).toBeLessThan(SENDS_PER_TURN / 8);
    // The window closes on its own.
    vi.advanceTimersByTime(JOIN_WINDOW_MS);
    await turn();
    expect(runUntilYield(0.002)).toBe(SENDS_PER_TURN);
  });
});
