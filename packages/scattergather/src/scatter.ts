/**
 * The SCATTER socket — RFC 49/SCATTERGATHER (libzmq 4.3's draft `ZMQ_SCATTER`).
 *
 * Design note. SCATTER is a single-part PUSH: each message goes to the next GATHER peer,
 * round-robin, that has room (`LoadBalancer`); full peers are skipped, and with no peer
 * able to take it `send()` waits (up to `sendTimeout`, then `EAGAIN`) — a message is never
 * dropped. Sending more than one frame is refused with `EINVAL` (libzmq's `xsend`).
 * SCATTER cannot receive: `receive()` rejects with `ENOTSUP`.
 */
import { LoadBalancer, type OptionSpec, type Pipe, Socket, type SocketOptions, UNSUPPORTED_PATTERN_OPTIONS, ZmqError } from '@monocoque/core';

/** Options for {@link Scatter}. */
export interface ScatterOptions extends SocketOptions {
  /** Not supported: accepted only as false. */ conflate?: boolean;
}

const SCATTER_OPTIONS: readonly OptionSpec[] = [UNSUPPORTED_PATTERN_OPTIONS.conflate];

/**
 * A SCATTER socket (zeromq.js draft `Scatter`): distributes single-part messages
 * round-robin over GATHER peers that have room, waiting while none has.
 *
 * ```ts
 * const scatter = new Scatter();
 * await scatter.bind('tcp://127.0.0.1:5557');
 * await scatter.send('job 42');
 * ```
 */
export class Scatter extends Socket<never> {
  /** Not supported: accepted only as false. */
  declare conflate: boolean;
  private readonly lb = new LoadBalancer();

  /** Create a SCATTER socket. */
  constructor(options: ScatterOptions = {}) {
    super('SCATTER', options, SCATTER_OPTIONS);
    this.sealAs(Scatter);
  }

  /** A SCATTER socket cannot receive: `receive()` rejects with `ENOTSUP`. */
  protected override admitReceive(): void {
    throw new ZmqError('ENOTSUP', 'a SCATTER socket cannot receive messages (use a GATHER socket)');
  }

  protected attachPipe(pipe: Pipe): boolean {
    this.lb.add(pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    this.lb.remove(pipe);
  }

  protected sendMessage(frames: Buffer[]): boolean {
    if (frames.length !== 1) throw new ZmqError('EINVAL', `SCATTER send: messages are single-part, got ${frames.length} frames`);
    return this.lb.send(frames) !== undefined;
  }

  protected receiveMessage(): undefined {
    return undefined;
  }

  protected override hasIncoming(): boolean {
    return false;
  }

  protected override hasOutgoing(): boolean {
    return this.lb.hasOut;
  }
}
