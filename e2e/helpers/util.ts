/** Small shared helpers: bounded waits, test data, and per-test cleanup. */
import { randomBytes } from 'node:crypto';
import { closeAllPeers } from './peer.js';
import { cleanupIpcFiles } from './endpoints.js';

/** Reject with a descriptive error if `p` does not settle within `ms`. */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

/** A deliberate delay; only for scenarios that are about timing (e.g. connect-before-bind). */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Random bytes of a given size (0 allowed). */
export function frameOf(size: number): Buffer {
  return size === 0 ? Buffer.alloc(0) : randomBytes(size);
}

/** Compact description of a frame for failure messages. */
export function describeFrame(b: Buffer): string {
  return `${b.length}B:${b.subarray(0, 16).toString('hex')}${b.length > 16 ? '…' : ''}`;
}

/** Assert two multipart messages are equal byte for byte, with a readable diff message. */
export function assertFramesEqual(actual: readonly Buffer[], expected: readonly Buffer[], what = 'message'): void {
  const a = actual.map(describeFrame).join(' | ');
  const e = expected.map(describeFrame).join(' | ');
  if (actual.length !== expected.length) {
    throw new Error(`${what}: expected ${expected.length} frame(s) [${e}], got ${actual.length} [${a}]`);
  }
  for (let i = 0; i < expected.length; i++) {
    const x = actual[i]!;
    const y = expected[i]!;
    if (!Buffer.isBuffer(x)) throw new Error(`${what}: frame ${i} is not a Buffer (${Object.prototype.toString.call(x)})`);
    if (!x.equals(y)) {
      let at = 0;
      while (at < Math.min(x.length, y.length) && x[at] === y[at]) at++;
      throw new Error(`${what}: frame ${i} differs (first difference at byte ${at}); expected [${e}], got [${a}]`);
    }
  }
}

interface Closable {
  close(): unknown;
}

/**
 * Per-test resource tracking: `track(socket)` our sockets, and `cleanup()` (in afterEach)
 * closes them, kills every peer process of this worker and removes IPC files.
 */
export class Scope {
  private readonly items: Closable[] = [];

  track<T extends Closable>(item: T): T {
    this.items.push(item);
    return item;
  }

  async cleanup(): Promise<void> {
    const items = this.items.splice(0).reverse();
    for (const it of items) {
      try {
        const linger = it as { linger?: number; closed?: boolean };
        if (linger.closed) continue;
        await withTimeout(Promise.resolve(it.close()), 5000, 'close');
      } catch {
        /* best effort: the test result already says what went wrong */
      }
    }
    await closeAllPeers();
    cleanupIpcFiles();
  }
}

/**
 * Resolve once `cond()` holds, checking it now and again on every `event` of `emitter`;
 * reject after `ms` with `what` in the message.
 */
export function waitFor(
  emitter: { on(event: string, fn: () => void): unknown; off(event: string, fn: () => void): unknown },
  event: string,
  cond: () => boolean,
  ms: number,
  what: string,
): Promise<void> {
  let check: (() => void) | undefined;
  const p = new Promise<void>((resolve) => {
    check = () => {
      if (cond()) resolve();
    };
    emitter.on(event, check);
    check();
  });
  return withTimeout(p, ms, what).finally(() => emitter.off(event, check!));
}
