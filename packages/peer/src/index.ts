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
import { type OptionSpec, type Pipe, Socket, type SocketOptions, ZmqError } from '@monocoque/core';

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
  private readonly byId = new Map<number, Pipe>();
  private nextId = (Math.random() * 0x1_0000_0000) >>> 0;
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
    let id = this.nextId;
    // Never zero, never one in use (after 2^32 pipes the counter wraps).
    while (id === 0 || this.byId.has(id)) id = (id + 1) >>> 0;
    this.nextId = (id + 1) >>> 0;
    pipe.patternState = id;
    this.byId.set(id, pipe);
    this.lastAttachedId = id;
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    const id = pipe.patternState as number;
    if (this.byId.get(id) === pipe) this.byId.delete(id);
    // A send waiting for this peer's room now fails with EHOSTUNREACH (libzmq's retried xsend).
    this.wakeSenders();
  }

  protected sendMessage(frames: Buffer[], options: PeerRoutingOptions | undefined): boolean {
    if (frames.length !== 1) throw new ZmqError('EINVAL', `PEER send: messages are single-part, got ${frames.length} frames`);
    const id = options?.routingId;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffff_ffff) {
      throw new ZmqError('EINVAL', `PEER send: expected { routingId } with a uint32 routing id as the second argument, got ${describe(options)}`);
    }
    const pipe = this.byId.get(id);
    if (pipe === undefined) throw new ZmqError('EHOSTUNREACH', `PEER send: no peer with routing id ${id} is connected`);
    return pipe.write(frames);
  }

  protected receiveMessage(): [Buffer, PeerRoutingOptions] | undefined {
    for (;;) {
      const message = this.fairQueue.read();
      if (message === undefined) return undefined;
      // A multipart message from the wire is dropped whole (libzmq's xrecv does the same).
      if (message.length !== 1) continue;
      return [message[0]!, { routingId: this.fairQueue.lastPipe!.patternState as number }];
    }
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'none';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
