/**
 * The io_uring {@link Transport}: the JS half of the addon. One {@link Ring} per thread
 * receives a loop turn's completions in calls of at most 128 KiB of received bytes
 * (`onEvents`; microtasks run between calls), reading event records from a shared
 * Int32Array. Received bytes stay where the kernel put them, in the
 * provided buffers of a region this module allocates: each stream gets a view of its
 * bytes as a *transient* chunk (`onData(chunk, true)`), which the engine decodes during
 * the call without keeping a view; the addon reuses the buffers once the call returns.
 * Chunks that must wait (a paused or not yet started stream) are copied first.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { constants as osConstants } from 'node:os';
import type { Listener, Stream, StreamEndpoint, StreamHandlers, Transport, TransportConnectOptions } from '@monocoque/core';
import { ZmqError, type ErrorCode } from '@monocoque/zmtp';
import type { NativeBinding } from './native.js';

// Event types written by the addon (keep in sync with `enum Ev` in uring.cc).
const EV_DATA = 1;
const EV_CLOSE = 2;
const EV_DRAIN = 3;
const EV_CONNECT = 4;
const EV_ACCEPT = 5;
const EV_ACCEPT_ERROR = 6;
const EV_LISTENER_CLOSED = 7;

/** Event records per JS call (each record is EVENT_INTS int32s). */
const MAX_EVENTS = 4096;
/**
 * Most bytes handed to `onData` at once (node:net reads 64 KiB). The addon merges adjacent
 * receive buffers into one record of up to the whole region; in one call the decoder would
 * queue every message in it, however far past the receive high-water mark. In slices, a
 * pause (the HWM reached) takes effect within one slice: the rest waits as bytes in `pending`.
 */
const DELIVER_BYTES = 64 * 1024;
/** Delay before re-arming accept after EMFILE/ENFILE/ENOMEM. */
const ACCEPT_RETRY_MS = 100;

const errnoNames = new Map<number, string>(Object.entries(osConstants.errno).map(([name, value]) => [value, name]));

/** `ECONNRESET` for 104, etc. */
export function errnoName(errno: number): string {
  return errnoNames.get(errno) ?? `E${errno}`;
}

/** A Node-style system error (`code`, negative `errno`, `syscall`). */
function systemError(errno: number, syscall: string, address: string): NodeJS.ErrnoException {
  const code = errnoName(errno);
  const error: NodeJS.ErrnoException = new Error(`${syscall} ${code} ${address}`);
  error.code = code;
  error.errno = -errno;
  error.syscall = syscall;
  return error;
}

/** Same mapping as the node:net transport, so the engine sees identical codes. */
function toZmqError(error: unknown, what: string, address: string): ZmqError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known: ErrorCode =
    code === 'EADDRINUSE' || code === 'ECONNREFUSED' ? code : code === 'ENOENT' ? 'ECONNREFUSED' : 'EINVAL';
  return new ZmqError(known, `${what} ${address} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error, address });
}

function ipcAddress(path: string): string {
  return path.startsWith('\0') ? `ipc://@${path.slice(1)}` : `ipc://${path}`;
}

function tcpAddress(host: string, port: number): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Resolve a host to an IP literal and its family. `'*'` means all IPv4 interfaces. */
async function resolveHost(host: string): Promise<{ address: string; family: 4 | 6 }> {
  if (host === '*') return { address: '0.0.0.0', family: 4 };
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const kind = isIP(literal.split('%')[0] ?? literal);
  if (kind === 4 || kind === 6) return { address: literal, family: kind };
  const found = await lookup(literal);
  return { address: found.address, family: found.family === 6 ? 6 : 4 };
}

/** One accepted or connected stream. */
class UringStream implements Stream {
  readonly remoteAddress: string;
  private handlers: StreamHandlers | undefined;
  private paused = false;
  /**
   * The native recv is paused. It stays paused after {@link resume} until `pending` has
   * been delivered: re-arming it while a backlog is still queued here would let every
   * pause/resume cycle add another loop turn's worth of received bytes to `pending`, a
   * second queue the receive high-water mark does not see.
   */
  private nativePaused = false;
  /** The native socket is gone (EV_CLOSE seen). */
  private closed = false;
  private destroyed = false;
  /** end() was called: later writes are accepted and dropped. */
  private ended = false;
  /** onClose has been called. */
  private reported = false;
  /** Chunks received while paused or before start() (copies: see {@link deliver}). */
  private pending: Buffer[] = [];
  /** A close waiting to be reported: after buffered data is consumed, or after start(). */
  private closeWait: { error: Error | undefined } | undefined;
  private flushScheduled = false;

  constructor(
    private readonly ring: Ring,
    readonly id: number,
    remoteAddress: string,
  ) {
    this.remoteAddress = remoteAddress;
  }

  start(handlers: StreamHandlers): void {
    if (this.handlers !== undefined) throw new Error('Stream.start called twice');
    this.handlers = handlers;
    if (!this.closed && !this.destroyed) this.ring.native.start(this.id);
    if (this.pending.length > 0 || this.closeWait !== undefined) this.scheduleFlush();
  }

  write(chunks: readonly Buffer[]): boolean {
    if (this.closed || this.destroyed || this.ended) return true;
    return this.ring.native.write(this.id, chunks);
  }

  pause(): void {
    if (this.paused) return;
    this.paused = true;
    if (!this.nativePaused && !this.closed && !this.destroyed) {
      this.nativePaused = true;
      this.ring.native.pause(this.id);
    }
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    // With a backlog, the native recv resumes once flush() has delivered all of it.
    if (this.pending.length > 0 || this.closeWait !== undefined) this.scheduleFlush();
    else this.resumeNative();
  }

  private resumeNative(): void {
    if (!this.nativePaused) return;
    this.nativePaused = false;
    if (!this.closed && !this.destroyed) this.ring.native.resume(this.id);
  }

  end(): void {
    if (this.closed || this.destroyed || this.ended) return;
    this.ended = true;
    this.ring.native.end(this.id);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.pending = [];
    if (this.closed) {
      // The native side is already gone; only the report was waiting for buffered data.
      if (this.closeWait !== undefined) this.scheduleFlush();
      return;
    }
    this.ring.native.destroy(this.id);
  }

  /** @internal Bytes from the addon, in order; `chunk` is a view of a provided buffer. */
  deliver(chunk: Buffer): void {
    if (this.destroyed) return;
    const h = this.handlers;
    if (h === undefined || this.paused || this.pending.length > 0) {
      // The buffer goes back to the kernel when this call returns: keep a copy.
      this.pending.push(Buffer.from(chunk));
      return;
    }
    if (chunk.length <= DELIVER_BYTES) {
      h.onData(chunk, true);
      return;
    }
    for (let off = 0; off < chunk.length; off += DELIVER_BYTES) {
      if (this.destroyed) return;
      if (this.paused) {
        this.pending.push(Buffer.from(chunk.subarray(off)));
        return;
      }
      h.onData(chunk.subarray(off, off + DELIVER_BYTES), true);
    }
  }

  /** @internal The write backlog drained. */
  drained(): void {
    if (!this.closed && !this.destroyed) this.handlers?.onDrain();
  }

  /** @internal The native socket is closed (fd released); `errno` 0 = clean close. */
  nativeClosed(errno: number): void {
    this.closed = true;
    this.ring.streams.delete(this.id);
    const error = errno === 0 ? undefined : closeError(errno, this.remoteAddress);
    if (error !== undefined || this.destroyed) this.pending = [];
    this.closeWait = { error };
    this.flush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Deliver buffered data if allowed, then a waiting close once nothing is left. */
  private flush(): void {
    const h = this.handlers;
    if (h === undefined) return;
    while (this.pending.length > 0 && !this.paused && !this.destroyed) {
      const chunk = this.pending[0]!;
      if (chunk.length <= DELIVER_BYTES) {
        this.pending.shift();
        h.onData(chunk);
      } else {
        // In slices, as in deliver(): a pause stops the backlog within one slice.
        this.pending[0] = chunk.subarray(DELIVER_BYTES);
        h.onData(chunk.subarray(0, DELIVER_BYTES));
      }
    }
    if (this.destroyed) this.pending = [];
    else if (this.pending.length === 0 && !this.paused) this.resumeNative();
    if (this.pending.length > 0 || this.closeWait === undefined || this.reported) return;
    const { error } = this.closeWait;
    this.closeWait = undefined;
    this.reported = true;
    h.onClose(error);
  }
}

function closeError(errno: number, remote: string): Error {
  const e = systemError(errno, 'read', remote);
  e.message = `connection to ${remote} closed with an error: ${errnoName(errno)}`;
  return e;
}

interface PendingConnect {
  resolve(stream: Stream): void;
  reject(error: Error): void;
  remote: string;
}

interface ListenerState {
  onStream(stream: Stream): void;
  onAcceptError: ((error: Error) => void) | undefined;
  ipcPath: string | undefined;
  closed: (() => void) | undefined;
  retry: NodeJS.Timeout | undefined;
}

/** The per-thread dispatcher around the native ring. */
class Ring {
  readonly streams = new Map<number, UringStream>();
  readonly listeners = new Map<number, ListenerState>();
  readonly connects = new Map<number, PendingConnect>();
  readonly mode: 'coop' | 'defer';
  private readonly events: Int32Array;
  /** The provided receive buffers (the addon registers this memory with the kernel). */
  private readonly region: ArrayBuffer;
  private readonly stride: number;

  constructor(readonly native: NativeBinding) {
    this.stride = native.EVENT_INTS;
    const events = new ArrayBuffer(MAX_EVENTS * this.stride * 4);
    const region = new ArrayBuffer(native.RECV_BUFFER_COUNT * native.RECV_BUFFER_SIZE);
    this.events = new Int32Array(events);
    this.region = region;
    const wanted = process.env.MONOCOQUE_URING_MODE;
    const mode = wanted === 'defer' ? 1 : wanted === 'coop' ? 0 : DEFAULT_MODE;
    let used: 'coop' | 'defer';
    try {
      used = native.init(this.onEvents, events, region, mode);
    } catch (error) {
      if (mode !== 1) throw error;
      // DEFER_TASKRUN needs Linux 6.1; fall back to cooperative task running.
      used = native.init(this.onEvents, events, region, 0);
    }
    this.mode = used;
  }

  /** A loop turn's completions, up to the addon's CALL_BYTES of received bytes per call. */
  private readonly onEvents = (count: number): void => {
    const ev = this.events;
    const stride = this.stride;
    for (let i = 0; i < count; i++) {
      const o = i * stride;
      const type = ev[o]!;
      const id = ev[o + 1]!;
      const a = ev[o + 2]!;
      switch (type) {
        case EV_DATA: {
          const s = this.streams.get(id);
          if (s !== undefined) s.deliver(Buffer.from(this.region, a, ev[o + 3]!));
          break;
        }
        case EV_DRAIN:
          this.streams.get(id)?.drained();
          break;
        case EV_CLOSE:
          this.streams.get(id)?.nativeClosed(a);
          break;
        case EV_CONNECT:
          this.onConnect(id, a);
          break;
        case EV_ACCEPT:
          this.onAccept(id, a);
          break;
        case EV_ACCEPT_ERROR:
          this.onAcceptError(id);
          break;
        case EV_LISTENER_CLOSED: {
          const l = this.listeners.get(id);
          this.listeners.delete(id);
          if (l?.retry !== undefined) clearTimeout(l.retry);
          l?.closed?.();
          break;
        }
        default:
          break;
      }
    }
  };

  private onConnect(id: number, errno: number): void {
    const p = this.connects.get(id);
    if (p === undefined) return;
    this.connects.delete(id);
    if (errno !== 0) {
      p.reject(toZmqError(systemError(errno, 'connect', p.remote), 'connect', p.remote));
      return;
    }
    const stream = new UringStream(this, id, p.remote);
    this.streams.set(id, stream);
    p.resolve(stream);
  }

  private onAccept(listenerId: number, id: number): void {
    const l = this.listeners.get(listenerId);
    if (l === undefined) {
      this.native.destroy(id);
      return;
    }
    const remote = l.ipcPath !== undefined ? ipcAddress(l.ipcPath) : (this.native.peer(id) ?? 'tcp://unknown:0');
    const stream = new UringStream(this, id, remote);
    this.streams.set(id, stream);
    l.onStream(stream);
  }

  private onAcceptError(listenerId: number): void {
    const l = this.listeners.get(listenerId);
    if (l === undefined || l.retry !== undefined) return;
    l.onAcceptError?.(new Error('accept failed (out of file descriptors or memory); retrying'));
    l.retry = setTimeout(() => {
      l.retry = undefined;
      if (this.listeners.has(listenerId)) this.native.rearmAccept(listenerId);
    }, ACCEPT_RETRY_MS);
    l.retry.unref();
  }
}

/**
 * Default completion-notification mode: 1 = DEFER_TASKRUN + eventfd. Chosen by
 * measurement (README "Measurements"): same throughput and latency as coop within noise,
 * and no stalls in the e2e suite, where coop mode lost wake-ups. `MONOCOQUE_URING_MODE=coop|defer`
 * overrides it.
 */
const DEFAULT_MODE: 0 | 1 = 1;

const RING_KEY = Symbol.for('monocoque.uring.ring');

/** Build the {@link Transport} object over a thread's ring. */
export function createTransport(native: NativeBinding): Transport {
  // One dispatcher per thread even when this module is instantiated twice (ESM + CJS
  // builds, or the bundled register entry): the native ring is per environment, and
  // globalThis is too.
  const holder = globalThis as { [RING_KEY]?: Ring };
  const getRing = (): Ring => (holder[RING_KEY] ??= new Ring(native));

  return {
    name: 'uring',

    async listen(endpoint: StreamEndpoint, onStream: (stream: Stream) => void, onAcceptError?: (error: Error) => void): Promise<Listener> {
      const r = getRing();
      let id: number;
      let resolved: string;
      let ipcPath: string | undefined;
      if (endpoint.protocol === 'tcp') {
        const display = `tcp://${endpoint.host}:${endpoint.port || '*'}`;
        let port: number;
        try {
          const { address, family } = await resolveHost(endpoint.host);
          [id, port] = r.native.listen(family, address, endpoint.port);
          resolved = tcpAddress(address, port);
        } catch (e) {
          throw toZmqError(e, 'bind', display);
        }
      } else {
        ipcPath = endpoint.path;
        resolved = ipcAddress(ipcPath);
        try {
          [id] = r.native.listen(0, Buffer.from(ipcPath), 0);
        } catch (e) {
          throw toZmqError(e, 'bind', resolved);
        }
      }
      const state: ListenerState = { onStream, onAcceptError, ipcPath, closed: undefined, retry: undefined };
      r.listeners.set(id, state);
      let closing: Promise<void> | undefined;
      return {
        endpoint: resolved,
        close(): Promise<void> {
          closing ??= new Promise<void>((resolve) => {
            state.closed = resolve;
            if (!r.native.closeListener(id)) {
              r.listeners.delete(id);
              resolve();
            }
          });
          return closing;
        },
      };
    },

    async connect(endpoint: StreamEndpoint, options?: TransportConnectOptions): Promise<Stream> {
      const r = getRing();
      const signal = options?.signal;
      let remote: string;
      let id: number;
      if (endpoint.protocol === 'tcp') {
        remote = tcpAddress(endpoint.host, endpoint.port);
        try {
          const { address, family } = await resolveHost(endpoint.host);
          id = r.native.connect(family, address, endpoint.port);
        } catch (e) {
          throw toZmqError(e, 'connect', remote);
        }
      } else {
        remote = ipcAddress(endpoint.path);
        try {
          id = r.native.connect(0, Buffer.from(endpoint.path), 0);
        } catch (e) {
          throw toZmqError(e, 'connect', remote);
        }
      }
      return new Promise<Stream>((resolve, reject) => {
        const abandon = () => {
          if (!r.connects.delete(id)) return;
          r.native.destroy(id);
          reject(new ZmqError('ECANCELED', `connect ${remote} abandoned`, { address: remote, cause: signal?.reason }));
        };
        const settle = <T>(f: (v: T) => void) => (v: T) => {
          signal?.removeEventListener('abort', abandon);
          f(v);
        };
        r.connects.set(id, { resolve: settle(resolve), reject: settle(reject), remote });
        if (signal?.aborted) abandon();
        else signal?.addEventListener('abort', abandon, { once: true });
      });
    },
  };
}
