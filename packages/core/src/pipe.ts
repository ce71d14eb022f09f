/**
 * Pipes: one per peer, as in libzmq. A pipe is the peer's message queues — inbound,
 * bounded by `receiveHighWaterMark`, and outbound, bounded by `sendHighWaterMark` — and
 * nothing else: it does not know how bytes move.
 *
 * - `StreamPipe` is carried by a ZMTP connection (or a raw one, for STREAM) when one is up. A connecting
 *   socket creates the pipe at `connect()` (libzmq's `immediate = 0`), so messages queue
 *   before the first connection exists and what was not yet handed to a connection
 *   survives a reconnect. With a connection up and no backlog, `write()` encodes straight
 *   into the connection's batch (the hot path); otherwise messages wait in the pipe.
 * - `InprocPipe` hands message arrays to its twin in another socket (no encoding, no
 *   copies).
 *
 * Socket patterns only see the abstract `Pipe`: `read()`, `write()`, `writable`,
 * `sendSubscription()`, `routingId`, `peer`, `close()`.
 *
 * High-water marks are read from the socket's option values on every check, so changing
 * them reaches existing pipes (libzmq ≥ 4.2).
 */
import type { Command, PeerInfo, SocketType, ZmqError } from '@monocoque/zmtp';
import type { PeerConnection } from './connection.js';
import { Deque } from './deque.js';
import { hold, release } from './keepalive.js';
import type { ResolvedOptions } from './options.js';

/** A message: its frames. */
export type Message = Buffer[];

/** What a pipe reports to the socket that owns it. */
export interface PipeOwner {
  /**
   * A message was queued on a pipe. Not called again for further messages while the pipe
   * still has its turn in the fair queue and no `receive()` is waiting (`receiveWaiters`
   * empty): the socket's default handling would do nothing then.
   */
  pipeReadable(pipe: Pipe): void;
  /** The socket's waiting `receive()` calls (only their number is read). */
  readonly receiveWaiters: { readonly length: number };
  /** A pipe that refused a write can take messages again. */
  pipeWritable(pipe: Pipe): void;
  /** A post-handshake command arrived (SUBSCRIBE, CANCEL, ...). */
  pipeCommand(pipe: Pipe, command: Command): void;
  /** The pipe was terminated; `error` is set when it was dropped for a fault. */
  pipeClosed(pipe: Pipe, error: ZmqError | undefined): void;
}

/** One peer of a socket. */
export abstract class Pipe {
  /** The peer, as learned in the (latest) handshake; undefined before the first one. */
  peer: PeerInfo | undefined;
  /** Routing id assigned by the socket (ROUTER); the pattern's to set. */
  routingId: Buffer | undefined;
  /** Free slot for the socket pattern's per-pipe state. */
  patternState: unknown;
  /** Attached to its socket's pattern (not yet closed). */
  attached = false;
  /** @internal queued in the socket's fair-queue ring */
  inFairQueue = false;
  /** Whether the pipe has closed (it may still hold inbound messages to read). */
  closed = false;
  protected readonly inbound = new Deque<Message>();

  constructor(
    protected owner: PipeOwner,
    /** The endpoint this pipe belongs to (the bind or connect address). */
    readonly endpoint: string,
    /** The peer's address (e.g. `tcp://127.0.0.1:40312`); for a connecting pipe, the endpoint until connected. */
    public remoteAddress: string,
  ) {}

  /** Whether a message is queued for reading. */
  get hasIn(): boolean {
    return this.inbound.length > 0;
  }

  /** How many inbound messages are queued. */
  get queuedIn(): number {
    return this.inbound.length;
  }

  /** Take the next inbound message. */
  read(): Message | undefined {
    return this.inbound.shift();
  }

  /** Whether a connection to the peer is up (inproc: always, until closed). */
  abstract get connected(): boolean;
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
  /** Send a subscription change in the form the peer understands (dropped while not connected: resent on connect). */
  abstract sendSubscription(subscribe: boolean, prefix: Buffer): void;
  /**
   * Send a post-handshake command to the peer (e.g. a DISH's JOIN/LEAVE), as a command
   * frame whatever the peer's ZMTP minor version, as libzmq does. Dropped while not
   * connected: patterns resend their state from `onPipeConnected`. Inproc peers get it
   * through their pattern's `onPipeCommand`.
   */
  abstract sendCommand(name: string, data: Buffer): void;
  /** Terminate the pipe; with `linger` not 0, queued output is still delivered (within `linger` ms when > 0). */
  abstract close(linger: number, error?: ZmqError): void;
  /** @internal the socket's send high-water mark changed */
  hwmChanged(): void {}
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

/** Who carries a stream pipe (its connecter or its bound endpoint), told when the pipe is done. */
export interface PipeCarrier {
  /** The pipe was closed and its queued output delivered (or dropped): end its connection with `linger`. */
  pipeDone(pipe: StreamPipe, linger: number): void;
}

/** A pipe carried by ZMTP connections over a transport. */
export class StreamPipe extends Pipe {
  /** The connection carrying the pipe now, once its handshake completed. */
  connection: PeerConnection | undefined;
  private readonly out = new Deque<Message>();
  private wantWritable = false;
  private held = false;
  private lingerTimer: NodeJS.Timeout | undefined;
  private lingerMs = 0;

  constructor(
    owner: PipeOwner,
    private readonly carrier: PipeCarrier,
    private readonly options: ResolvedOptions,
    endpoint: string,
    remoteAddress: string,
  ) {
    super(owner, endpoint, remoteAddress);
  }

  get connected(): boolean {
    return this.connection !== undefined;
  }

  get writable(): boolean {
    if (this.closed) return false;
    if (this.out.length === 0 && this.connection?.hasRoom() === true) return true;
    return this.belowHwm();
  }

  /** Whether the pipe's own queue is below the send high-water mark (0 = no limit). */
  private belowHwm(): boolean {
    const hwm = this.options.sendHighWaterMark;
    return hwm === 0 || this.out.length < hwm;
  }

  write(message: readonly Buffer[], start = 0): boolean {
    if (this.closed) return false;
    const c = this.connection;
    if (c !== undefined && this.out.length === 0 && c.makeRoom()) {
      c.writeMessage(message, start);
      return true;
    }
    return this.enqueue(start === 0 ? (message as Message) : message.slice(start));
  }

  override writePrepared(prepared: PreparedMessage): boolean {
    if (this.closed) return false;
    const c = this.connection;
    if (c !== undefined && this.out.length === 0 && c.makeRoom()) {
      c.writePrepared(prepared);
      return true;
    }
    return this.enqueue(prepared.frames.slice());
  }

  private enqueue(message: Message): boolean {
    if (!this.belowHwm()) {
      this.wantWritable = true;
      return false;
    }
    this.out.push(message);
    if (!this.held) {
      this.held = true;
      hold();
    }
    return true;
  }

  sendSubscription(subscribe: boolean, prefix: Buffer): void {
    this.connection?.sendSubscription(subscribe, prefix);
  }

  sendCommand(name: string, data: Buffer): void {
    this.connection?.sendCommand(name, data);
  }

  /** @internal A connection completed its handshake for this pipe. */
  attachConnection(connection: PeerConnection): void {
    this.connection = connection;
    this.peer = connection.peer;
    this.remoteAddress = connection.remoteAddress;
  }

  /** @internal The connection went away; queued messages wait for the next one. */
  detachConnection(connection: PeerConnection): void {
    if (this.connection === connection) this.connection = undefined;
  }

  /** @internal The connection can take messages: move the backlog into it. */
  pump(): void {
    const c = this.connection;
    if (c !== undefined) {
      while (this.out.length > 0 && c.makeRoom()) c.writeMessage(this.out.shift()!, 0);
    }
    this.afterDrain();
  }

  private afterDrain(): void {
    if (this.out.length === 0 && this.held) {
      this.held = false;
      release();
    }
    if (this.closed) {
      if (this.out.length === 0) this.finish(this.lingerMs);
      return;
    }
    if (this.wantWritable) {
      if (this.belowHwm()) {
        this.wantWritable = false;
        this.owner.pipeWritable(this);
      }
    }
  }

  override hwmChanged(): void {
    if (!this.closed) this.afterDrain();
  }

  /** @internal A complete message arrived from the peer. */
  deliver(message: Message): void {
    this.inbound.push(message);
    const hwm = this.options.receiveHighWaterMark;
    if (hwm > 0 && this.inbound.length >= hwm) this.connection?.pause();
    // Already in the fair queue with nobody waiting: the owner has nothing to do (patterns
    // that consume inbound messages themselves never put a pipe in the fair queue).
    const owner = this.owner;
    if (!this.inFairQueue || owner.receiveWaiters.length > 0) owner.pipeReadable(this);
  }

  override read(): Message | undefined {
    const message = this.inbound.shift();
    const c = this.connection;
    if (c !== undefined && c.paused && this.inbound.length <= this.options.receiveHighWaterMark >>> 1) c.resume();
    return message;
  }

  close(linger: number, error?: ZmqError): void {
    if (this.closed) return;
    this.closed = true;
    this.wantWritable = false;
    this.owner.pipeClosed(this, error);
    this.lingerMs = error === undefined ? linger : 0;
    if (this.lingerMs === 0 || this.out.length === 0) {
      this.dropQueued();
      this.finish(this.lingerMs);
      return;
    }
    // Deliver what is queued (the carrier keeps connecting if it must), within the linger.
    if (this.lingerMs > 0) {
      this.lingerTimer = setTimeout(() => {
        this.dropQueued();
        this.finish(0);
      }, this.lingerMs);
      this.lingerTimer.unref();
    }
    this.pump();
  }

  private dropQueued(): void {
    this.out.drain();
    if (this.held) {
      this.held = false;
      release();
    }
  }

  private finished = false;
  private finish(linger: number): void {
    if (this.finished) return;
    this.finished = true;
    clearTimeout(this.lingerTimer);
    this.carrier.pipeDone(this, linger);
  }
}

/** What a socket exposes to the inproc registry. */
export interface InprocEndpointOwner extends PipeOwner {
  readonly type: SocketType;
  /** @internal */
  readonly optionValues: ResolvedOptions;
}

/** Owner of the far end of a pipe whose binder does not exist yet: messages wait in it. */
const NOBODY: PipeOwner = { pipeReadable() {}, receiveWaiters: { length: 0 }, pipeWritable() {}, pipeCommand() {}, pipeClosed() {} };

function inprocPeerInfo(type: SocketType, id: Buffer | null): PeerInfo {
  return { socketType: type, identity: id ?? Buffer.alloc(0), minor: 1, metadata: new Map(), userId: '', zapMetadata: new Map() };
}

/** One end of an in-process pipe pair: messages move as arrays, never encoded or copied. */
export class InprocPipe extends Pipe {
  /** The other end. */
  other!: InprocPipe;
  /** Both ends belong to sockets (false while a connect waits for its bind). */
  linked = true;
  private wantWritable = false;

  constructor(
    owner: PipeOwner,
    endpoint: string,
    private ownOptions: ResolvedOptions,
  ) {
    super(owner, endpoint, endpoint);
  }

  /**
   * A pair for a connect made before the name is bound (libzmq ≥ 4 creates the pipe at
   * once): `a` belongs to `owner`; the far end buffers until {@link InprocPipe.link}.
   */
  static pending(owner: InprocEndpointOwner, endpoint: string): [InprocPipe, InprocPipe] {
    const a = new InprocPipe(owner, endpoint, owner.optionValues);
    const b = new InprocPipe(NOBODY, endpoint, owner.optionValues);
    a.other = b;
    b.other = a;
    a.linked = b.linked = false;
    return [a, b];
  }

  /** Give the far end of a pending pair (this) to the socket that bound the name. */
  link(connecter: InprocEndpointOwner, binder: InprocEndpointOwner): void {
    this.owner = binder;
    this.ownOptions = binder.optionValues;
    this.peer = inprocPeerInfo(connecter.type, connecter.optionValues.routingId);
    this.other.peer = inprocPeerInfo(binder.type, binder.optionValues.routingId);
    this.linked = this.other.linked = true;
  }

  /** Create a connected pair: `a` belongs to `ownerA`, `b` to `ownerB`. */
  static pair(ownerA: InprocEndpointOwner, ownerB: InprocEndpointOwner, endpoint: string): [InprocPipe, InprocPipe] {
    const oa = ownerA.optionValues;
    const ob = ownerB.optionValues;
    const a = new InprocPipe(ownerA, endpoint, oa);
    const b = new InprocPipe(ownerB, endpoint, ob);
    a.other = b;
    b.other = a;
    a.peer = inprocPeerInfo(ownerB.type, ob.routingId);
    b.peer = inprocPeerInfo(ownerA.type, oa.routingId);
    return [a, b];
  }

  /** Combined limit, read live: our send HWM + the peer's receive HWM (libzmq's inproc rule); 0 = none. */
  private get hwm(): number {
    const s = this.ownOptions.sendHighWaterMark;
    // Before the bind, only our send HWM counts (libzmq boosts it by the peer's at link time).
    if (!this.linked) return s;
    const r = this.other.ownOptions.receiveHighWaterMark;
    return s === 0 || r === 0 ? 0 : s + r;
  }

  get connected(): boolean {
    return this.linked && !this.closed;
  }

  get writable(): boolean {
    const hwm = this.hwm;
    return !this.closed && (hwm === 0 || this.other.inbound.length < hwm);
  }

  write(message: readonly Buffer[], start = 0): boolean {
    if (this.closed) return false;
    const hwm = this.hwm;
    if (hwm > 0 && this.other.inbound.length >= hwm) {
      this.wantWritable = true;
      return false;
    }
    this.other.inbound.push(start === 0 ? (message as Buffer[]) : message.slice(start));
    this.other.owner.pipeReadable(this.other);
    return true;
  }

  override read(): Message | undefined {
    const message = this.inbound.shift();
    if (message !== undefined) this.other.checkWritable();
    return message;
  }

  override hwmChanged(): void {
    this.checkWritable();
  }

  private checkWritable(): void {
    if (!this.wantWritable || this.closed) return;
    const hwm = this.hwm;
    if (hwm === 0 || this.other.inbound.length < hwm) {
      this.wantWritable = false;
      // Deferred: the writer's socket may be in the middle of its own send.
      queueMicrotask(() => this.owner.pipeWritable(this));
    }
  }

  sendSubscription(subscribe: boolean, prefix: Buffer): void {
    if (this.closed) return;
    const peer = this.other;
    peer.owner.pipeCommand(peer, { name: subscribe ? 'SUBSCRIBE' : 'CANCEL', data: prefix });
  }

  sendCommand(name: string, data: Buffer): void {
    if (this.closed) return;
    const peer = this.other;
    peer.owner.pipeCommand(peer, { name, data });
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
