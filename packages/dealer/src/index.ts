/**
 * @monocoque/dealer — the DEALER socket (RFC 28): round-robin send to peers that have
 * room, fair-queued receive, no envelope handling. Talks to REP, DEALER and ROUTER peers.
 *
 * ```ts
 * import { Dealer } from '@monocoque/dealer';
 * const dealer = new Dealer({ routingId: 'client-1' });
 * dealer.connect('tcp://127.0.0.1:5555');
 * await dealer.send(['', 'hello']);
 * const [, reply] = await dealer.receive();
 * ```
 */
import { LoadBalancer, type Message, type Pipe, Socket, type SocketOptions } from '@monocoque/core';

/** Options for {@link Dealer}. */
export interface DealerOptions extends SocketOptions {}

/** A DEALER socket. */
export class Dealer extends Socket {
  private readonly lb = new LoadBalancer();

  constructor(options: DealerOptions = {}) {
    super('DEALER', options);
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
    return this.fairQueue.read();
  }
}
