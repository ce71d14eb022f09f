/**
 * One ZMTP connection: a transport stream, its sans-IO `ZmtpSession`, the frame writer
 * that batches its output, and its timers (handshake, heartbeats, the peer's TTL).
 * RFC 23 (greeting, framing, NULL handshake) and RFC 37 §"Connection Heartbeat".
 *
 * A connection carries at most one pipe, from its handshake on; the pipe may outlive it
 * (a connecting socket's pipe survives reconnects). Messages are encoded when written
 * into the connection, and the batch is handed to the stream once per tick by the shared
 * scheduler — the first message of a tick goes out at once (lowest request/reply latency).
 *
 * Heartbeats, as libzmq: with `heartbeatInterval`, a PING is sent every interval; each PING
 * arms a `heartbeatTimeout` timer (unless one is armed) that any inbound traffic cancels,
 * and the connection is dropped when it fires. When the peer's PING announces a TTL, a
 * timer of that length is armed the same way.
 */
import {
  FLAG_MORE,
  type Command,
  type HandshakeFailure,
  type Mechanism,
  type PeerInfo,
  type SocketType,
  ZmqError,
  ZmtpSession,
  decodePing,
  encodeCommand,
  encodePing,
} from '@monocoque/zmtp';
import { FrameWriter } from './frame-writer.js';
import type { ResolvedOptions } from './options.js';
import type { Message, PreparedMessage, StreamPipe } from './pipe.js';
import { type Flushable, scheduleFlush } from './scheduler.js';
import type { Stream } from './transport.js';
import { askZap, zapAddress } from './zap.js';

/**
 * Makes the connection for a new stream. Core makes ZMTP connections; a socket type that
 * speaks another protocol over the same transports (STREAM's raw bytes) supplies its own
 * through `Socket.connectionFactory`.
 */
export type ConnectionFactory = (owner: ConnectionOwner, stream: Stream, options: ResolvedOptions, endpoint: string) => PeerConnection;

/**
 * What pipes and endpoints need from a connection that carries a pipe: a ZMTP
 * `Connection`, or a `RawConnection` (./raw-connection.ts) for STREAM sockets.
 */
export interface PeerConnection extends Flushable {
  /** The pipe this connection carries (after the handshake). */
  pipe: StreamPipe | undefined;
  /** The peer, once the handshake completed (always undefined for raw connections). */
  readonly peer: PeerInfo | undefined;
  /** Inbound delivery is paused (receive high-water mark). */
  readonly paused: boolean;
  /** Whether the connection is ready for messages (handshake done) and open. */
  readonly ready: boolean;
  /** Raw bytes, no ZMTP (STREAM): no handshake events, and a close the socket asked for is not reported. */
  readonly raw: boolean;
  /** The peer's address. */
  readonly remoteAddress: string;
  /** The endpoint (bind or connect address) this connection belongs to. */
  readonly endpoint: string;
  /** A failure already reported by {@link ConnectionOwner.handshakeFailed}. */
  readonly heldError: ZmqError | undefined;
  /** Begin (the handshake, for ZMTP). */
  start(): void;
  /** Whether a message could be written now without flushing. */
  hasRoom(): boolean;
  /** Whether one more message may be written now (may hand the batch to the transport first). */
  makeRoom(): boolean;
  /** Write one message (frames from `start` on) into the batch. */
  writeMessage(message: readonly Buffer[], start: number): void;
  /** Write a message encoded once for many peers. */
  writePrepared(prepared: PreparedMessage): void;
  /** Send a subscription change in the form the peer understands. */
  sendSubscription(subscribe: boolean, prefix: Buffer): void;
  /** Send a post-handshake command (RADIO/DISH JOIN and LEAVE); dropped before the handshake. */
  sendCommand(name: string, data: Buffer): void;
  /** Stop reading (receive high-water mark). */
  pause(): void;
  /** Resume reading. */
  resume(): void;
  /** Close: gracefully unless `linger` is 0 (or `error` is set). */
  close(linger: number, error?: ZmqError): void;
}

/** Who owns a connection (a connecter or a bound endpoint). Each call happens at most once per connection, `ended` always last. */
export interface ConnectionOwner {
  /** The handshake completed. Return the pipe to carry, or undefined to refuse the peer. */
  connectionReady(connection: PeerConnection): StreamPipe | undefined;
  /** A command arrived for the carried pipe. */
  connectionCommand(connection: PeerConnection, pipe: StreamPipe, command: Command): void;
  /** The connection ended. `handshake` is true when it ended before its handshake completed. */
  connectionEnded(connection: PeerConnection, error: ZmqError | undefined, handshake: boolean): void;
  /** The handshake failed but the connection is held open (ZAP 300) until its deadline: report it now. */
  handshakeFailed(connection: PeerConnection, error: ZmqError): void;
}

/**
 * Most bytes a connection's batch collects before it is handed to the transport. While
 * the transport pushes back, a full batch refuses further messages: they wait in the pipe,
 * where the send high-water mark counts them. Without this bound the batch could hold up to
 * the HWM in messages on top of the pipe's HWM, and the transport one more such batch (3×
 * libzmq's backlog for large messages). A message is never split: the batch may exceed the
 * bound by its last message.
 */
export const MAX_BATCH_BYTES = 256 * 1024;

/** How long an ERROR command sent before closing may take to leave (the close itself does not wait). */
const FAREWELL_MS = 1000;

const enum State {
  Handshake,
  Ready,
  Closed,
}

function encodeMessage(frames: readonly Buffer[]): Buffer[] {
  const writer = new FrameWriter();
  const last = frames.length - 1;
  for (let i = 0; i <= last; i++) writer.frame(i < last ? FLAG_MORE : 0, frames[i]!);
  return writer.take();
}

/** One ZMTP connection. */
export class Connection implements PeerConnection {
  /** ZMTP, not raw bytes. */
  readonly raw = false;
  /** The pipe this connection carries (after the handshake). */
  pipe: StreamPipe | undefined;
  /** The peer, once the handshake completed. */
  peer: PeerInfo | undefined;
  /** Inbound delivery is paused (receive high-water mark). */
  paused = false;
  private state = State.Handshake;
  private readonly session: ZmtpSession;
  private readonly writer = new FrameWriter();
  private batched = 0;
  private blocked = false;
  private dirty = false;
  private parts: Buffer[] | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private ttlTimer: NodeJS.Timeout | undefined;
  private timeoutTimer: NodeJS.Timeout | undefined;
  private readonly heartbeatInterval: number;
  private readonly heartbeatTimeout: number;
  private readonly heartbeatTtl: number;
  /** Set when the mechanism could not be built (options changed after connect/bind). */
  private readonly setupError: ZmqError | undefined;
  /** A failure already reported by {@link ConnectionOwner.handshakeFailed}. */
  heldError: ZmqError | undefined;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly stream: Stream,
    private readonly options: ResolvedOptions,
    socketType: SocketType,
    /** The endpoint (bind or connect address) this connection belongs to. */
    readonly endpoint: string,
    private readonly handshakeInterval = options.handshakeInterval,
  ) {
    this.heartbeatInterval = options.heartbeatInterval;
    this.heartbeatTimeout = options.heartbeatTimeout < 0 ? options.heartbeatInterval : options.heartbeatTimeout;
    this.heartbeatTtl = options.heartbeatTimeToLive;
    let mechanism: Mechanism | undefined;
    try {
      mechanism = options.securityMechanism(socketType);
    } catch (error) {
      this.setupError = error as ZmqError;
    }
    this.session = new ZmtpSession(
      {
        socketType,
        ...(options.routingId ? { identity: options.routingId } : {}),
        ...(mechanism ? { mechanism } : {}),
        maxMessageSize: options.maxMessageSize,
        peerAddress: zapAddress(stream.remoteAddress),
        zapDomain: (options.get('zapDomain') as string | null) ?? '',
        zapEnforceDomain: options.get('zapEnforceDomain') === true,
        authenticate: askZap,
      },
      {
        write: (data) => this.queueRaw(data),
        ready: (peer) => this.onReady(peer),
        frame: (body, more) => this.onFrame(body, more),
        command: (command) => this.onCommand(command),
        error: (error, failure) => this.onSessionError(error, failure),
      },
    );
  }

  /** The peer's address. */
  get remoteAddress(): string {
    return this.stream.remoteAddress;
  }

  /** Whether the handshake completed and the connection is open. */
  get ready(): boolean {
    return this.state === State.Ready;
  }

  /** Begin the handshake. */
  start(): void {
    this.stream.start({
      onData: (chunk, transient) => this.onData(chunk, transient),
      onDrain: () => this.onDrain(),
      onClose: (error) => this.onStreamClosed(error),
    });
    if (this.handshakeInterval > 0) {
      this.handshakeTimer = setTimeout(() => {
        this.close(
          0,
          this.heldError ?? new ZmqError('ETIMEDOUT', `handshake with ${this.remoteAddress} did not complete within ${this.handshakeInterval} ms`),
        );
      }, this.handshakeInterval);
      this.handshakeTimer.unref();
    }
    if (this.setupError !== undefined) {
      this.close(0, this.setupError);
      return;
    }
    this.session.start();
  }

  private onSessionError(error: ZmqError, failure: HandshakeFailure | undefined): void {
    if (failure?.hold === true && this.state === State.Handshake) {
      // As libzmq after ZAP 300: report now, tell the peer nothing, close at the deadline.
      this.heldError = error;
      this.stream.pause();
      this.owner.handshakeFailed(this, error);
      return;
    }
    // An ERROR command was just written: end gracefully so it leaves, within a short bound.
    if (failure?.farewell !== undefined) this.shutdown(FAREWELL_MS, error);
    else this.close(0, error);
  }

  // ------------------------------------------------------------------ output

  /** Whether a message could be encoded now (see {@link makeRoom}), without flushing. */
  hasRoom(): boolean {
    if (this.state !== State.Ready) return false;
    if (!this.blocked) return true;
    const hwm = this.options.sendHighWaterMark;
    return !((hwm > 0 && this.batched >= hwm) || this.writer.bytes >= MAX_BATCH_BYTES);
  }

  /**
   * Whether one more message may be encoded now. The batch holds at most the send HWM in
   * messages and about {@link MAX_BATCH_BYTES} in bytes: when it is full the batch is
   * handed to the transport first, unless the transport is pushing back — then the message
   * waits in the pipe (where it survives a reconnect and the HWM counts it).
   */
  makeRoom(): boolean {
    if (this.state !== State.Ready) return false;
    const hwm = this.options.sendHighWaterMark;
    if ((hwm > 0 && this.batched >= hwm) || this.writer.bytes >= MAX_BATCH_BYTES) {
      if (this.blocked) return false;
      this.flush();
    }
    return true;
  }

  /** Encode one message (frames from `start` on) into the batch. */
  writeMessage(message: readonly Buffer[], start: number): void {
    const last = message.length - 1;
    const transform = this.session.frameTransform;
    for (let i = start; i <= last; i++) {
      if (transform) this.writer.raw(this.session.encodeFrame(message[i]!, i < last));
      else this.writer.frame(i < last ? FLAG_MORE : 0, message[i]!);
    }
    this.batched++;
    this.markDirty();
  }

  /** Write a message encoded once for many peers. */
  writePrepared(prepared: PreparedMessage): void {
    if (this.session.frameTransform !== undefined) {
      this.writeMessage(prepared.frames, 0);
      return;
    }
    const encoded = (prepared.encoded ??= encodeMessage(prepared.frames));
    for (const chunk of encoded) this.writer.raw(chunk);
    this.batched++;
    this.markDirty();
  }

  /** Send a subscription change in the form the peer understands. */
  sendSubscription(subscribe: boolean, prefix: Buffer): void {
    if (this.state === State.Ready) this.session.sendSubscription(subscribe, prefix);
  }

  /** Send a post-handshake command (JOIN, LEAVE, ...) as a command frame. */
  sendCommand(name: string, data: Buffer): void {
    if (this.state === State.Ready) this.session.sendCommand(encodeCommand(name, data));
  }

  /** Hand the batch to the transport (the scheduler calls this once per tick). */
  flush(): void {
    this.dirty = false;
    if (this.blocked || this.state === State.Closed || this.writer.isEmpty) return;
    this.batched = 0;
    if (!this.stream.write(this.writer.take())) this.blocked = true;
  }

  private queueRaw(data: Buffer): void {
    if (this.state === State.Handshake) {
      // Greeting and handshake commands go straight out.
      this.stream.write([data]);
      return;
    }
    if (this.state === State.Closed) return;
    this.writer.raw(data);
    this.markDirty();
  }

  private markDirty(): void {
    if (this.dirty) return;
    this.dirty = true;
    scheduleFlush(this);
    // First output of the tick: write through now.
    if (!this.blocked) {
      this.batched = 0;
      if (!this.stream.write(this.writer.take())) this.blocked = true;
    }
  }

  private onDrain(): void {
    this.blocked = false;
    this.flush();
    if (!this.blocked) this.pipe?.pump();
  }

  // ------------------------------------------------------------------ input

  /** Stop reading (receive high-water mark). */
  pause(): void {
    if (this.paused || this.state === State.Closed) return;
    this.paused = true;
    this.stream.pause();
  }

  /** Resume reading. */
  resume(): void {
    if (!this.paused || this.state === State.Closed) return;
    this.paused = false;
    this.stream.resume();
  }

  private onData(chunk: Buffer, transient?: boolean): void {
    // Any traffic proves the peer alive.
    if (this.timeoutTimer !== undefined) {
      clearTimeout(this.timeoutTimer);
      this.timeoutTimer = undefined;
    }
    if (this.ttlTimer !== undefined) {
      clearTimeout(this.ttlTimer);
      this.ttlTimer = undefined;
    }
    this.session.feed(chunk, transient);
  }

  private onReady(peer: PeerInfo): void {
    clearTimeout(this.handshakeTimer);
    this.handshakeTimer = undefined;
    this.peer = peer;
    this.state = State.Ready;
    const pipe = this.owner.connectionReady(this);
    if (pipe === undefined) {
      if (this.state === State.Ready) this.close(0);
      return;
    }
    if (this.state !== State.Ready) return;
    this.pipe = pipe;
    const ivl = this.heartbeatInterval;
    if (ivl > 0) {
      this.heartbeatTimer = setInterval(() => this.heartbeat(), ivl);
      this.heartbeatTimer.unref();
    }
    pipe.pump();
  }

  private heartbeat(): void {
    this.session.sendCommand(encodePing(this.heartbeatTtl));
    const timeout = this.heartbeatTimeout;
    if (timeout > 0 && this.timeoutTimer === undefined) {
      this.timeoutTimer = setTimeout(() => {
        this.close(0, new ZmqError('ETIMEDOUT', `no traffic from ${this.remoteAddress} within ${timeout} ms of a PING (heartbeatTimeout)`));
      }, timeout);
      this.timeoutTimer.unref();
    }
  }

  private onCommand(command: Command): void {
    if (command.name === 'PING') {
      const ttl = decodePing(command.data).ttlMs;
      if (ttl > 0) {
        clearTimeout(this.ttlTimer);
        this.ttlTimer = setTimeout(() => {
          this.close(0, new ZmqError('ETIMEDOUT', `no traffic from ${this.remoteAddress} within the ${ttl} ms TTL its PING announced`));
        }, ttl);
        this.ttlTimer.unref();
      }
      return;
    }
    if (command.name === 'PONG') return;
    if (this.pipe !== undefined) this.owner.connectionCommand(this, this.pipe, command);
  }

  private onFrame(body: Buffer, more: boolean): void {
    if (more) {
      (this.parts ??= []).push(body);
      return;
    }
    let message: Message;
    if (this.parts === undefined) {
      message = [body];
    } else {
      message = this.parts;
      message.push(body);
      this.parts = undefined;
    }
    this.pipe?.deliver(message);
  }

  // ------------------------------------------------------------------ closing

  /**
   * Close. With `linger` not 0 and no error, the batch is written and the stream ended
   * gracefully (destroyed after `linger` ms when positive); otherwise destroyed at once.
   */
  close(linger: number, error?: ZmqError): void {
    this.shutdown(error === undefined ? linger : 0, error);
  }

  /** Close: gracefully unless `linger` is 0 (then destroyed at once), reporting `error`. */
  private shutdown(linger: number, error: ZmqError | undefined): void {
    if (this.state === State.Closed) return;
    const handshake = this.state === State.Handshake;
    this.state = State.Closed;
    this.teardown();
    if (linger !== 0) {
      if (!this.writer.isEmpty) this.stream.write(this.writer.take());
      this.stream.end();
      if (linger > 0) setTimeout(() => this.stream.destroy(), linger).unref();
    } else {
      this.stream.destroy();
    }
    this.owner.connectionEnded(this, error, handshake);
  }

  private teardown(): void {
    this.session.close();
    this.parts = undefined; // messages are atomic: a partial one is dropped
    clearTimeout(this.handshakeTimer);
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.timeoutTimer);
    clearTimeout(this.ttlTimer);
  }

  private onStreamClosed(error: Error | undefined): void {
    if (this.state === State.Closed) return;
    const handshake = this.state === State.Handshake;
    this.state = State.Closed;
    this.teardown();
    this.stream.destroy();
    const err =
      error !== undefined
        ? new ZmqError('ECONNRESET', error.message, { cause: error, address: this.remoteAddress })
        : handshake
          ? new ZmqError('ECANCELED', `${this.remoteAddress} closed the connection during the handshake`, { address: this.remoteAddress })
          : undefined;
    this.owner.connectionEnded(this, err, handshake);
  }
}
