/**
 * The SERVER socket — RFC 41/CLIENTSERVER, section "The SERVER Socket Type" (libzmq 4.3's
 * draft `ZMQ_SERVER`).
 *
 * Design note. Every peer (CLIENT) gets a routing id when its pipe joins: a non-zero
 * uint32, counted up from a random start (libzmq: `_next_routing_id`, skipping zero). The
 * id is attached to every message received from that peer (`[payload, { routingId }]`)
 * and names the peer a reply goes to (`send(payload, { routingId })`). A pipe keeps its
 * id for its life, across reconnections of a connecting SERVER.
 *
 * Messages are single-part: sending more than one frame is refused with `EINVAL`, and a
 * multipart message arriving from the wire is dropped whole, as libzmq's `xrecv` does.
 * Sending to a routing id no peer has is `EHOSTUNREACH`; sending to a peer whose queue is
 * at its high-water mark waits (libzmq's `xsend` says `EAGAIN`, which a blocking
 * `zmq_send` waits on until `ZMQ_SNDTIMEO`), and fails with `EHOSTUNREACH` if the peer
 * goes away meanwhile. SERVER announces no `Identity` in its handshake.
 */
import { type OptionSpec, type Pipe, RoutingIds, Socket, type SocketOptions, assertSinglePart, readSinglePart } from '@monocoque/core';

/** Options for {@link Server}. */
export interface ServerOptions extends SocketOptions {}

/** Where a SERVER sends a message: the routing id of the peer, as received. */
export interface ServerRoutingOptions {
  /** The peer's routing id, from the `{ routingId }` of a message it sent. */
  routingId: number;
}

const SERVER_OPTIONS: readonly OptionSpec[] = [];

/**
 * A SERVER socket (zeromq.js draft `Server`): talks to many CLIENT peers, each known by a
 * numeric routing id; single-part messages only.
 *
 * ```ts
 * const server = new Server();
 * await server.bind('tcp://127.0.0.1:5555');
 * for await (const [request, { routingId }] of server) {
 *   await server.send(`echo ${request}`, { routingId });
 * }
 * ```
 */
export class Server extends Socket<[Buffer, ServerRoutingOptions], [ServerRoutingOptions]> {
  private readonly ids = new RoutingIds();

  /** Create a SERVER socket. */
  constructor(options: ServerOptions = {}) {
    super('SERVER', options, SERVER_OPTIONS);
    this.sealAs(Server);
  }

  protected attachPipe(pipe: Pipe): boolean {
    this.ids.add(pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    this.ids.remove(pipe);
    // A send waiting for this peer's room now fails with EHOSTUNREACH (libzmq's retried xsend).
    this.wakeSenders();
  }

  protected sendMessage(frames: Buffer[], options: ServerRoutingOptions | undefined): boolean {
    assertSinglePart('SERVER', frames);
    return this.ids.pipeFor('SERVER', options).write(frames);
  }

  protected receiveMessage(): [Buffer, ServerRoutingOptions] | undefined {
    const message = readSinglePart(this.fairQueue);
    return message === undefined ? undefined : [message[0], { routingId: RoutingIds.of(this.fairQueue.lastPipe!) }];
  }
}
