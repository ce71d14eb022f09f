import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Stream, StreamHandlers } from '@monocoque/core';

let counter = 0;
const dirs: string[] = [];

/** A fresh IPC socket path under os.tmpdir(). */
export function ipcPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mq-uring-'));
  dirs.push(dir);
  return join(dir, `s${counter++}.sock`);
}

/** Remove the directories made by ipcPath(). */
export function cleanupIpcDirs(): void {
  for (const d of dirs.splice(0)) if (existsSync(d)) rmSync(d, { recursive: true, force: true });
}

/** Records everything a stream reports. */
export class Sink implements StreamHandlers {
  chunks: Buffer[] = [];
  bytes = 0;
  drains = 0;
  closes = 0;
  closeError: Error | undefined;
  private waiters: Array<() => void> = [];
  readonly closed: Promise<Error | undefined>;
  private resolveClosed!: (e: Error | undefined) => void;

  constructor() {
    this.closed = new Promise((r) => (this.resolveClosed = r));
  }

  onData(chunk: Buffer, transient?: boolean): void {
    // A transient chunk's memory is reused by the transport after this call.
    this.chunks.push(transient === true ? Buffer.from(chunk) : chunk);
    this.bytes += chunk.length;
    this.wake();
  }

  onDrain(): void {
    this.drains++;
    this.wake();
  }

  onClose(error?: Error): void {
    this.closes++;
    this.closeError = error;
    this.resolveClosed(error);
    this.wake();
  }

  data(): Buffer {
    return Buffer.concat(this.chunks);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolve once `cond()` holds (checked after every event). */
  until(cond: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} (have ${this.bytes} bytes)`)), timeoutMs);
      const check = () => {
        if (cond()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  untilBytes(n: number, timeoutMs?: number): Promise<void> {
    return this.until(() => this.bytes >= n, timeoutMs, `${n} bytes`);
  }
}

/**
 * What sinks got in the current JS call of the transport: a run of `onData` calls that a
 * microtask checkpoint ends (the addon calls JS, then microtasks run, then the next call).
 */
export class CallBytes {
  private open = false;
  private readonly perSink = new Map<Sink, number>();
  private total = 0;
  /** The most transient bytes one call handed over, all sinks together. */
  largest = 0;

  /** Count `n` bytes for `sink`; returns what `sink` got in this call so far. */
  add(sink: Sink, n: number, transient: boolean): number {
    if (!this.open) {
      this.open = true;
      queueMicrotask(() => {
        this.open = false;
        this.perSink.clear();
        this.total = 0;
      });
    }
    if (transient) this.largest = Math.max(this.largest, (this.total += n));
    const bytes = (this.perSink.get(sink) ?? 0) + n;
    this.perSink.set(sink, bytes);
    return bytes;
  }
}

/** Split `buf` into chunks of pseudo-random sizes in [1, max]. */
export function splitRandom(buf: Buffer, max: number): Buffer[] {
  const out: Buffer[] = [];
  let off = 0;
  let seed = 12345;
  while (off < buf.length) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const n = Math.min(buf.length - off, 1 + (seed % max));
    out.push(buf.subarray(off, off + n));
    off += n;
  }
  return out;
}

/** Write chunks in batches, honouring write() backpressure via the sink's drain count. */
export async function writeAll(stream: Stream, sink: Sink, chunks: Buffer[], batch = 8, drainTimeoutMs = 10_000): Promise<void> {
  for (let i = 0; i < chunks.length; i += batch) {
    const drainsBefore = sink.drains;
    if (!stream.write(chunks.slice(i, i + batch))) await sink.until(() => sink.drains > drainsBefore || sink.closes > 0, drainTimeoutMs, 'drain');
  }
}

/** `data` cut into consecutive views of `size` bytes (the last may be shorter). */
export function slices(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += size) out.push(data.subarray(off, off + size));
  return out;
}

export function payload(n: number): Buffer {
  return randomBytes(n);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
