/**
 * The PUSH socket — RFC 30/PIPELINE, section "The PUSH Socket Type".
 *
 * Design note. Each message goes to the next peer, round-robin, that can take it now;
 * peers whose queue is at its high-water mark are skipped (`LoadBalancer`). When no peer
 * can take it — none connected, or all full — `send()` waits (up to `sendTimeout`, then
 * `EAGAIN`); a message is never dropped. PUSH cannot receive: `receive()` rejects with
 * `ENOTSUP` (zeromq.js's `Push` has no `receive` at all; the method exists here only
 * because the socket base declares it, and is typed to never yield a message).
 */
import { LoadBalancer, type Message, type OptionSpec, type Pipe, Socket, type SocketOptions, UNSUPPORTED_PATTERN_OPTIONS, ZmqError } from '@monocoque/core';

/** Options for {@link Push}. */
export interface PushOptions extends SocketOptions {
  /** Not supported: accepted only as false. */ conflate?: boolean;
}

const PUSH_OPTIONS: readonly OptionSpec[] = [UNSUPPORTED_PATTERN_OPTIONS.conflate];

/**
 * A PUSH socket (zeromq.js `Push`): distributes messages round-robin over PULL peers
 * that have room, waiting while none has.
 *
 * ```ts
 * const push = new Push();
 * await push.bind('tcp://127.0.0.1:5557');
 * await push.send(['job', '42']);
 * ```
 */
export class Push extends Socket {
  private readonly lb = new LoadBalancer();

  /** Create a PUSH socket. */
  constructor(options: PushOptions = {}) {
    super('PUSH', options, PUSH_OPTIONS);
    this.sealAs(Push);
  }

  /** A PUSH socket cannot receive: `receive()` rejects with `ENOTSUP`. */
  protected override admitReceive(): void {
    throw notSupported();
  }

  protected attachPipe(pipe: Pipe): boolean {
    this.lb.add(pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    this.lb.remove(pipe);
  }

  protected sendMessage(frames: Buffer[]): boolean {
    return this.lb.send(frames) !== undefined;
  }

  protected receiveMessage(): Message | undefined {
    return undefined;
  }

  protected override hasIncoming(): boolean {
    return false;
  }

  protected override hasOutgoing(): boolean {
    return this.lb.hasOut;
  }
}

function notSupported(): ZmqError {
  return new ZmqError('ENOTSUP', 'a PUSH socket cannot receive messages (use a PULL socket)');
}
