/**
 * A sans-IO ZMTP 3.x connection: bytes in, frames and events out (RFC 23, RFC 37).
 *
 * Life cycle: `start()` emits our greeting; `feed()` validates the peer's greeting as it
 * arrives (rejecting ZMTP 1.0/2.0 after 11 bytes), runs the mechanism's handshake over
 * command frames, checks the peer's `Socket-Type`, then delivers message frames and
 * post-handshake commands. Any protocol violation calls `handlers.error` once and the
 * session goes dead; the owner drops the connection. No timers, no I/O.
 */
import {
  type Command,
  type Metadata,
  decodeCommand,
  decodePing,
  encodeCancel,
  encodeError,
  encodePong,
  encodeSubscribe,
} from './command.js';
import { ZmqError } from './errors.js';
import { FLAG_COMMAND, FLAG_MORE, FrameDecoder, encodeFrame } from './frame.js';
import { GREETING_SIZE, type PeerGreeting, checkGreeting, encodeGreeting } from './greeting.js';
import type { FrameTransform, HandshakeFailure, HandshakeIdentity, Mechanism, MechanismHandshake, ZapVerdict } from './mechanism.js';
import { NULL_MECHANISM } from './null-mechanism.js';
import { type SocketType, isCompatibleSocketType } from './socket-type.js';

/** Session configuration. */
export interface SessionOptions {
  /** Our socket type, announced as `Socket-Type`. */
  readonly socketType: SocketType;
  /** Our routing id, announced as `Identity` (REQ, DEALER and ROUTER only, like libzmq). */
  readonly identity?: Uint8Array;
  /** Security mechanism; NULL by default. */
  readonly mechanism?: Mechanism;
  /** Largest accepted frame body; negative (default) = no limit. */
  readonly maxMessageSize?: number;
  /** The peer's address as ZAP names it (`127.0.0.1`; empty for IPC). */
  readonly peerAddress?: string;
  /** The ZAP domain; empty (default) when unset. */
  readonly zapDomain?: string;
  /**
   * libzmq's `ZMQ_ZAP_ENFORCE_DOMAIN`: ZAP is asked only when a domain is set, and then a
   * missing handler refuses the peer (`EFAULT`) instead of letting it in.
   */
  readonly zapEnforceDomain?: boolean;
  /**
   * Asks the ZAP handler (RFC 27) on a server mechanism's behalf. Absent means no handler
   * is installed. The session ignores a verdict that comes after it died.
   */
  readonly authenticate?: (request: ZapQuestion, done: (verdict: ZapVerdict | undefined) => void) => void;
}

/** What a mechanism asks ZAP, with what the session knows about the connection. */
export interface ZapQuestion {
  readonly domain: string;
  readonly address: string;
  /** Our routing id (ZAP's identity frame). */
  readonly identity: Uint8Array;
  readonly mechanism: string;
  readonly credentials: readonly Uint8Array[];
}

/** The peer, as learned in the handshake. */
export interface PeerInfo {
  /** The peer's `Socket-Type`. */
  readonly socketType: string;
  /** The peer's `Identity` (empty when not sent). */
  readonly identity: Buffer;
  /** The peer's ZMTP minor version: 0 = ZMTP 3.0, 1 = ZMTP 3.1. */
  readonly minor: number;
  /** All properties the peer sent (lower-case names). */
  readonly metadata: Metadata;
  /** The user id the ZAP handler assigned (empty when none was asked). */
  readonly userId: string;
  /** Metadata the ZAP handler attached (lower-case names). */
  readonly zapMetadata: Metadata;
}

/** Outputs of a session. */
export interface SessionHandlers {
  /** Bytes to send to the peer, in order. */
  write(data: Buffer): void;
  /** The handshake completed. */
  ready(peer: PeerInfo): void;
  /** A message frame arrived (after `ready`). */
  frame(body: Buffer, more: boolean): void;
  /**
   * A command arrived after `ready`: SUBSCRIBE, CANCEL, PING (already answered with
   * PONG), PONG, or one this codec doesn't know (RFC 37: ignore it).
   */
  command(command: Command): void;
  /**
   * Fatal error: the session is dead and the connection must be dropped. With
   * `failure.farewell`, an ERROR command was just written and must be flushed before the
   * close; with `failure.hold`, the connection stays open (silent) until the deadline.
   */
  error(error: ZmqError, failure?: HandshakeFailure): void;
}

const enum State {
  Idle,
  Greeting,
  Handshake,
  Ready,
  Dead,
}

const EMPTY = new Uint8Array(0);
const NO_METADATA: Metadata = new Map();

/** Socket types whose READY carries an `Identity` property (as libzmq does). */
const SENDS_IDENTITY: ReadonlySet<SocketType> = new Set<SocketType>(['REQ', 'DEALER', 'ROUTER']);

/** One ZMTP connection's protocol state. */
export class ZmtpSession {
  private state = State.Idle;
  private readonly greeting = Buffer.alloc(GREETING_SIZE);
  private greetingLen = 0;
  private readonly decoder: FrameDecoder;
  private readonly mechanism: Mechanism;
  private handshake: MechanismHandshake | undefined;
  private transform: FrameTransform | undefined;
  /** The peer's validated greeting (after 64 bytes). */
  peerGreeting: PeerGreeting | undefined;
  /** The peer (after `ready`). */
  peer: PeerInfo | undefined;

  constructor(
    private readonly options: SessionOptions,
    private readonly handlers: SessionHandlers,
  ) {
    this.mechanism = options.mechanism ?? NULL_MECHANISM;
    this.decoder = new FrameDecoder((flags, body) => this.onFrame(flags, body), options.maxMessageSize ?? -1);
  }

  /** Whether the handshake completed and the session is alive. */
  get isReady(): boolean {
    return this.state === State.Ready;
  }

  /** Whether frames must be encoded through the mechanism (CURVE) rather than directly. */
  get frameTransform(): FrameTransform | undefined {
    return this.transform;
  }

  /** Begin: writes our greeting. */
  start(): void {
    if (this.state !== State.Idle) return;
    this.state = State.Greeting;
    this.handlers.write(encodeGreeting({ mechanism: this.mechanism.name, asServer: this.mechanism.asServer }));
  }

  /**
   * Feed bytes received from the peer.
   * @param transient the chunk's memory is reused once this returns (nothing keeps a view)
   */
  feed(chunk: Buffer, transient = false): void {
    if (this.state === State.Dead) return;
    if (this.state === State.Idle) this.start();
    try {
      let rest = chunk;
      if (this.state === State.Greeting || this.state === State.Idle) {
        const take = Math.min(GREETING_SIZE - this.greetingLen, chunk.length);
        chunk.copy(this.greeting, this.greetingLen, 0, take);
        this.greetingLen += take;
        const peer = checkGreeting(this.greeting.subarray(0, this.greetingLen), this.mechanism.name);
        if (peer === undefined) return;
        this.peerGreeting = peer;
        this.beginHandshake(peer);
        if ((this.state as State) === State.Dead) return;
        rest = chunk.subarray(take);
        if (rest.length === 0) return;
      }
      this.decoder.feed(rest, transient);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Encode one message frame for this peer (through the mechanism's transform, if any). */
  encodeFrame(body: Uint8Array, more: boolean): Buffer {
    const flags = more ? FLAG_MORE : 0;
    return this.transform ? this.transform.encode(flags, body) : encodeFrame(flags, body);
  }

  /** Send a command frame built by the `encode*` helpers (through the transform, if any). */
  sendCommand(frame: Buffer): void {
    if (this.state === State.Dead) return;
    if (this.transform) {
      const body = frame.subarray(frame[0]! & 0x02 ? 9 : 2);
      this.handlers.write(this.transform.encode(FLAG_COMMAND, body));
    } else {
      this.handlers.write(frame);
    }
  }

  /**
   * Send a subscription change in the form the peer understands: a SUBSCRIBE/CANCEL
   * command to ZMTP 3.1 peers, a `0x01`/`0x00`-prefixed message to ZMTP 3.0 peers.
   */
  sendSubscription(subscribe: boolean, prefix: Uint8Array): void {
    if (this.state !== State.Ready) return;
    if (this.peer!.minor >= 1) {
      this.sendCommand(subscribe ? encodeSubscribe(prefix) : encodeCancel(prefix));
    } else {
      const body = Buffer.allocUnsafe(prefix.length + 1);
      body[0] = subscribe ? 1 : 0;
      body.set(prefix, 1);
      this.handlers.write(this.encodeFrame(body, false));
    }
  }

  /** Mark the session dead without reporting (the owner is closing the connection); wipes the mechanism's secrets. */
  close(): void {
    this.state = State.Dead;
    this.handshake?.destroy?.();
    this.transform?.destroy?.();
  }

  private beginHandshake(peer: PeerGreeting): void {
    this.state = State.Handshake;
    const metadata: Array<readonly [string, Uint8Array]> = [['Socket-Type', Buffer.from(this.options.socketType, 'latin1')]];
    if (SENDS_IDENTITY.has(this.options.socketType)) {
      metadata.push(['Identity', this.options.identity ?? new Uint8Array(0)]);
    }
    const o = this.options;
    const context = {
      socketType: o.socketType,
      metadata,
      peer,
      peerAddress: o.peerAddress ?? '',
      zapDomain: o.zapDomain ?? '',
      routingId: o.identity ?? EMPTY,
    };
    this.handshake = this.mechanism.createHandshake(context, {
      send: (frame) => {
        if (this.state !== State.Dead) this.handlers.write(frame);
      },
      ready: (md, identity) => this.onHandshakeDone(md, identity),
      fail: (error, failure) => this.fail(error, failure),
      authenticate: (mechanism, credentials, done) => {
        const enforce = o.zapEnforceDomain === true;
        const settle = (verdict: ZapVerdict | undefined): void => {
          if (this.state !== State.Handshake) return;
          if (verdict === undefined && enforce && context.zapDomain !== '') {
            this.fail(new ZmqError('EFAULT', `zapEnforceDomain: the ZAP domain ${JSON.stringify(context.zapDomain)} is set but no ZAP handler is installed`));
            return;
          }
          try {
            done(verdict);
          } catch (error) {
            this.fail(error);
          }
        };
        if (o.authenticate === undefined || (enforce && context.zapDomain === '')) {
          queueMicrotask(() => settle(undefined));
          return;
        }
        o.authenticate({ domain: context.zapDomain, address: context.peerAddress, identity: context.routingId, mechanism, credentials }, settle);
      },
    });
    this.handshake.start();
  }

  private onHandshakeDone(metadata: Metadata, identity: HandshakeIdentity | undefined): void {
    if (this.state !== State.Handshake) return;
    const typeValue = metadata.get('socket-type');
    if (typeValue === undefined) {
      this.fail(new ZmqError('EPROTO', 'handshake: the peer sent no Socket-Type property'));
      return;
    }
    const peerType = typeValue.toString('latin1');
    this.transform = this.handshake?.transform;
    if (!isCompatibleSocketType(this.options.socketType, peerType)) {
      this.fail(
        new ZmqError('ENOCOMPATPROTO', `handshake: a ${this.options.socketType} socket cannot talk to a ${JSON.stringify(peerType)} peer`),
        { farewell: encodeError('Invalid socket type') },
      );
      return;
    }
    this.state = State.Ready;
    this.peer = {
      socketType: peerType,
      identity: metadata.get('identity') ?? Buffer.alloc(0),
      minor: this.peerGreeting?.minor ?? 0,
      metadata,
      userId: identity?.userId ?? '',
      zapMetadata: identity?.zapMetadata ?? NO_METADATA,
    };
    this.handlers.ready(this.peer);
  }

  private onFrame(flags: number, body: Buffer): void {
    if (this.state === State.Dead) return;
    if (this.transform !== undefined) {
      ({ flags, body } = this.transform.decode(flags, body));
    }
    if (this.state === State.Ready) {
      if ((flags & FLAG_COMMAND) === 0) {
        this.handlers.frame(body, (flags & FLAG_MORE) !== 0);
        return;
      }
      const command = decodeCommand(body);
      if (command.name === 'PING') {
        const ping = decodePing(command.data);
        this.sendCommand(encodePong(ping.context));
      } else if (command.name === 'ERROR') {
        throw new ZmqError('EPROTO', 'peer sent ERROR after the handshake; closing');
      }
      this.handlers.command(command);
      return;
    }
    if ((flags & FLAG_COMMAND) === 0) {
      throw new ZmqError('EPROTO', 'handshake: expected a command frame, got a message frame before the handshake completed');
    }
    const handshake = this.handshake!;
    handshake.receive(handshake.decode ? handshake.decode(body) : decodeCommand(body));
  }

  private fail(error: unknown, failure?: HandshakeFailure): void {
    if (this.state === State.Dead) return;
    if (failure?.farewell !== undefined) this.sendCommand(failure.farewell);
    this.state = State.Dead;
    const err =
      error instanceof ZmqError ? error : new ZmqError('EPROTO', `internal error while decoding: ${String(error)}`, { cause: error });
    this.handlers.error(err, failure);
  }
}
