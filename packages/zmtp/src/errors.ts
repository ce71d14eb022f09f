/**
 * Errors with stable codes. Every error Monocoque raises or reports is a `ZmqError`
 * whose `code` is one of {@link ErrorCode} (libzmq's errno names where one exists),
 * whose `errno` is the number libzmq reports for that code on Linux, whose message says
 * what was expected and what arrived, and whose `cause` keeps the underlying error when
 * there is one.
 *
 * Errors are recognised by a brand (a `Symbol.for` key), not by class identity, so
 * {@link isZmqError} and `instanceof ZmqError` also hold for errors created by another
 * copy of this package (its ESM and CJS builds both loaded, or two versions installed).
 */

/** Stable error codes, named after libzmq's errno values where one fits. */
export type ErrorCode =
  /** The operation would block (a timeout elapsed, or no peer can take the message). */
  | 'EAGAIN'
  /** ROUTER with `mandatory`: no peer has that routing id. */
  | 'EHOSTUNREACH'
  /** The peer broke the ZMTP protocol (bad greeting, malformed frame or command). */
  | 'EPROTO'
  /** A frame is larger than `maxMessageSize`. */
  | 'EMSGSIZE'
  /** The operation is not valid in the socket's current state (e.g. REQ sending twice). */
  | 'EFSM'
  /** The operation or option is not supported by this socket type. */
  | 'ENOTSUP'
  /** The peer's socket type or security mechanism cannot talk to ours. */
  | 'ENOCOMPATPROTO'
  /** An argument is invalid (bad endpoint, bad option value, bad message). */
  | 'EINVAL'
  /** The socket is closed. */
  | 'EBADF'
  /** The endpoint is not bound or connected on this socket. */
  | 'ENOENT'
  /** The address is in use. */
  | 'EADDRINUSE'
  /** Nothing is listening at the address. */
  | 'ECONNREFUSED'
  /** The protocol (endpoint scheme) is not supported. */
  | 'EPROTONOSUPPORT'
  /** Authentication failed (PLAIN/CURVE credentials refused, ZAP denied). */
  | 'EACCES'
  /** A server needs a ZAP handler and none is installed (PLAIN, or `zapEnforceDomain`); libzmq reports `EFAULT` too. */
  | 'EFAULT'
  /** A connection attempt, handshake or heartbeat timed out. */
  | 'ETIMEDOUT'
  /** A pending operation was cancelled because the socket closed. */
  | 'ECANCELED'
  /** The context or socket was terminated while the operation was pending. */
  | 'ETERM'
  /** Another operation of the same kind is already in progress. */
  | 'EBUSY'
  /** The peer reset the connection. */
  | 'ECONNRESET'
  /** A raw (STREAM) peer closed its connection (libzmq reports `EPIPE`). */
  | 'EPIPE'
  /** The connection was aborted locally (e.g. by the transport) before it completed. */
  | 'ECONNABORTED'
  /** Too many sockets: a context's `maxSockets` is reached (libzmq's `zmq_socket` reports EMFILE). */
  | 'EMFILE';

/** libzmq's base for its own error numbers (`ZMQ_HAUSNUMERO` in zmq.h). */
const ZMQ_HAUSNUMERO = 156_384_712;

/**
 * The errno libzmq reports for each {@link ErrorCode} on Linux: the system's value
 * (`<errno.h>`) for POSIX codes, `ZMQ_HAUSNUMERO + n` for libzmq's own (`EFSM`,
 * `ENOCOMPATPROTO`, `ETERM`). Frozen; the values never change.
 */
export const ERRNO: Readonly<Record<ErrorCode, number>> = Object.freeze({
  ENOENT: 2,
  EBADF: 9,
  EAGAIN: 11,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EINVAL: 22,
  EMFILE: 24,
  EPIPE: 32,
  EPROTO: 71,
  EMSGSIZE: 90,
  EPROTONOSUPPORT: 93,
  ENOTSUP: 95,
  EADDRINUSE: 98,
  ECONNABORTED: 103,
  ECONNRESET: 104,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  ECANCELED: 125,
  EFSM: ZMQ_HAUSNUMERO + 51,
  ENOCOMPATPROTO: ZMQ_HAUSNUMERO + 52,
  ETERM: ZMQ_HAUSNUMERO + 53,
});

/** The errno of a known {@link ErrorCode}. */
export function errnoOf(code: ErrorCode): number;
/** The errno of `code`, or `undefined` when it is not an {@link ErrorCode}. */
export function errnoOf(code: string): number | undefined;
export function errnoOf(code: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(ERRNO, code) ? ERRNO[code as ErrorCode] : undefined;
}

/** Options for {@link ZmqError}. */
export interface ZmqErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The endpoint or peer address the error concerns, when there is one. */
  address?: string;
  /** For authentication errors: the ZAP status code (300 temporary, 400 denied, 500 internal). */
  status?: number;
}

/**
 * The brand every `ZmqError` carries, shared by all copies of this package through the
 * global symbol registry.
 */
const BRAND: unique symbol = Symbol.for('monocoque.ZmqError') as never;

/**
 * An error with a stable {@link ErrorCode}.
 *
 * `x instanceof ZmqError` is true for every branded error, including those made by
 * another copy of this package. A subclass keeps ordinary `instanceof` semantics
 * (prototype chain): `x instanceof MySubclass` is true only for instances of that very
 * class, and `isZmqError()` / `instanceof ZmqError` still hold for them.
 */
export class ZmqError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: ErrorCode;
  /** libzmq's errno for {@link code} on Linux (see {@link ERRNO}). */
  readonly errno: number;
  /** The endpoint or peer address involved, if any. */
  readonly address: string | undefined;
  /** ZAP status code (300/400/500) of an authentication error; present only when given. */
  declare readonly status?: number;

  constructor(code: ErrorCode, message: string, options: ZmqErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ZmqError';
    this.code = code;
    // A JavaScript caller may pass a code outside ErrorCode: it gets no errno (0).
    this.errno = errnoOf(code as string) ?? 0;
    this.address = options.address;
    if (options.status !== undefined) (this as { status?: number }).status = options.status;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false, writable: false, configurable: false });
  }

  /**
   * `instanceof ZmqError` checks the brand, so it works across copies of the package;
   * on a subclass it falls back to the ordinary prototype-chain check.
   */
  static override [Symbol.hasInstance]<T>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    if ((this as unknown) === ZmqError) return isZmqError(value);
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** Whether `value` is a {@link ZmqError} from any copy of this package (checks the brand). */
export function isZmqError(value: unknown): value is ZmqError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}
