/**
 * `@monocoque/uring`: an io_uring transport for Monocoque (Linux only).
 *
 * Nothing native is loaded when this module is imported. {@link loadUring} (or
 * {@link uringTransport} / {@link isUringAvailable}) loads and probes the addon the first
 * time it is called on a thread and caches the outcome. To make the engine use it, import
 * `@monocoque/uring/register` and set `MONOCOQUE_TRANSPORT=uring`.
 */
import type { Transport } from '@monocoque/core';
import { ZmqError } from '@monocoque/zmtp';
import { loadNative } from './native.js';
import { createTransport } from './transport.js';

/** Outcome of {@link loadUring}. */
export type UringLoadResult =
  | { readonly ok: true; readonly transport: Transport }
  | { readonly ok: false; readonly reason: string };

let result: UringLoadResult | undefined;

/**
 * Load the native addon and check that io_uring works here (kernel, liburing, seccomp,
 * `io_uring_disabled`). Never throws. The result is cached per thread; the ring itself
 * is created on the transport's first `listen` or `connect`.
 */
export function loadUring(): UringLoadResult {
  if (result !== undefined) return result;
  const native = loadNative();
  result = native.ok ? { ok: true, transport: createTransport(native.binding) } : { ok: false, reason: native.reason };
  return result;
}

/** Whether the io_uring transport can be used on this thread (loads the addon if needed). */
export function isUringAvailable(): boolean {
  return loadUring().ok;
}

/**
 * The io_uring transport (core's `Transport` interface).
 * @throws {ZmqError} with code `ENOTSUP` (and the reason in the message) when the addon
 *   is not built or io_uring is unavailable.
 */
export function uringTransport(): Transport {
  const r = loadUring();
  if (!r.ok) throw new ZmqError('ENOTSUP', `io_uring transport unavailable: ${r.reason}`);
  return r.transport;
}

/** Why the transport is unavailable, or `undefined` when it is available. */
export function uringUnavailableReason(): string | undefined {
  const r = loadUring();
  return r.ok ? undefined : r.reason;
}
