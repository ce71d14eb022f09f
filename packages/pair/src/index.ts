/**
 * @monocoque/pair — the PAIR socket, RFC 31/EXPAIR ("Exclusive Pair").
 *
 * Design note. A PAIR talks to exactly one PAIR peer at a time. The first peer to
 * complete its handshake is attached; any further connection is refused while it is
 * there (closed right after the handshake, like libzmq, which terminates the extra pipe).
 * `send()` writes to that peer and waits — never drops — while there is no peer or its
 * queue is at the high-water mark. Messages still queued from a peer that went away are
 * delivered before those of the next one.
 *
 * ```ts
 * import { Pair } from '@monocoque/pair';
 * const a = new Pair();
 * await a.bind('inproc://pair-demo');
 * const b = new Pair();
 * b.connect('inproc://pair-demo');
 * await b.send('hello');
 * const [hello] = await a.receive();
 * ```
 */
import { type Message, type Pipe, Socket, type SocketOptions } from '@monocoque/core';

/** Options for {@link Pair}. */
export interface PairOptions extends SocketOptions {}

/** A PAIR socket (zeromq.js `Pair`): one exclusive, bidirectional peer. */
export class Pair extends Socket {
  private peerPipe: Pipe | undefined;

  /** Create a PAIR socket. */
  constructor(options: PairOptions = {}) {
    super('PAIR', options);
    this.sealAs(Pair);
  }

  /** Whether a peer is attached right now. */
  get connected(): boolean {
    return this.peerPipe !== undefined;
  }

  protected attachPipe(pipe: Pipe): boolean {
    // Exclusive: refuse a second peer. (A pipe already closed — an inproc link its binder
    // refused — is refused too, so it cannot take the place of a live peer.)
    if (this.peerPipe !== undefined || pipe.closed) return false;
    this.peerPipe = pipe;
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    if (this.peerPipe === pipe) this.peerPipe = undefined;
  }

  protected sendMessage(frames: Buffer[]): boolean {
    return this.peerPipe !== undefined && this.peerPipe.write(frames);
  }

  protected receiveMessage(): Message | undefined {
    return this.fairQueue.read();
  }

  protected override hasOutgoing(): boolean {
    return this.peerPipe?.writable === true;
  }
}
