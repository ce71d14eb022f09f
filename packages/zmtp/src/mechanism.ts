/**
 * The security-mechanism plug-in point (RFC 23 §"Authentication and Confidentiality").
 *
 * A `Mechanism` names itself in the greeting and, once both greetings are exchanged,
 * runs the handshake through command frames until it can report the peer's metadata.
 * NULL and PLAIN live here; CURVE plugs in from `@monocoque/curve` without touching the
 * codec. Callbacks (not return values) carry the outcome so a mechanism may wait for an
 * asynchronous verdict (a ZAP handler, RFC 27) before calling `ready`.
 *
 * A server mechanism asks ZAP through `callbacks.authenticate`; the session (not the
 * mechanism) knows the peer's address, the ZAP domain and our routing id, and the engine
 * above it owns the handler. How a verdict ends the handshake is shared by every
 * mechanism: see {@link zapRefusal}.
 */
import { type Metadata, encodeError } from './command.js';
import { ZmqError } from './errors.js';
import type { PeerGreeting } from './greeting.js';
import type { SocketType } from './socket-type.js';

/** What a handshake knows when it starts. */
export interface HandshakeContext {
  /** Our socket type. */
  readonly socketType: SocketType;
  /** Properties we announce (`Socket-Type`, `Identity`, ...), in order. */
  readonly metadata: ReadonlyArray<readonly [string, Uint8Array]>;
  /** The peer's validated greeting. */
  readonly peer: PeerGreeting;
  /** The peer's address as ZAP names it (`127.0.0.1`, `::1`; empty for IPC). */
  readonly peerAddress: string;
  /** The ZAP domain (`zapDomain`), empty when unset. */
  readonly zapDomain: string;
  /** Our routing id (`routingId`), empty when unset: ZAP's identity frame. */
  readonly routingId: Uint8Array;
}

/** ZAP status codes (RFC 27): success, temporary failure, denied, internal error. */
export type ZapStatus = 200 | 300 | 400 | 500;

/** A ZAP handler's answer about one peer (RFC 27 reply, decoded). */
export interface ZapVerdict {
  /** 200 lets the peer in; 300, 400 and 500 refuse it. */
  readonly status: ZapStatus;
  /** Human-readable status text. */
  readonly statusText: string;
  /** The user id the handler assigned to the peer (may be empty). */
  readonly userId: string;
  /** Metadata the handler attached to the peer (names lower-case). */
  readonly metadata: Metadata;
}

/** How a failed handshake ends, beyond its error. */
export interface HandshakeFailure {
  /**
   * A complete frame (an ERROR command) written before the connection closes. The
   * engine flushes it before closing rather than dropping it.
   */
  readonly farewell?: Buffer;
  /**
   * Keep the connection open but silent until the handshake deadline, as libzmq does
   * after a ZAP 300 (temporary failure): the error is reported at once, the peer learns
   * nothing.
   */
  readonly hold?: boolean;
}

/** What a successful handshake learned about the peer besides its metadata. */
export interface HandshakeIdentity {
  /** The ZAP user id (empty when no handler was asked). */
  readonly userId: string;
  /** Metadata from the ZAP reply. */
  readonly zapMetadata?: Metadata;
}

/** How a handshake reports back. */
export interface HandshakeCallbacks {
  /** Send one encoded frame (usually a command) to the peer. */
  send(frame: Buffer): void;
  /** The handshake succeeded; `metadata` is the peer's (lower-case names). */
  ready(metadata: Metadata, identity?: HandshakeIdentity): void;
  /** The handshake failed; the connection is dropped (see {@link HandshakeFailure}). */
  fail(error: ZmqError, failure?: HandshakeFailure): void;
  /**
   * Ask the ZAP handler about the peer (server side). `done` gets the verdict, or
   * `undefined` when no handler is installed; it is never called after the handshake
   * ended (the connection closed meanwhile), and never synchronously.
   */
  authenticate(mechanism: string, credentials: readonly Uint8Array[], done: (verdict: ZapVerdict | undefined) => void): void;
}

/**
 * Post-handshake frame transform, for mechanisms that encrypt (CURVE). NULL and PLAIN
 * have none, and the engine then writes frames directly (its fast path).
 */
export interface FrameTransform {
  /** Wrap one outgoing frame; returns the complete encoded frame to send. */
  encode(flags: number, body: Uint8Array): Buffer;
  /** Unwrap one incoming frame; returns its real flags and body. Throws `ZmqError` on a forgery. */
  decode(flags: number, body: Buffer): { flags: number; body: Buffer };
  /** Forget key material (the connection ended). */
  destroy?(): void;
}

/** One handshake in progress. */
export interface MechanismHandshake {
  /** Called once, right after the peer's greeting is validated. */
  start(): void;
  /** Parse a handshake command frame's body (default: RFC 23 `decodeCommand`); for peers' spelling quirks. */
  decode?(body: Buffer): { readonly name: string; readonly data: Buffer };
  /** Called for every command frame received until `ready` or `fail`. */
  receive(command: { readonly name: string; readonly data: Buffer }): void;
  /** Present when frames must be transformed after the handshake. */
  readonly transform?: FrameTransform;
  /** The connection ended before or after the handshake: wipe secrets. */
  destroy?(): void;
}

/** A security mechanism: the factory for its handshakes. */
export interface Mechanism {
  /** Name in the greeting (`NULL`, `PLAIN`, `CURVE`). */
  readonly name: string;
  /** Our as-server flag in the greeting. */
  readonly asServer: boolean;
  /** Create the handshake for one connection. */
  createHandshake(context: HandshakeContext, callbacks: HandshakeCallbacks): MechanismHandshake;
}

/** zeromq.js's texts for the ZAP failure statuses (its `handshake:error:auth` messages). */
const STATUS_TEXT: Readonly<Record<number, string>> = { 300: 'Temporary error', 400: 'Authentication failure', 500: 'Internal error' };

/** The `EACCES` error for a refused peer (server side) or a refusal received (client side). */
export function authError(status: number, detail: string): ZmqError {
  const text = STATUS_TEXT[status] ?? 'Unknown error';
  return new ZmqError('EACCES', `${text}: ${detail}`, { status });
}

/**
 * How a server mechanism ends its handshake after a refusing ZAP verdict, as libzmq:
 * 300 sends nothing and holds the connection until the handshake deadline; 400 and 500
 * send an ERROR whose reason is the status code (so a libzmq client reports an auth
 * failure with that status) and close. `errorFrame` lets PLAIN send libzmq's spelling.
 */
export function zapRefusal(
  mechanism: string,
  verdict: ZapVerdict,
  errorFrame: (reason: string) => Buffer = encodeError,
): { error: ZmqError; failure: HandshakeFailure } {
  const why = verdict.statusText === '' ? '' : ` (${verdict.statusText})`;
  const error = authError(verdict.status, `the ZAP handler refused the ${mechanism} client with status ${verdict.status}${why}`);
  if (verdict.status === 300) return { error, failure: { hold: true } };
  return { error, failure: { farewell: errorFrame(String(verdict.status)) } };
}

/**
 * The error for an ERROR command received during a handshake. A reason that is a ZAP
 * status (`300`, `400`, `500`; what libzmq servers send) is an auth failure carrying that
 * status; anything else is a protocol error, as libzmq's clients classify it.
 */
export function peerRefusal(mechanism: string, reason: string): ZmqError {
  if (/^[345]\d\d$/.test(reason)) {
    return authError(Number(reason[0]) * 100, `the ${mechanism} server refused us (ERROR ${JSON.stringify(reason)})`);
  }
  return new ZmqError('EPROTO', `the peer refused the ${mechanism} handshake: ERROR ${JSON.stringify(reason)}`);
}
