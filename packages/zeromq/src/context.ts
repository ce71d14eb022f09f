/**
 * zeromq.js's `Context`. libzmq's context owns I/O threads and socket limits; Monocoque
 * has no I/O threads (every socket runs on the Node.js event loop), so a context here is
 * the set of defaults and limits its sockets inherit:
 *
 * - `ipv6`: the `ipv6` default of new sockets (`ZMQ_IPV6` on the context).
 * - `blocky`: when false, new sockets get `linger` 0 (`ZMQ_BLOCKY`).
 * - `maxSockets`: creating more open sockets than this fails with `EMFILE`.
 * - `maxMessageSize`: the `maxMessageSize` default of new sockets (`ZMQ_MAX_MSGSZ`), unless
 *   it is the default (2^31 - 1, no limit).
 * - `ioThreads`: accepted (≥ 0) for compatibility and has no effect; there is no I/O thread pool.
 * - `threadPriority`, `threadSchedulingPolicy`: not supported (ENOTSUP), no threads to tune.
 *
 * Like zeromq.js's, a context is not extensible and its constructor refuses unknown options.
 */
import { ZmqError } from '@monocoque/core';
import { zeromqError } from './errors.js';

/** Options of {@link Context} (zeromq.js names). */
export interface ContextOptions {
  /** When false, new sockets get `linger` 0 (`ZMQ_BLOCKY`). Default true. */
  blocky?: boolean;
  /** Accepted for compatibility; Monocoque has no I/O threads (`ZMQ_IO_THREADS`). Default 1. */
  ioThreads?: number;
  /** Default `maxMessageSize` of new sockets (`ZMQ_MAX_MSGSZ`). Default 2^31 - 1 (no limit). */
  maxMessageSize?: number;
  /** Most sockets open at once in this context (`ZMQ_MAX_SOCKETS`). Default 1023. */
  maxSockets?: number;
  /** Default `ipv6` of new sockets (`ZMQ_IPV6`). Default false. */
  ipv6?: boolean;
  /** Not supported (ENOTSUP): there is no thread pool (`ZMQ_THREAD_PRIORITY`). */
  threadPriority?: number;
  /** Not supported (ENOTSUP): there is no thread pool (`ZMQ_THREAD_SCHED_POLICY`). */
  threadSchedulingPolicy?: number;
}

const MAX_SOCKETS_LIMIT = 65_535;
const NO_LIMIT = 2_147_483_647;

const KNOWN = new Set(['blocky', 'ioThreads', 'maxMessageSize', 'maxSockets', 'ipv6', 'threadPriority', 'threadSchedulingPolicy']);

function int(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number') throw new TypeError('Option value must be a number');
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ZmqError('EINVAL', `context option ${name}: expected an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function bool(value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError('Option value must be a boolean');
  return value;
}

/** A ZeroMQ context: defaults and limits shared by the sockets created with it. */
export class Context {
  #blocky = true;
  #ioThreads = 1;
  #maxMessageSize = NO_LIMIT;
  #maxSockets = 1023;
  #ipv6 = false;
  #open = 0;

  /** @param options initial values; unknown names throw a `TypeError`, as zeromq.js. */
  constructor(options: ContextOptions = {}) {
    for (const [name, value] of Object.entries(options)) {
      if (!KNOWN.has(name)) throw new TypeError(`Cannot add property ${name}, object is not extensible`);
      (this as unknown as Record<string, unknown>)[name] = value;
    }
    Object.preventExtensions(this);
  }

  /** When false, new sockets get `linger` 0 (`ZMQ_BLOCKY`). */
  get blocky(): boolean {
    return this.#blocky;
  }
  set blocky(value: boolean) {
    this.#blocky = bool(value);
  }

  /** Accepted for compatibility (`ZMQ_IO_THREADS`); there is no I/O thread pool. */
  get ioThreads(): number {
    return this.#ioThreads;
  }
  set ioThreads(value: number) {
    this.#ioThreads = int('ioThreads', value, 0, 1024);
  }

  /** Default `maxMessageSize` of new sockets (`ZMQ_MAX_MSGSZ`); 2^31 - 1 means no limit. */
  get maxMessageSize(): number {
    return this.#maxMessageSize;
  }
  set maxMessageSize(value: number) {
    this.#maxMessageSize = int('maxMessageSize', value, 0, NO_LIMIT);
  }

  /** Most sockets open at once (`ZMQ_MAX_SOCKETS`); one more fails with `EMFILE`. */
  get maxSockets(): number {
    return this.#maxSockets;
  }
  set maxSockets(value: number) {
    this.#maxSockets = int('maxSockets', value, 1, MAX_SOCKETS_LIMIT);
  }

  /** The largest value `maxSockets` accepts (`ZMQ_SOCKET_LIMIT`). */
  get maxSocketsLimit(): number {
    return MAX_SOCKETS_LIMIT;
  }

  /** Default `ipv6` of new sockets (`ZMQ_IPV6`). */
  get ipv6(): boolean {
    return this.#ipv6;
  }
  set ipv6(value: boolean) {
    this.#ipv6 = bool(value);
  }

  /** Not supported: there is no I/O thread pool to prioritise (write-only in zeromq.js). */
  set threadPriority(_value: number) {
    throw new ZmqError('ENOTSUP', 'context option threadPriority is not supported: Monocoque has no I/O threads (sockets run on the Node.js event loop)');
  }

  /** Not supported: there is no I/O thread pool to schedule (write-only in zeromq.js). */
  set threadSchedulingPolicy(_value: number) {
    throw new ZmqError('ENOTSUP', 'context option threadSchedulingPolicy is not supported: Monocoque has no I/O threads (sockets run on the Node.js event loop)');
  }

  /** @internal A socket opens in this context: EMFILE beyond `maxSockets`. */
  opened(): void {
    if (this.#open >= this.#maxSockets) throw zeromqError('EMFILE');
    this.#open++;
  }

  /** @internal A socket of this context closed. */
  closedOne(): void {
    if (this.#open > 0) this.#open--;
  }
}

const DEFAULT = Symbol.for('monocoque.zeromq.context');

/**
 * The default context, used by sockets created without a `context` option. One per
 * process, shared by every loaded copy of this package (ESM and CJS alike).
 */
export const context: Context = ((globalThis as { [DEFAULT]?: Context })[DEFAULT] ??= new Context());
