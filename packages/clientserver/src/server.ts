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
import { type OptionSpec, type Pipe, Socket, type SocketOptions, ZmqError } from '@monocoque/core';

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
  private readonly byId = new Map<number, Pipe>();
  private nextId = (Math.random() * 0x1_0000_0000) >>> 0;

  /** Create a SERVER socket. */
  constructor(options: ServerOptions = {}) {
    super('SERVER', options, SERVER_OPTIONS);
    this.sealAs(Server);
  }

  protected attachPipe(pipe: Pipe): boolean {
    let id = this.nextId;
    // Never zero, never one in use (after 2^32 pipes the counter wraps).
    while (id === 0 || this.byId.has(id)) id = (id + 1) >>> 0;
    this.nextId = (id + 1) >>> 0;
    pipe.patternState = id;
    this.byId.set(id, pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    const id = pipe.patternState as number;
    if (this.byId.get(id) === pipe) this.byId.delete(id);
    // A send waiting for this peer's room now fails with EHOSTUNREACH (libzmq's retried xsend).
    this.wakeSenders();
  }

  protected sendMessage(frames: Buffer[], options: ServerRoutingOptions | undefined): boolean {
    if (frames.length !== 1) throw notSinglePart('SERVER', frames.length);
    const id = routingIdOf(options);
    const pipe = this.byId.get(id);
    if (pipe === undefined) throw new ZmqError('EHOSTUNREACH', `SERVER send: no peer with routing id ${id} is connected`);
    return pipe.write(frames);
  }

  protected receiveMessage(): [Buffer, ServerRoutingOptions] | undefined {
    for (;;) {
      const message = this.fairQueue.read();
      if (message === undefined) return undefined;
      // A multipart message from the wire is dropped whole (libzmq's xrecv does the same).
      if (message.length !== 1) continue;
      return [message[0]!, { routingId: this.fairQueue.lastPipe!.patternState as number }];
    }
  }
}

/** The routing id of `send()`'s second argument, validated. */
function routingIdOf(options: ServerRoutingOptions | undefined): number {
  const id = options?.routingId;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
    throw new ZmqError('EINVAL', `SERVER send: expected { routingId } with a uint32 routing id as the second argument, got ${describe(options)}`);
  }
  return id;
}

function describe(value: unknown): string {
  if (value === undefined) return 'none';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function notSinglePart(type: string, n: number): ZmqError {
  return new ZmqError('EINVAL', `${type} send: messages are single-part, got ${n} frames`);
}
