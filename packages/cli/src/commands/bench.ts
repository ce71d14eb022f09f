/**
 * `monocoque bench push|pull|req|rep`: measure against any ZeroMQ peer (another monocoque,
 * libzmq's `local_thr`/`remote_thr`-style tools, a zeromq.js program).
 *
 * - `push` sends `--count` messages of `--size` bytes as fast as the peer takes them
 *   (batching API: `write()` then `flush()` at the high-water mark); the clock starts at the
 *   first handshake, so connecting is not measured.
 * - `pull` receives `--count` messages; the clock runs from the first to the last, as
 *   libzmq's `local_thr` measures.
 * - `req` sends `--count` requests one after another and times each round trip: latency
 *   percentiles and the round-trip rate.
 * - `rep` answers `--count` requests with the request itself (the echo `req` expects).
 *
 * A live progress line is drawn on stderr only when stderr is a terminal; the summary goes
 * to stdout, as text or `--json`. MB is 10^6 bytes; for req and rep, MB/s counts the
 * requests' payload (the replies carry as much again).
 */
import type { Socket } from '@monocoque/core';
import { ENDPOINT_OPTIONS, type Options, flag, int, noPositionals, parse } from '../args.js';
import { EXIT_OK, RuntimeError, UsageError } from '../errors.js';
import type { Output } from '../output.js';
import { Session } from '../session.js';
import { createSocket, openEndpoints, reportHandshakeErrors, securityOptions } from '../sockets.js';
import { socketFailure } from './socket.js';

/** The options of `bench`. */
export const BENCH_OPTIONS = {
  ...ENDPOINT_OPTIONS,
  count: { type: 'string', short: 'n' },
  size: { type: 'string', short: 's' },
  timeout: { type: 'string', short: 't' },
  json: { type: 'boolean' },
} as const satisfies Options;

const MODES = ['push', 'pull', 'req', 'rep'] as const;
type Mode = (typeof MODES)[number];

/** The summary of one run. */
export interface BenchSummary {
  mode: Mode;
  messages: number;
  /** Bytes per message (pull: the average of what arrived). */
  size: number;
  seconds: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  /** req only: round-trip times in microseconds. */
  latencyMicros?: { min: number; mean: number; p50: number; p90: number; p99: number; max: number };
}

/** The value at quantile `q` of sorted `values` (nearest rank). */
export function percentile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

class Progress {
  private timer: NodeJS.Timeout | undefined;
  private readonly started = performance.now();
  constructor(
    private readonly output: Output,
    private readonly mode: Mode,
    private readonly total: number,
    private readonly done: () => number,
  ) {
    if (output.interactive) {
      this.timer = setInterval(() => this.draw(), 200);
      this.timer.unref();
    }
  }
  private draw(): void {
    const n = this.done();
    const seconds = (performance.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(n / seconds) : 0;
    const pct = ((100 * n) / this.total).toFixed(0);
    this.output.stderr.write(`\r\x1b[K${this.mode} ${n.toLocaleString('en-US')}/${this.total.toLocaleString('en-US')} (${pct} %) ${rate.toLocaleString('en-US')} msg/s`);
  }
  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.output.stderr.write('\r\x1b[K');
  }
}

function summarize(mode: Mode, messages: number, bytes: number, ms: number): BenchSummary {
  const seconds = ms / 1000;
  return {
    mode,
    messages,
    size: messages > 0 ? Math.round(bytes / messages) : 0,
    seconds: Number(seconds.toFixed(6)),
    messagesPerSecond: seconds > 0 ? Math.round(messages / seconds) : 0,
    megabytesPerSecond: seconds > 0 ? Number((bytes / 1e6 / seconds).toFixed(3)) : 0,
  };
}

/** The summary as text lines. */
export function summaryText(s: BenchSummary): string[] {
  const n = (x: number) => x.toLocaleString('en-US');
  const lines = [
    `${s.mode}: ${n(s.messages)} messages of ${n(s.size)} B in ${s.seconds.toFixed(3)} s`,
    `throughput: ${n(s.messagesPerSecond)} msg/s, ${s.megabytesPerSecond.toFixed(2)} MB/s`,
  ];
  const l = s.latencyMicros;
  if (l !== undefined) lines.push(`latency (µs): min ${l.min.toFixed(1)}, mean ${l.mean.toFixed(1)}, p50 ${l.p50.toFixed(1)}, p90 ${l.p90.toFixed(1)}, p99 ${l.p99.toFixed(1)}, max ${l.max.toFixed(1)}`);
  return lines;
}

/** Wait for the first completed handshake (or the session to stop). */
function firstHandshake(socket: Socket, session: Session): Promise<void> {
  return Promise.race([socket.events.once('handshake').then(() => {}), session.whenStopped()]);
}

/** Run `monocoque bench <mode> ...`. */
export async function benchCommand(args: string[], output: Output): Promise<number> {
  const parsed = parse(args, BENCH_OPTIONS);
  const [mode, ...rest] = parsed.positionals;
  if (mode === undefined) throw new UsageError('bench: which side? push, pull, req or rep');
  if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`bench: expected push, pull, req or rep; got ${JSON.stringify(mode)}`);
  noPositionals({ ...parsed, positionals: rest }, 'bench');
  const m = mode as Mode;
  const { values } = parsed;
  const count = int(values, 'count', m === 'req' || m === 'rep' ? 10_000 : 100_000, 1);
  const size = int(values, 'size', 100);
  const timeout = int(values, 'timeout', undefined, 1);
  if ((m === 'pull' || m === 'rep') && values.size !== undefined) throw new UsageError(`bench ${m}: --size is set by the sending side`);
  const options = await securityOptions(values, output);
  if (timeout !== undefined) Object.assign(options, { receiveTimeout: timeout, sendTimeout: timeout });
  const session = new Session();
  let ok = false;
  try {
    const socket = session.track(createSocket(m, options));
    reportHandshakeErrors(socket, output);
    const handshake = firstHandshake(socket, session);
    await openEndpoints(socket, parsed.endpoints, output);
    let summary: BenchSummary;
    try {
      summary = await run(m, socket, count, size, timeout, handshake, output, session);
    } catch (error) {
      if (session.stopped) return session.interrupted!;
      throw socketFailure(error, timeout, 'waiting for the peer');
    }
    if (session.stopped) return session.interrupted!;
    if (flag(values, 'json')) await output.line(JSON.stringify(summary));
    else for (const line of summaryText(summary)) await output.line(line);
    ok = true;
    return EXIT_OK;
  } finally {
    session.close(!ok);
  }
}

async function withinTimeout<T>(promise: Promise<T>, timeout: number | undefined, what: string): Promise<T> {
  if (timeout === undefined) return promise;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RuntimeError(`timed out after ${timeout} ms ${what}`)), timeout);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

async function run(mode: Mode, socket: Socket, count: number, size: number, timeout: number | undefined, handshake: Promise<void>, output: Output, session: Session): Promise<BenchSummary> {
  let done = 0;
  switch (mode) {
    case 'push': {
      await withinTimeout(handshake, timeout, 'waiting for a peer to connect');
      const payload = Buffer.alloc(size, 0x61);
      const progress = new Progress(output, mode, count, () => done);
      const t0 = performance.now();
      try {
        for (; done < count && !session.stopped; done++) {
          if (!socket.write(payload)) await socket.flush();
        }
        await socket.flush();
      } finally {
        progress.stop();
      }
      return summarize(mode, done, done * size, performance.now() - t0);
    }
    case 'pull': {
      let bytes = 0;
      const first = await socket.receive();
      const t0 = performance.now();
      done = 1;
      for (const f of first) bytes += f.length;
      const progress = new Progress(output, mode, count, () => done);
      try {
        while (done < count && !session.stopped) {
          const batch = await socket.receiveMany(count - done);
          for (const message of batch) for (const f of message) bytes += f.length;
          done += batch.length;
        }
      } finally {
        progress.stop();
      }
      const ms = performance.now() - t0;
      return summarize(mode, done, bytes, ms);
    }
    case 'req': {
      const payload = Buffer.alloc(size, 0x61);
      const rtts = new Float64Array(count);
      const progress = new Progress(output, mode, count, () => done);
      const t0 = performance.now();
      try {
        for (; done < count && !session.stopped; done++) {
          const start = performance.now();
          await socket.send(payload);
          await socket.receive();
          rtts[done] = (performance.now() - start) * 1000;
        }
      } finally {
        progress.stop();
      }
      const ms = performance.now() - t0;
      const summary = summarize(mode, done, done * size, ms);
      const sorted = rtts.subarray(0, done).sort();
      let total = 0;
      for (const v of sorted) total += v;
      const r = (x: number) => Number(x.toFixed(1));
      summary.latencyMicros = {
        min: r(sorted[0] ?? Number.NaN),
        mean: r(total / Math.max(1, done)),
        p50: r(percentile(sorted, 0.5)),
        p90: r(percentile(sorted, 0.9)),
        p99: r(percentile(sorted, 0.99)),
        max: r(sorted[done - 1] ?? Number.NaN),
      };
      return summary;
    }
    case 'rep': {
      let bytes = 0;
      const first = await socket.receive();
      const t0 = performance.now();
      const progress = new Progress(output, mode, count, () => done);
      try {
        let request = first;
        for (;;) {
          for (const f of request) bytes += f.length;
          await socket.send(request);
          if (++done >= count || session.stopped) break;
          request = await socket.receive();
        }
      } finally {
        progress.stop();
      }
      return summarize(mode, done, bytes, performance.now() - t0);
    }
  }
}
