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
import type { FrameTransform, Mechanism, MechanismHandshake } from './mechanism.js';
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
  /** Fatal error: the session is dead and the connection must be dropped. */
  error(error: ZmqError): void;
}

const enum State {
  Idle,
  Greeting,
  Handshake,
  Ready,
  Dead,
}

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

  /** Feed bytes received from the peer. */
  feed(chunk: Buffer): void {
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
      this.decoder.feed(rest);
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

  /** Mark the session dead without reporting (the owner is closing the connection). */
  close(): void {
    this.state = State.Dead;
  }

  private beginHandshake(peer: PeerGreeting): void {
    this.state = State.Handshake;
    const metadata: Array<readonly [string, Uint8Array]> = [['Socket-Type', Buffer.from(this.options.socketType, 'latin1')]];
    if (SENDS_IDENTITY.has(this.options.socketType)) {
      metadata.push(['Identity', this.options.identity ?? new Uint8Array(0)]);
    }
    this.handshake = this.mechanism.createHandshake(
      { socketType: this.options.socketType, metadata, peer },
      {
        send: (frame) => {
          if (this.state !== State.Dead) this.handlers.write(frame);
        },
        ready: (md) => this.onHandshakeDone(md),
        fail: (error) => this.fail(error),
      },
    );
    this.handshake.start();
  }

  private onHandshakeDone(metadata: Metadata): void {
    if (this.state !== State.Handshake) return;
    const typeValue = metadata.get('socket-type');
    if (typeValue === undefined) {
      this.fail(new ZmqError('EPROTO', 'handshake: the peer sent no Socket-Type property'));
      return;
    }
    const peerType = typeValue.toString('latin1');
    if (!isCompatibleSocketType(this.options.socketType, peerType)) {
      this.sendCommand(encodeError('Invalid socket type'));
      this.fail(
        new ZmqError('ENOCOMPATPROTO', `handshake: a ${this.options.socketType} socket cannot talk to a ${JSON.stringify(peerType)} peer`),
      );
      return;
    }
    this.transform = this.handshake?.transform;
    this.state = State.Ready;
    this.peer = {
      socketType: peerType,
      identity: metadata.get('identity') ?? Buffer.alloc(0),
      minor: this.peerGreeting?.minor ?? 0,
      metadata,
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
    this.handshake!.receive(decodeCommand(body));
  }

  private fail(error: unknown): void {
    if (this.state === State.Dead) return;
    this.state = State.Dead;
    const err =
      error instanceof ZmqError ? error : new ZmqError('EPROTO', `internal error while decoding: ${String(error)}`, { cause: error });
    this.handlers.error(err);
  }
}
