/**
 * The CLIENT socket — RFC 41/CLIENTSERVER, section "The CLIENT Socket Type" (libzmq 4.3's
 * draft `ZMQ_CLIENT`).
 *
 * Design note. A CLIENT is a single-part DEALER: each message goes to the next peer,
 * round-robin, that has room (`LoadBalancer`), and `send()` waits while none has (up to
 * `sendTimeout`, then `EAGAIN`); messages are fair-queued in from all peers. Sending more
 * than one frame is refused with `EINVAL`; a multipart message arriving from the wire is
 * dropped whole, as libzmq does. CLIENT announces no `Identity` in its handshake.
 */
import { LoadBalancer, type OptionSpec, type Pipe, Socket, type SocketOptions, ZmqError } from '@monocoque/core';

/** Options for {@link Client}. */
export interface ClientOptions extends SocketOptions {}

const CLIENT_OPTIONS: readonly OptionSpec[] = [];

/**
 * A CLIENT socket (zeromq.js draft `Client`): talks to SERVER peers, round-robin out and
 * fair-queued in; single-part messages only.
 *
 * ```ts
 * const client = new Client();
 * client.connect('tcp://127.0.0.1:5555');
 * await client.send('hello');
 * const [reply] = await client.receive();
 * ```
 */
export class Client extends Socket<[Buffer]> {
  private readonly lb = new LoadBalancer();

  /** Create a CLIENT socket. */
  constructor(options: ClientOptions = {}) {
    super('CLIENT', options, CLIENT_OPTIONS);
    this.sealAs(Client);
  }

  protected attachPipe(pipe: Pipe): boolean {
    this.lb.add(pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    this.lb.remove(pipe);
  }

  protected sendMessage(frames: Buffer[]): boolean {
    if (frames.length !== 1) throw new ZmqError('EINVAL', `CLIENT send: messages are single-part, got ${frames.length} frames`);
    return this.lb.send(frames) !== undefined;
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
    return this.lb.hasOut;
  }
}
