/**
 * The PULL socket — RFC 30/PIPELINE, section "The PULL Socket Type".
 *
 * Design note. Messages are fair-queued over all PUSH peers (`FairQueue`: one message per
 * peer with something queued, in turn), so a fast pusher cannot starve the others. Each
 * peer's inbound queue is bounded by `receiveHighWaterMark`, which pushes back on it. PULL
 * cannot send: `send()` rejects and `write()` throws with `ENOTSUP` (zeromq.js's `Pull`
 * has no `send` at all; the methods exist only because the socket base declares them).
 */
import { type Message, type OptionSpec, type Pipe, Socket, type SocketOptions, UNSUPPORTED_PATTERN_OPTIONS, ZmqError } from '@monocoque/core';

/** Options for {@link Pull}. */
export interface PullOptions extends SocketOptions {
  /** Not supported: accepted only as false. */ conflate?: boolean;
}

const PULL_OPTIONS: readonly OptionSpec[] = [UNSUPPORTED_PATTERN_OPTIONS.conflate];

/**
 * A PULL socket (zeromq.js `Pull`): receives messages fair-queued from PUSH peers.
 *
 * ```ts
 * const pull = new Pull();
 * pull.connect('tcp://127.0.0.1:5557');
 * for await (const [job, id] of pull) console.log(String(job), String(id));
 * ```
 */
export class Pull extends Socket {
  /** Create a PULL socket. */
  constructor(options: PullOptions = {}) {
    super('PULL', options, PULL_OPTIONS);
    this.sealAs(Pull);
  }

  /** A PULL socket cannot send: `send()` rejects and `write()` throws with `ENOTSUP`. */
  protected override admitSend(): void {
    throw notSupported();
  }

  protected attachPipe(_pipe: Pipe): boolean {
    return true;
  }

  protected detachPipe(_pipe: Pipe): void {
    // Messages still queued on the pipe are drained by the fair queue.
  }

  protected sendMessage(_frames: Buffer[]): boolean {
    throw notSupported();
  }

  protected receiveMessage(): Message | undefined {
    return this.fairQueue.read();
  }
}

function notSupported(): ZmqError {
  return new ZmqError('ENOTSUP', 'a PULL socket cannot send messages (use a PUSH socket)');
}
