/**
 * Pipes: one per peer, as in libzmq. A pipe owns the peer's inbound message queue and
 * outbound batch, each bounded by its own high-water mark, and hides how the peer is
 * reached: `StreamPipe` speaks ZMTP over a transport stream, `InprocPipe` hands message
 * arrays to another socket in the same process (no encoding, no copies).
 *
 * Socket patterns only see the abstract `Pipe`: `read()`, `write()`, `writable`,
 * `sendSubscription()`, `routingId`, `peer`.
 */
import { FLAG_MORE, type Command, type PeerInfo, ZmqError, ZmtpSession, encodePing } from '@monocoque/zmtp';
import { Deque } from './deque.js';
import { FrameWriter } from './frame-writer.js';
import type { ResolvedOptions } from './options.js';
import type { SocketType } from '@monocoque/zmtp';
import type { Stream } from './transport.js';

/** A message: its frames. */
export type Message = Buffer[];

/** What a pipe reports to the socket that owns it. */
export interface PipeOwner {
  /** The handshake completed: the pipe is ready to carry messages. */
  pipeReady(pipe: Pipe): void;
  /** The handshake failed (the pipe never became ready). */
  pipeFailed(pipe: Pipe, error: ZmqError): void;
  /** A message was queued on a pipe. */
  pipeReadable(pipe: Pipe): void;
  /** A pipe that refused a write can take messages again. */
  pipeWritable(pipe: Pipe): void;
  /** A post-handshake command arrived (SUBSCRIBE, CANCEL, ...). */
  pipeCommand(pipe: Pipe, command: Command): void;
  /** A ready pipe closed; `error` is set when it was dropped for a fault. */
  pipeClosed(pipe: Pipe, error: ZmqError | undefined): void;
}

/** One peer of a socket. */
export abstract class Pipe {
  /** The peer, as learned in the handshake. */
  peer: PeerInfo | undefined;
  /** Routing id assigned by the socket (ROUTER); the pattern's to set. */
  routingId: Buffer | undefined;
  /** Free slot for the socket pattern's per-pipe state. */
  patternState: unknown;
  /** @internal attached to its socket (handshake done, not yet closed) */
  attached = false;
  /** @internal queued in the socket's fair-queue ring */
  inFairQueue = false;
  /** Whether the pipe has closed (it may still hold inbound messages to read). */
  closed = false;
  protected readonly inbound = new Deque<Message>();

  constructor(
    protected readonly owner: PipeOwner,
    /** The endpoint this pipe belongs to (the bind or connect address). */
    readonly endpoint: string,
    /** The peer's address (e.g. `tcp://127.0.0.1:40312`). */
    readonly remoteAddress: string,
  ) {}

  /** Whether a message is queued for reading. */
  get hasIn(): boolean {
    return this.inbound.length > 0;
  }

  /** Take the next inbound message. */
  read(): Message | undefined {
    return this.inbound.shift();
  }

  /** Whether `write` would accept a message now. */
  abstract get writable(): boolean;
  /** Queue a message (frames from `start` on). Returns false, without queuing, when full or closed. */
  abstract write(message: readonly Buffer[], start?: number): boolean;
  /**
   * Queue a message encoded once for many peers (PUB fan-out). Stream pipes share the
   * encoded bytes; others fall back to `write(prepared.frames)`.
   */
  writePrepared(prepared: PreparedMessage): boolean {
    // Each receiver gets its own array (the Buffers themselves are shared, read-only).
    return this.write(prepared.frames.slice());
  }
  /** Send a subscription change in the form the peer understands. */
  abstract sendSubscription(subscribe: boolean, prefix: Buffer): void;
  /** Close the pipe; with `linger` not 0, queued output is flushed first. */
  abstract close(linger: number, error?: ZmqError): void;
}

/** A message encoded once, to be written to many pipes (see `prepareMessage`). */
export interface PreparedMessage {
  /** The frames. */
  readonly frames: readonly Buffer[];
  /** The ZMTP encoding of all frames, built on first use. */
  encoded: Buffer[] | undefined;
}

/** Wrap frames for `Pipe.writePrepared`; the ZMTP encoding is built lazily, once. */
export function prepareMessage(frames: readonly Buffer[]): PreparedMessage {
  return { frames, encoded: undefined };
}

function encodeMessage(frames: readonly Buffer[]): Buffer[] {
  const writer = new FrameWriter();
  const last = frames.length - 1;
  for (let i = 0; i <= last; i++) writer.frame(i < last ? FLAG_MORE : 0, frames[i]!);
  return writer.take();
}

// One setImmediate per tick flushes every pipe that queued output.
const dirty: StreamPipe[] = [];
let flushScheduled = false;
let turns = 0;
function flushDirty(): void {
  flushScheduled = false;
  turns++;
  for (let i = 0; i < dirty.length; i++) dirty[i]!.flush();
  dirty.length = 0;
}

/** Counts event-loop turns in which pipes were flushed (see `Socket.send`'s yielding). */
export function flushTurns(): number {
  return turns;
}

/** Flush all pending output now (used by `socket.flush()` and before close). */
export function flushAllPipes(): void {
  if (flushScheduled) flushDirty();
}

const enum PipeState {
  Handshake,
  Ready,
  Closed,
}

/** A pipe speaking ZMTP over a transport stream. */
export class StreamPipe extends Pipe {
  private state = PipeState.Handshake;
  private readonly session: ZmtpSession;
  private readonly writer = new FrameWriter();
  private queued = 0;
  private blocked = false;
  private wantWritable = false;
  private dirty = false;
  private paused = false;
  private parts: Buffer[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastInbound = 0;

  constructor(
    owner: PipeOwner,
    private readonly stream: Stream,
    private readonly options: ResolvedOptions,
    socketType: SocketType,
    endpoint: string,
  ) {
    super(owner, endpoint, stream.remoteAddress);
    this.session = new ZmtpSession(
      {
        socketType,
        ...(options.routingId ? { identity: options.routingId } : {}),
        ...(options.mechanism ? { mechanism: options.mechanism } : {}),
        maxMessageSize: options.maxMessageSize,
      },
      {
        write: (data) => this.queueRaw(data),
        ready: (peer) => this.onReady(peer),
        frame: (body, more) => this.onFrame(body, more),
        command: (command) => this.owner.pipeCommand(this, command),
        error: (error) => this.close(0, error),
      },
    );
  }

  /** Begin the handshake. */
  start(): void {
    this.stream.start({
      onData: (chunk) => {
        this.lastInbound = Date.now();
        this.session.feed(chunk);
      },
      onDrain: () => this.onDrain(),
      onClose: (error) => this.onStreamClosed(error),
    });
    if (this.options.handshakeInterval > 0) {
      this.timer = setTimeout(() => {
        this.close(0, new ZmqError('ETIMEDOUT', `handshake with ${this.remoteAddress} did not complete within ${this.options.handshakeInterval} ms`));
      }, this.options.handshakeInterval);
      this.timer.unref();
    }
    this.session.start();
  }

  get writable(): boolean {
    return this.state === PipeState.Ready && (!this.blocked || this.options.sendHighWaterMark === 0 || this.queued < this.options.sendHighWaterMark);
  }

  write(message: readonly Buffer[], start = 0): boolean {
    if (!this.makeRoom()) return false;
    const last = message.length - 1;
    const transform = this.session.frameTransform;
    for (let i = start; i <= last; i++) {
      if (transform) this.writer.raw(this.session.encodeFrame(message[i]!, i < last));
      else this.writer.frame(i < last ? FLAG_MORE : 0, message[i]!);
    }
    this.queued++;
    this.markDirty();
    return true;
  }

  override writePrepared(prepared: PreparedMessage): boolean {
    if (this.session.frameTransform !== undefined) return this.write(prepared.frames);
    if (!this.makeRoom()) return false;
    const encoded = (prepared.encoded ??= encodeMessage(prepared.frames));
    for (const chunk of encoded) this.writer.raw(chunk);
    this.queued++;
    this.markDirty();
    return true;
  }

  sendSubscription(subscribe: boolean, prefix: Buffer): void {
    if (this.state === PipeState.Ready) this.session.sendSubscription(subscribe, prefix);
  }

  /**
   * Whether one more message may be queued: below the send HWM, or at it with the
   * transport free (then the batch is flushed first). Otherwise note that the socket wants
   * a `pipeWritable` call once the transport drains.
   */
  private makeRoom(): boolean {
    if (this.state !== PipeState.Ready) return false;
    const hwm = this.options.sendHighWaterMark;
    if (hwm > 0 && this.queued >= hwm) {
      if (this.blocked) {
        this.wantWritable = true;
        return false;
      }
      this.flush();
    }
    return true;
  }

  /** Hand the queued batch to the transport. */
  flush(): void {
    this.dirty = false;
    if (this.blocked || this.state === PipeState.Closed || this.writer.isEmpty) return;
    this.queued = 0;
    if (!this.stream.write(this.writer.take())) this.blocked = true;
  }

  close(linger: number, error?: ZmqError): void {
    if (this.state === PipeState.Closed) return;
    const wasReady = this.state === PipeState.Ready;
    this.state = PipeState.Closed;
    this.closed = true;
    this.session.close();
    clearTimeout(this.timer);
    clearInterval(this.timer);
    if (linger !== 0 && error === undefined) {
      if (!this.writer.isEmpty) this.stream.write(this.writer.take());
      this.stream.end();
      if (linger > 0) setTimeout(() => this.stream.destroy(), linger).unref();
    } else {
      this.stream.destroy();
    }
    if (wasReady) this.owner.pipeClosed(this, error);
    else this.owner.pipeFailed(this, error ?? new ZmqError('ECANCELED', `connection to ${this.remoteAddress} closed during the handshake`));
  }

  private queueRaw(data: Buffer): void {
    if (this.state === PipeState.Handshake) {
      // Greeting and handshake commands go straight out.
      this.stream.write([data]);
      return;
    }
    this.writer.raw(data);
    this.markDirty();
  }

  /**
   * Output was queued. The first message of a tick is written at once (lowest latency for
   * request/reply); the rest of the tick's output is batched and written by the shared
   * `setImmediate` flush (one writev per peer for a burst).
   */
  private markDirty(): void {
    if (this.dirty) return;
    this.dirty = true;
    dirty.push(this);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flushDirty);
    }
    if (!this.blocked && this.state !== PipeState.Closed) {
      this.queued = 0;
      if (!this.stream.write(this.writer.take())) this.blocked = true;
    }
  }

  private onReady(peer: PeerInfo): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.peer = peer;
    this.state = PipeState.Ready;
    const ivl = this.options.heartbeatInterval;
    if (ivl > 0) {
      this.timer = setInterval(() => this.heartbeat(), ivl);
      this.timer.unref();
    }
    this.owner.pipeReady(this);
  }

  private heartbeat(): void {
    const timeout = this.options.heartbeatTimeout;
    if (timeout > 0 && Date.now() - this.lastInbound > timeout) {
      this.close(0, new ZmqError('ETIMEDOUT', `no traffic from ${this.remoteAddress} for ${timeout} ms (heartbeat timeout)`));
      return;
    }
    this.session.sendCommand(encodePing(this.options.heartbeatTimeToLive));
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
    this.inbound.push(message);
    const hwm = this.options.receiveHighWaterMark;
    if (hwm > 0 && this.inbound.length >= hwm && !this.paused) {
      this.paused = true;
      this.stream.pause();
    }
    this.owner.pipeReadable(this);
  }

  override read(): Message | undefined {
    const message = this.inbound.shift();
    if (this.paused && this.inbound.length <= this.options.receiveHighWaterMark >>> 1 && this.state !== PipeState.Closed) {
      this.paused = false;
      this.stream.resume();
    }
    return message;
  }

  private onDrain(): void {
    this.blocked = false;
    this.flush();
    if (this.wantWritable && !this.blocked) {
      this.wantWritable = false;
      this.owner.pipeWritable(this);
    }
  }

  private onStreamClosed(error: Error | undefined): void {
    if (this.state === PipeState.Closed) return;
    const wasHandshake = this.state === PipeState.Handshake;
    // Frames of an incomplete multipart message are discarded (messages are atomic).
    this.parts = undefined;
    const err =
      error === undefined
        ? wasHandshake
          ? new ZmqError('ECANCELED', `${this.remoteAddress} closed the connection during the handshake`)
          : undefined
        : new ZmqError('ECANCELED', error.message, { cause: error, address: this.remoteAddress });
    this.state = PipeState.Closed;
    this.closed = true;
    this.session.close();
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.stream.destroy();
    if (wasHandshake) this.owner.pipeFailed(this, err!);
    else this.owner.pipeClosed(this, err);
  }
}

/** What a socket exposes to the inproc registry. */
export interface InprocEndpointOwner extends PipeOwner {
  readonly type: SocketType;
  readonly resolvedOptions: ResolvedOptions;
}

/** One end of an in-process pipe pair: messages move as arrays, never encoded or copied. */
export class InprocPipe extends Pipe {
  /** The other end. */
  other!: InprocPipe;
  private wantWritable = false;

  constructor(
    owner: PipeOwner,
    endpoint: string,
    /** Combined limit: our send HWM + the peer's receive HWM (libzmq's inproc rule); 0 = none. */
    private readonly hwm: number,
  ) {
    super(owner, endpoint, endpoint);
  }

  /** Create a connected pair: `a` belongs to `ownerA`, `b` to `ownerB`. */
  static pair(ownerA: InprocEndpointOwner, ownerB: InprocEndpointOwner, endpoint: string): [InprocPipe, InprocPipe] {
    const oa = ownerA.resolvedOptions;
    const ob = ownerB.resolvedOptions;
    const limit = (s: number, r: number) => (s === 0 || r === 0 ? 0 : s + r);
    const a = new InprocPipe(ownerA, endpoint, limit(oa.sendHighWaterMark, ob.receiveHighWaterMark));
    const b = new InprocPipe(ownerB, endpoint, limit(ob.sendHighWaterMark, oa.receiveHighWaterMark));
    a.other = b;
    b.other = a;
    const info = (type: SocketType, id: Buffer | undefined): PeerInfo => ({
      socketType: type,
      identity: id ?? Buffer.alloc(0),
      minor: 1,
      metadata: new Map(),
    });
    a.peer = info(ownerB.type, ob.routingId);
    b.peer = info(ownerA.type, oa.routingId);
    return [a, b];
  }

  get writable(): boolean {
    return !this.closed && (this.hwm === 0 || this.other.inbound.length < this.hwm);
  }

  write(message: readonly Buffer[], start = 0): boolean {
    if (this.closed) return false;
    if (this.hwm > 0 && this.other.inbound.length >= this.hwm) {
      this.wantWritable = true;
      return false;
    }
    this.other.inbound.push(start === 0 ? (message as Buffer[]) : message.slice(start));
    this.other.owner.pipeReadable(this.other);
    return true;
  }

  override read(): Message | undefined {
    const message = this.inbound.shift();
    const peer = this.other;
    if (message !== undefined && peer.wantWritable && (peer.hwm === 0 || this.inbound.length < peer.hwm)) {
      peer.wantWritable = false;
      // Deferred: the writer's socket may be in the middle of its own send.
      queueMicrotask(() => peer.owner.pipeWritable(peer));
    }
    return message;
  }

  sendSubscription(subscribe: boolean, prefix: Buffer): void {
    if (this.closed) return;
    const peer = this.other;
    peer.owner.pipeCommand(peer, { name: subscribe ? 'SUBSCRIBE' : 'CANCEL', data: prefix });
  }

  close(_linger: number, error?: ZmqError): void {
    if (this.closed) return;
    this.closed = true;
    this.owner.pipeClosed(this, error);
    const peer = this.other;
    if (!peer.closed) {
      peer.closed = true;
      peer.owner.pipeClosed(peer, undefined);
    }
  }
}
