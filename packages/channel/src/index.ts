/**
 * @monocoque/channel — the draft CHANNEL socket of RFC 52/CHANNEL (libzmq 4.3's
 * `ZMQ_CHANNEL`).
 *
 * Design note. A CHANNEL is a single-part PAIR: it talks to exactly one CHANNEL peer at a
 * time. The first peer to join is attached; any further connection is refused while it is
 * there (libzmq terminates the extra pipe). `send()` writes to that peer and waits —
 * never drops — while there is no peer or its queue is at the high-water mark (libzmq's
 * `xsend` says `EAGAIN`, which a blocking send waits on). Sending more than one frame is
 * refused with `EINVAL`; a multipart message from the wire is dropped whole, as libzmq's
 * `xrecv` does. CHANNEL announces no `Identity` in its handshake.
 *
 * ```ts
 * import { Channel } from '@monocoque/channel';
 * const a = new Channel();
 * await a.bind('inproc://channel-demo');
 * const b = new Channel();
 * b.connect('inproc://channel-demo');
 * await b.send('hello');
 * const [hello] = await a.receive();
 * ```
 */
import { type OptionSpec, type Pipe, Socket, type SocketOptions, ZmqError } from '@monocoque/core';

/** Options for {@link Channel}. */
export interface ChannelOptions extends SocketOptions {}

const CHANNEL_OPTIONS: readonly OptionSpec[] = [];

/** A CHANNEL socket: one exclusive, bidirectional CHANNEL peer; single-part messages only. */
export class Channel extends Socket<[Buffer]> {
  private peerPipe: Pipe | undefined;

  /** Create a CHANNEL socket. */
  constructor(options: ChannelOptions = {}) {
    super('CHANNEL', options, CHANNEL_OPTIONS);
    this.sealAs(Channel);
  }

  /** Whether a peer is attached right now. */
  get connected(): boolean {
    return this.peerPipe !== undefined;
  }

  protected attachPipe(pipe: Pipe): boolean {
    // Exclusive: refuse a second peer (and a pipe already closed, e.g. an inproc link its
    // binder refused, so it cannot take the place of a live peer).
    if (this.peerPipe !== undefined || pipe.closed) return false;
    this.peerPipe = pipe;
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    if (this.peerPipe === pipe) this.peerPipe = undefined;
  }

  protected sendMessage(frames: Buffer[]): boolean {
    if (frames.length !== 1) throw new ZmqError('EINVAL', `CHANNEL send: messages are single-part, got ${frames.length} frames`);
    return this.peerPipe !== undefined && this.peerPipe.write(frames);
  }

  protected receiveMessage(): [Buffer] | undefined {
    for (;;) {
      const message = this.fairQueue.read();
      if (message === undefined) return undefined;
      if (message.length === 1) return message as [Buffer];
      // A multipart message from the wire is dropped whole (libzmq's xrecv does the same).
    }
  }

  protected override hasOutgoing(): boolean {
    return this.peerPipe?.writable === true;
  }
}
