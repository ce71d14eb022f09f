/**
 * The security-mechanism plug-in point (RFC 23 §"Authentication and Confidentiality").
 *
 * A `Mechanism` names itself in the greeting and, once both greetings are exchanged,
 * runs the handshake through command frames until it can report the peer's metadata.
 * NULL lives here; PLAIN and CURVE plug in as separate packages without touching the
 * codec. Callbacks (not return values) carry the outcome so a mechanism may wait for
 * an asynchronous verdict (a ZAP handler) before calling `ready`.
 */
import type { Command, Metadata } from './command.js';
import type { ZmqError } from './errors.js';
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
}

/** How a handshake reports back. */
export interface HandshakeCallbacks {
  /** Send one encoded frame (usually a command) to the peer. */
  send(frame: Buffer): void;
  /** The handshake succeeded; `metadata` is the peer's (lower-case names). */
  ready(metadata: Metadata): void;
  /** The handshake failed; the connection is dropped. */
  fail(error: ZmqError): void;
}

/**
 * Post-handshake frame transform, for mechanisms that encrypt (CURVE). NULL and PLAIN
 * have none, and the engine then writes frames directly (its fast path).
 */
export interface FrameTransform {
  /** Wrap one outgoing frame; returns the complete encoded frame to send. */
  encode(flags: number, body: Uint8Array): Buffer;
  /** Unwrap one incoming frame; returns its real flags and body. */
  decode(flags: number, body: Buffer): { flags: number; body: Buffer };
}

/** One handshake in progress. */
export interface MechanismHandshake {
  /** Called once, right after the peer's greeting is validated. */
  start(): void;
  /** Called for every command frame received until `ready` or `fail`. */
  receive(command: Command): void;
  /** Present when frames must be transformed after the handshake. */
  readonly transform?: FrameTransform;
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
