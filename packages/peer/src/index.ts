/**
 * @monocoque/peer — the draft PEER socket of RFC 51/P2P (libzmq 4.3's `ZMQ_PEER`).
 *
 * Design note. A PEER is a SERVER that also connects: every pipe — accepted, or created
 * by `connect()`/`connectPeer()` — gets a non-zero uint32 routing id when it joins
 * (counted up from a random start, as libzmq's server_t), attached to every message
 * received on it (`[payload, { routingId }]`) and used to address a message to it
 * (`send(payload, { routingId })`). `connectPeer(address)` returns the id of the pipe it
 * creates (libzmq's `zmq_connect_peer`), so a PEER can send to a peer it connected to
 * before that peer has said anything; messages queue on that pipe until it is connected.
 * The id stays the pipe's across reconnections. Like libzmq, `connectPeer` needs a pipe
 * at connect time, so it refuses `immediate: true` with `EFAULT`.
 *
 * Messages are single-part: sending more than one frame is `EINVAL`; a multipart message
 * from the wire is dropped whole. Sending to an unknown routing id is `EHOSTUNREACH`;
 * sending to a peer at its high-water mark waits (up to `sendTimeout`, then `EAGAIN`).
 * PEER announces no `Identity` in its handshake.
 *
 * ```ts
 * import { Peer } from '@monocoque/peer';
 * const a = new Peer();
 * await a.bind('inproc://p2p-demo');
 * const b = new Peer();
 * const toA = b.connectPeer('inproc://p2p-demo');
 * await b.send('hello', { routingId: toA });
 * const [hello, { routingId: toB }] = await a.receive();
 * await a.send('hi back', { routingId: toB });
 * ```
 */
import { type OptionSpec, type Pipe, RoutingIds, Socket, type SocketOptions, ZmqError, assertSinglePart, readSinglePart } from '@monocoque/core';

/** Options for {@link Peer}. */
export interface PeerOptions extends SocketOptions {}

/** Where a PEER sends a message: the routing id of the peer. */
export interface PeerRoutingOptions {
  /** The peer's routing id: from `connectPeer()`, or the `{ routingId }` of a message it sent. */
  routingId: number;
}

const PEER_OPTIONS: readonly OptionSpec[] = [];

/** A PEER socket: many PEER peers, bound or connected, each known by a numeric routing id; single-part messages only. */
export class Peer extends Socket<[Buffer, PeerRoutingOptions], [PeerRoutingOptions]> {
  private readonly ids = new RoutingIds();
  private lastAttachedId = 0;

  /** Create a PEER socket. */
  constructor(options: PeerOptions = {}) {
    super('PEER', options, PEER_OPTIONS);
    this.sealAs(Peer);
  }

  /**
   * Connect to a PEER and return the routing id of the pipe this creates (libzmq's
   * `zmq_connect_peer`): messages sent with it queue until the connection is up. Throws
   * as `connect()` does; `EFAULT` when `immediate` is set (no pipe exists before the
   * connection then, so there is no id to return).
   */
  connectPeer(address: string): number {
    if (this.immediate) {
      throw new ZmqError('EFAULT', `connectPeer ${address}: needs a pipe at connect time, but immediate is set`, { address });
    }
    this.lastAttachedId = 0;
    this.connect(address);
    const id = this.lastAttachedId;
    if (id === 0) throw new ZmqError('EINVAL', `connectPeer ${address}: no pipe was created for the peer`, { address });
    return id;
  }

  protected attachPipe(pipe: Pipe): boolean {
    this.lastAttachedId = this.ids.add(pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    this.ids.remove(pipe);
    // A send waiting for this peer's room now fails with EHOSTUNREACH (libzmq's retried xsend).
    this.wakeSenders();
  }

  protected sendMessage(frames: Buffer[], options: PeerRoutingOptions | undefined): boolean {
    assertSinglePart('PEER', frames);
    return this.ids.pipeFor('PEER', options).write(frames);
  }

  protected receiveMessage(): [Buffer, PeerRoutingOptions] | undefined {
    const message = readSinglePart(this.fairQueue);
    return message === undefined ? undefined : [message[0], { routingId: RoutingIds.of(this.fairQueue.lastPipe!) }];
  }
}
