/**
 * One raw connection, for STREAM sockets (libzmq's raw engine, `ZMQ_STREAM`): bytes pass
 * through untouched — no greeting, no handshake, no framing, no heartbeats, no security.
 * See libzmq's zmq_socket(3) "ZMQ_STREAM" and its stream.cpp / raw_engine.cpp.
 *
 * - The connection is ready at once. Each chunk the transport delivers becomes a
 *   one-frame message `[chunk]` on the pipe (the STREAM pattern prefixes the routing id).
 * - With the socket option `notify` (ZMQ_STREAM_NOTIFY, default on), an empty message is
 *   delivered when the connection opens, and another when the peer closes it or it fails.
 * - A written message sends only its data frame (the frame at `start`), raw; later frames
 *   are not sent (libzmq writes only the frame after the routing id).
 * - A close the socket asked for (a STREAM `send([id, ''])`, `close()`) is not reported as
 *   a disconnect, as libzmq; a close by the peer ends with `EPIPE`, which endpoints.ts
 *   reports as libzmq does (`handshake:error:other`, then `disconnect`).
 *
 * Output is batched per tick through the shared scheduler like a ZMTP connection's
 * (first write of a tick goes out at once), bounded by the send high-water mark.
 */
import { ZmqError } from '@monocoque/zmtp';
import { type ConnectionOwner, MAX_BATCH_BYTES, type PeerConnection } from './connection.js';
import type { ResolvedOptions } from './options.js';
import type { PreparedMessage, StreamPipe } from './pipe.js';
import { scheduleFlush } from './scheduler.js';
import type { Stream } from './transport.js';

/** One raw (non-ZMTP) connection. */
export class RawConnection implements PeerConnection {
  /** Raw bytes, no ZMTP. */
  readonly raw = true;
  /** The pipe this connection carries. */
  pipe: StreamPipe | undefined;
  /** Raw peers announce nothing. */
  readonly peer = undefined;
  /** Never set: raw connections have no handshake to hold. */
  readonly heldError = undefined;
  /** Inbound delivery is paused (receive high-water mark). */
  paused = false;
  private closed = false;
  private out: Buffer[] = [];
  private batched = 0;
  /** Bytes in `out` (bounded by MAX_BATCH_BYTES, as a ZMTP connection's batch). */
  private outBytes = 0;
  private blocked = false;
  private dirty = false;
  private readonly notify: boolean;

  constructor(
    private readonly owner: ConnectionOwner,
    private readonly stream: Stream,
    private readonly options: ResolvedOptions,
    /** The endpoint (bind or connect address) this connection belongs to. */
    readonly endpoint: string,
  ) {
    this.notify = options.get('notify') !== false;
  }

  /** The peer's address. */
  get remoteAddress(): string {
    return this.stream.remoteAddress;
  }

  /** Whether the connection is open. */
  get ready(): boolean {
    return !this.closed;
  }

  /** Offer the connection to its owner, announce it (notify) and start reading. */
  start(): void {
    const pipe = this.owner.connectionReady(this);
    if (pipe === undefined) {
      this.close(0);
      return;
    }
    if (this.closed) return;
    this.pipe = pipe;
    this.stream.start({
      // A transient chunk's memory is reused by the transport: the message gets a copy.
      onData: (chunk, transient) => this.pipe?.deliver([transient === true ? Buffer.from(chunk) : chunk]),
      onDrain: () => this.onDrain(),
      onClose: (error) => this.onStreamClosed(error),
    });
    if (this.notify) pipe.deliver([Buffer.alloc(0)]);
    pipe.pump();
  }

  // ------------------------------------------------------------------ output

  hasRoom(): boolean {
    if (this.closed) return false;
    if (!this.blocked) return true;
    const hwm = this.options.sendHighWaterMark;
    return !((hwm > 0 && this.batched >= hwm) || this.outBytes >= MAX_BATCH_BYTES);
  }

  makeRoom(): boolean {
    if (this.closed) return false;
    const hwm = this.options.sendHighWaterMark;
    if ((hwm > 0 && this.batched >= hwm) || this.outBytes >= MAX_BATCH_BYTES) {
      if (this.blocked) return false;
      this.flush();
    }
    return true;
  }

  writeMessage(message: readonly Buffer[], start: number): void {
    const data = message[start];
    if (data !== undefined && data.length > 0) {
      this.out.push(data);
      this.outBytes += data.length;
    }
    this.batched++;
    this.markDirty();
  }

  writePrepared(prepared: PreparedMessage): void {
    this.writeMessage(prepared.frames, 0);
  }

  /** Raw peers have no subscriptions. */
  sendSubscription(): void {}
  sendCommand(): void {}

  /** Hand the batch to the transport (the scheduler calls this once per tick). */
  flush(): void {
    this.dirty = false;
    if (this.blocked || this.closed || this.out.length === 0) return;
    this.writeOut();
  }

  private writeOut(): void {
    this.batched = 0;
    this.outBytes = 0;
    const chunks = this.out;
    this.out = [];
    if (!this.stream.write(chunks)) this.blocked = true;
  }

  private markDirty(): void {
    if (this.dirty) return;
    this.dirty = true;
    scheduleFlush(this);
    // First output of the tick: write through now.
    if (!this.blocked && this.out.length > 0) this.writeOut();
  }

  private onDrain(): void {
    this.blocked = false;
    this.flush();
    if (!this.blocked) this.pipe?.pump();
  }

  // ------------------------------------------------------------------ input

  pause(): void {
    if (this.paused || this.closed) return;
    this.paused = true;
    this.stream.pause();
  }

  resume(): void {
    if (!this.paused || this.closed) return;
    this.paused = false;
    this.stream.resume();
  }

  // ------------------------------------------------------------------ closing

  /**
   * Close at the socket's request. With `linger` not 0 and no error, what was written is
   * sent and the stream ended gracefully (destroyed after `linger` ms when positive);
   * otherwise destroyed at once. No notification is delivered (libzmq delivers none).
   */
  close(linger: number, error?: ZmqError): void {
    if (this.closed) return;
    this.closed = true;
    if (linger !== 0 && error === undefined) {
      if (this.out.length > 0) this.stream.write(this.out);
      this.out = [];
      this.stream.end();
      if (linger > 0) setTimeout(() => this.stream.destroy(), linger).unref();
    } else {
      this.out = [];
      this.stream.destroy();
    }
    this.owner.connectionEnded(this, error, false);
  }

  private onStreamClosed(error: Error | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.out = [];
    this.stream.destroy();
    if (this.notify) this.pipe?.deliver([Buffer.alloc(0)]);
    const reason = error === undefined ? 'closed the connection' : `failed: ${error.message}`;
    // libzmq's raw engine reports a peer's close as a failed "handshake" (EPIPE), then a disconnect.
    this.owner.connectionEnded(this, new ZmqError('EPIPE', `${this.remoteAddress} ${reason}`, { cause: error, address: this.remoteAddress }), true);
  }
}
