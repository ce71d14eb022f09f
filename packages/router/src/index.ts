/**
 * @monocoque/router — the ROUTER socket (RFC 28). Every received message is prefixed
 * with the routing id of the peer it came from; every sent message is routed by its
 * first frame. Peers are identified by the `Identity` they announce, or by a generated
 * 5-byte id (0x00 + 32-bit counter, as libzmq does).
 *
 * Unroutable messages (unknown id, or a peer over its high-water mark) are dropped
 * silently, or — with `mandatory: true` — rejected with `EHOSTUNREACH` (unknown id) or
 * held until the peer has room (full pipe).
 *
 * ```ts
 * import { Router } from '@monocoque/router';
 * const router = new Router();
 * await router.bind('tcp://*:5555');
 * for await (const [id, ...frames] of router) await router.send([id, ...frames]);
 * ```
 */
import { type Message, type OptionSpec, type Pipe, Socket, type SocketOptions, UNSUPPORTED_PATTERN_OPTIONS, ZmqError } from '@monocoque/core';

/** Options for {@link Router}. */
export interface RouterOptions extends SocketOptions {
  /** Reject unroutable messages with `EHOSTUNREACH` instead of dropping them (`ZMQ_ROUTER_MANDATORY`). */
  mandatory?: boolean;
  /** A new peer announcing a routing id already in use takes it over (`ZMQ_ROUTER_HANDOVER`); otherwise it is refused. */
  handover?: boolean;
  /** Not supported: accepted only as false. */
  probeRouter?: boolean;
}

const ROUTER_OPTIONS: readonly OptionSpec[] = [
  { name: 'mandatory', kind: 'bool', default: false, applies: 'now' },
  { name: 'handover', kind: 'bool', default: false, applies: 'now' },
  UNSUPPORTED_PATTERN_OPTIONS.probeRouter,
];

/** A ROUTER socket. */
export class Router extends Socket {
  /** Reject unroutable messages with `EHOSTUNREACH` instead of dropping them (`ZMQ_ROUTER_MANDATORY`). */
  declare mandatory: boolean;
  /** A new peer with an id already in use takes over that id instead of being refused (`ZMQ_ROUTER_HANDOVER`). */
  declare handover: boolean;
  /** Not supported: accepted only as false. */
  declare probeRouter: boolean;
  private readonly byId = new Map<string, Pipe>();
  private nextId = (Math.random() * 0xffffffff) >>> 0;

  constructor(options: RouterOptions = {}) {
    super('ROUTER', options, ROUTER_OPTIONS);
    this.sealAs(Router);
  }

  /**
   * Connect to a peer. With `routingId`, the peer is known by that id from now on, so
   * messages can be routed to it (and queue) before it has connected or said anything
   * (`ZMQ_CONNECT_ROUTING_ID`, zeromq.js's `connect(address, { routingId })`).
   */
  override connect(address: string, options: { routingId?: string | Uint8Array } = {}): void {
    super.connect(address, options);
  }

  protected override get acceptsConnectRoutingId(): boolean {
    return true;
  }

  protected attachPipe(pipe: Pipe): boolean {
    // A pipe made at connect() without a routing id stays anonymous (unroutable) until its
    // peer's handshake names it (onPipeConnected).
    if (pipe.routingId === undefined && pipe.peer === undefined) return true;
    return this.identify(pipe);
  }

  protected override onPipeConnected(pipe: Pipe): boolean {
    // Reconnections keep the id they had (libzmq assumes the peer keeps its id).
    return pipe.routingId !== undefined || this.identify(pipe);
  }

  private identify(pipe: Pipe): boolean {
    if (pipe.routingId !== undefined) {
      const key = pipe.routingId.toString('latin1');
      if (this.byId.has(key) && !this.takeOver(key)) return false;
      this.byId.set(key, pipe);
      return true;
    }
    let id = pipe.peer?.identity;
    if (id !== undefined && id.length > 0) {
      const key = id.toString('latin1');
      if (this.byId.has(key) && !this.takeOver(key)) return false;
    } else {
      id = this.generateId();
    }
    pipe.routingId = id;
    this.byId.set(id.toString('latin1'), pipe);
    return true;
  }

  /** Another peer holds `key`: with handover, drop it; otherwise refuse the newcomer. */
  private takeOver(key: string): boolean {
    if (!this.handover) return false;
    const existing = this.byId.get(key)!;
    this.byId.delete(key);
    existing.routingId = undefined;
    existing.close(0);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    if (pipe.routingId === undefined) return;
    const key = pipe.routingId.toString('latin1');
    if (this.byId.get(key) === pipe) this.byId.delete(key);
  }

  protected sendMessage(frames: Buffer[]): boolean {
    const id = frames[0]!;
    if (frames.length < 2) {
      throw new ZmqError('EINVAL', `ROUTER send: expected [routingId, ...frames], got a message of ${frames.length} frame`);
    }
    const pipe = this.byId.get(id.toString('latin1'));
    if (pipe === undefined) {
      if (this.mandatory) {
        throw new ZmqError('EHOSTUNREACH', `ROUTER send: no peer with routing id ${formatId(id)} is connected`);
      }
      return true; // dropped, as libzmq does
    }
    if (pipe.write(frames, 1)) return true;
    return !this.mandatory; // full pipe: drop, or wait for room with mandatory
  }

  protected receiveMessage(): Message | undefined {
    const message = this.fairQueue.read();
    if (message === undefined) return undefined;
    const id = this.fairQueue.lastPipe!.routingId!;
    // A literal beats Array#unshift for the common single-frame message.
    if (message.length === 1) return [id, message[0]!];
    message.unshift(id);
    return message;
  }

  private generateId(): Buffer {
    for (;;) {
      const id = Buffer.allocUnsafe(5);
      id[0] = 0;
      id.writeUInt32BE(this.nextId, 1);
      this.nextId = (this.nextId + 1) >>> 0;
      if (!this.byId.has(id.toString('latin1'))) return id;
    }
  }
}

function formatId(id: Buffer): string {
  return /^[\x20-\x7e]+$/.test(id.toString('latin1')) ? JSON.stringify(id.toString('latin1')) : `0x${id.toString('hex')}`;
}
