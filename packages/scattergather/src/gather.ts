/**
 * The GATHER socket — RFC 49/SCATTERGATHER (libzmq 4.3's draft `ZMQ_GATHER`).
 *
 * Design note. GATHER is a single-part PULL: messages are fair-queued over all SCATTER
 * peers (`FairQueue`), each peer's inbound queue bounded by `receiveHighWaterMark`. A
 * multipart message arriving from the wire is dropped whole, as libzmq's `xrecv` does.
 * GATHER cannot send: `send()` rejects and `write()` throws with `ENOTSUP`.
 */
import { type OptionSpec, type Pipe, Socket, type SocketOptions, UNSUPPORTED_PATTERN_OPTIONS, ZmqError } from '@monocoque/core';

/** Options for {@link Gather}. */
export interface GatherOptions extends SocketOptions {
  /** Not supported: accepted only as false. */ conflate?: boolean;
}

const GATHER_OPTIONS: readonly OptionSpec[] = [UNSUPPORTED_PATTERN_OPTIONS.conflate];

/**
 * A GATHER socket (zeromq.js draft `Gather`): receives single-part messages fair-queued
 * from SCATTER peers.
 *
 * ```ts
 * const gather = new Gather();
 * gather.connect('tcp://127.0.0.1:5557');
 * for await (const [job] of gather) console.log(String(job));
 * ```
 */
export class Gather extends Socket<[Buffer]> {
  /** Not supported: accepted only as false. */
  declare conflate: boolean;

  /** Create a GATHER socket. */
  constructor(options: GatherOptions = {}) {
    super('GATHER', options, GATHER_OPTIONS);
    this.sealAs(Gather);
  }

  /** A GATHER socket cannot send: `send()` rejects and `write()` throws with `ENOTSUP`. */
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

  protected receiveMessage(): [Buffer] | undefined {
    for (;;) {
      const message = this.fairQueue.read();
      if (message === undefined) return undefined;
      if (message.length === 1) return message as [Buffer];
      // A multipart message from the wire is dropped whole (libzmq's xrecv does the same).
    }
  }
}

function notSupported(): ZmqError {
  return new ZmqError('ENOTSUP', 'a GATHER socket cannot send messages (use a SCATTER socket)');
}
