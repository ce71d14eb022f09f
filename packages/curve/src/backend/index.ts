/**
 * Which box backend runs CURVE's cryptography, chosen once, like the io_uring transport:
 * `sodium-native` when it loads (libsodium, native), otherwise `@noble/*` (pure
 * JavaScript). `MONOCOQUE_CURVE_BACKEND=noble|sodium` forces one; forcing `sodium` where
 * it cannot load is an error, not a silent fallback. With `NODE_DEBUG=monocoque` (or
 * `MONOCOQUE_DEBUG`) one line on stderr says which backend was chosen and why.
 */
import { debuglog } from 'node:util';
import { ZmqError } from '@monocoque/zmtp';
import { nobleBackend } from './noble.js';
import { loadSodiumBackend } from './sodium.js';
import type { BoxBackend, BoxBackendName } from './types.js';

/** The active backend and why it was chosen. */
export interface CurveBackendInfo {
  /** `sodium` (libsodium through sodium-native) or `noble` (pure JavaScript). */
  readonly name: BoxBackendName;
  /** Why this one: forced by the environment, picked explicitly, or sodium-native's load outcome. */
  readonly reason: string;
}

let active: { backend: BoxBackend; reason: string } | undefined;

const log = debuglog('monocoque');

/**
 * One line in Monocoque's debug log, in core's form (`MONOCOQUE <pid>: …`). Written here
 * rather than imported from core so that `@monocoque/curve` alone (key generation, Z85)
 * does not load the socket engine.
 */
function debug(line: string): void {
  if (log.enabled) log('%s', line);
  else if (process.env.MONOCOQUE_DEBUG || /\bmonocoque\b/i.test(process.env.NODE_DEBUG ?? '')) process.stderr.write(`MONOCOQUE ${process.pid}: ${line}\n`);
}


function sodiumOrThrow(why: string): BoxBackend {
  const sodium = loadSodiumBackend();
  if (!sodium.ok) throw new ZmqError('ENOTSUP', `CURVE backend "sodium" ${why}, but it is unavailable: ${sodium.reason}`);
  return sodium.backend;
}

function choose(): { backend: BoxBackend; reason: string } {
  const forced = process.env.MONOCOQUE_CURVE_BACKEND;
  if (forced !== undefined && forced !== '') {
    if (forced === 'noble') return { backend: nobleBackend, reason: 'forced by MONOCOQUE_CURVE_BACKEND=noble' };
    if (forced === 'sodium') return { backend: sodiumOrThrow('was forced by MONOCOQUE_CURVE_BACKEND'), reason: 'forced by MONOCOQUE_CURVE_BACKEND=sodium' };
    throw new ZmqError('EINVAL', `MONOCOQUE_CURVE_BACKEND: expected "noble" or "sodium", got ${JSON.stringify(forced)}`);
  }
  const sodium = loadSodiumBackend();
  if (sodium.ok) return { backend: sodium.backend, reason: 'sodium-native loaded' };
  return { backend: nobleBackend, reason: `${sodium.reason}; using @noble (pure JavaScript)` };
}

/**
 * The box backend in use, chosen on first call.
 * @throws {ZmqError} `ENOTSUP` when `MONOCOQUE_CURVE_BACKEND=sodium` and sodium-native
 *   cannot load; `EINVAL` for another value of that variable.
 */
export function boxBackend(): BoxBackend {
  if (active === undefined) {
    active = choose();
    debug(`CURVE box backend ${active.backend.name} (${active.reason})`);
  }
  return active.backend;
}

/** Which backend CURVE uses and why (chooses it if nothing has yet). */
export function curveBackend(): CurveBackendInfo {
  const backend = boxBackend();
  return { name: backend.name, reason: active!.reason };
}

/**
 * Pick the backend explicitly; connections whose handshake starts afterwards use it.
 * @throws {ZmqError} `ENOTSUP` for `sodium` when sodium-native cannot load; `EINVAL` for
 *   an unknown name.
 */
export function setCurveBackend(name: BoxBackendName): CurveBackendInfo {
  if (name === 'noble') active = { backend: nobleBackend, reason: 'picked with setCurveBackend("noble")' };
  else if (name === 'sodium') active = { backend: sodiumOrThrow('was picked with setCurveBackend'), reason: 'picked with setCurveBackend("sodium")' };
  else throw new ZmqError('EINVAL', `setCurveBackend: expected "noble" or "sodium", got ${JSON.stringify(name)}`);
  debug(`CURVE box backend ${name} (${active.reason})`);
  return { name, reason: active.reason };
}

/**
 * A backend by name (for benchmarks and cross-checks), or the active one without a name.
 * @throws {ZmqError} `ENOTSUP` for `sodium` when sodium-native cannot load.
 */
export function getBoxBackend(name?: BoxBackendName): BoxBackend {
  if (name === undefined) return boxBackend();
  if (name === 'noble') return nobleBackend;
  if (name === 'sodium') return sodiumOrThrow('was asked for');
  throw new ZmqError('EINVAL', `getBoxBackend: expected "noble" or "sodium", got ${JSON.stringify(name)}`);
}

/** Whether sodium-native loads here, and if not, why. */
export function sodiumAvailability(): { readonly available: boolean; readonly reason?: string } {
  const r = loadSodiumBackend();
  return r.ok ? { available: true } : { available: false, reason: r.reason };
}

export type { BoxBackend, BoxBackendName } from './types.js';
export { nobleBackend } from './noble.js';
export { loadSodiumBackend } from './sodium.js';
