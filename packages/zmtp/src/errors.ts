/**
 * Errors with stable codes. Every error Monocoque raises or reports is a `ZmqError`
 * whose `code` is one of {@link ErrorCode} (libzmq's errno names where one exists),
 * whose message says what was expected and what arrived, and whose `cause` keeps the
 * underlying error when there is one.
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
  /** A connection attempt, handshake or heartbeat timed out. */
  | 'ETIMEDOUT'
  /** A pending operation was cancelled because the socket closed. */
  | 'ECANCELED';

/** Options for {@link ZmqError}. */
export interface ZmqErrorOptions {
  /** The underlying error. */
  cause?: unknown;
  /** The endpoint or peer address the error concerns, when there is one. */
  address?: string;
}

/** An error with a stable {@link ErrorCode}. */
export class ZmqError extends Error {
  /** Stable, machine-readable error code. */
  readonly code: ErrorCode;
  /** The endpoint or peer address involved, if any. */
  readonly address: string | undefined;

  constructor(code: ErrorCode, message: string, options: ZmqErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ZmqError';
    this.code = code;
    this.address = options.address;
  }
}

/** Narrow an unknown value to a {@link ZmqError}. */
export function isZmqError(value: unknown): value is ZmqError {
  return value instanceof ZmqError;
}
