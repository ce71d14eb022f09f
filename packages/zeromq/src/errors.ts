/**
 * zeromq.js-shaped errors. zeromq.js rejects with plain `Error`s whose `message` is
 * libzmq's `zmq_strerror` text (or one of zeromq.js's own, e.g. for EBUSY), with `code`,
 * `errno` and, for endpoint errors, `address`. Code written for it compares `code`, and
 * sometimes the message text; both are reproduced here. Monocoque's own, more specific
 * message is kept as the error's `cause`.
 */
import { type ErrorCode, ZmqError, isZmqError } from '@monocoque/core';

/** The message zeromq.js 6 (libzmq 4.3) gives for each code, as observed. */
const MESSAGES: Partial<Record<string, string>> = {
  EAGAIN: 'Operation was not possible or timed out',
  EBADF: 'Socket is closed',
  EBUSY: 'Socket is blocked by a bind or unbind operation',
  EINVAL: 'Invalid argument',
  ENOENT: 'No such endpoint',
  EHOSTUNREACH: 'Host unreachable',
  EPROTONOSUPPORT: 'Protocol not supported',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EFSM: 'Operation cannot be accomplished in current state',
  ENOTSUP: 'Operation not supported',
  ENOCOMPATPROTO: 'The protocol is not compatible with the socket type',
  ETERM: 'Context was terminated',
  EMFILE: 'Too many open files',
  EMSGSIZE: 'Message too long',
  ECONNREFUSED: 'Connection refused',
  EACCES: 'Permission denied',
  EFAULT: 'Bad address',
  EPROTO: 'Protocol error',
  ETIMEDOUT: 'Connection timed out',
};

/** zeromq.js's message for `code` (libzmq's `zmq_strerror`), or undefined for codes it never reports. */
export function zeromqMessage(code: string): string | undefined {
  return MESSAGES[code];
}

/**
 * The zeromq.js form of `error`: same class (`ZmqError`, an `Error`), code, errno,
 * address and status; message replaced by zeromq.js's text; the original kept as `cause`.
 * Errors that are not `ZmqError`s, or whose code has no zeromq.js text, pass unchanged.
 */
export function toZeromqError(error: unknown): unknown {
  if (!isZmqError(error)) return error;
  const message = MESSAGES[error.code];
  if (message === undefined || message === error.message) return error;
  return new ZmqError(error.code, message, {
    cause: error,
    ...(error.address === undefined ? {} : { address: error.address }),
    ...(error.status === undefined ? {} : { status: error.status }),
  });
}

/** A zeromq.js-style error with `code`. */
export function zeromqError(code: ErrorCode, address?: string): ZmqError {
  return new ZmqError(code, MESSAGES[code] ?? code, address === undefined ? {} : { address });
}
