/**
 * @monocoque/stream — the STREAM socket (libzmq's `ZMQ_STREAM`): a ROUTER-like socket that
 * talks raw TCP (and IPC) to peers that do not speak ZMTP — HTTP clients, line protocols,
 * any byte stream. No greeting, no handshake, no framing: bytes pass through as they are.
 *
 * Semantics (libzmq 4.3's stream.cpp and raw engine, checked against npm `zeromq` 6):
 * - Every chunk received is the message `[routingId, data]`. Ids are generated per
 *   connection, 5 bytes (`0x00` + a 32-bit counter), unless given by
 *   `connect(address, { routingId })`. A connecting socket's id lasts across reconnects.
 * - With `notify` (ZMQ_STREAM_NOTIFY, default true) the application receives
 *   `[routingId, <empty>]` when a connection opens, and again when the peer closes it.
 * - `send([routingId, data])` writes `data` to that peer; `send([routingId, <empty>])`
 *   closes that connection (after what was sent before it; no notification follows, and a
 *   connecting socket does not reconnect). An unknown id rejects with `EHOSTUNREACH`.
 *   A peer over its send high-water mark makes the send wait. Frames after the second are
 *   not sent (libzmq sends only the second frame).
 * - Peer closes are reported as libzmq does: `handshake:error:other` (EPIPE) then
 *   `disconnect`; there is no `handshake` event.
 *
 * ```ts
 * import { Stream } from '@monocoque/stream';
 * const server = new Stream();
 * await server.bind('tcp://127.0.0.1:8080');
 * for await (const [id, data] of server) {
 *   if (data.length === 0) continue; // connect/disconnect notification
 *   await server.send([id, 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok']);
 *   await server.send([id, '']); // close the connection
 * }
 * ```
 */
import { type ConnectionFactory, type Message, type OptionSpec, type Pipe, RawConnection, Socket, type SocketOptions, ZmqError } from '@monocoque/core';

/** STREAM connections speak raw bytes, not ZMTP (core's raw-connection.ts). */
const rawConnections: ConnectionFactory = (owner, stream, options, endpoint) => new RawConnection(owner, stream, options, endpoint);

/** Options for {@link Stream}. */
export interface StreamOptions extends SocketOptions {
  /**
   * Deliver `[routingId, <empty>]` when a connection opens and when the peer closes it
   * (`ZMQ_STREAM_NOTIFY`, default true). Applies to new connections.
   */
  notify?: boolean;
}

/** Options of {@link Stream.connect}. */
export interface StreamConnectOptions {
  /**
   * The routing id of this connection (`ZMQ_CONNECT_ROUTING_ID`): 1-255 bytes, not starting
   * with a zero byte, unique on this socket. Messages can be sent to it at once; they wait
   * in its queue until connected.
   */
  routingId?: string | Uint8Array;
}

const STREAM_OPTIONS: readonly OptionSpec[] = [{ name: 'notify', kind: 'bool', default: true, applies: 'connection' }];

const key = (id: Buffer): string => id.toString('latin1');

/** A STREAM socket: raw TCP/IPC peers, messages `[routingId, data]`. */
export class Stream extends Socket {
  /** Deliver connect/disconnect notifications (`ZMQ_STREAM_NOTIFY`, default true). */
  declare notify: boolean;
  private readonly byId = new Map<string, Pipe>();
  private nextId = (Math.random() * 0xffffffff) >>> 0;

  /** @param options socket options; unknown names throw `EINVAL` */
  constructor(options: StreamOptions = {}) {
    super('STREAM', options, STREAM_OPTIONS);
    this.sealAs(Stream);
  }

  /**
   * Bind to a `tcp://` or `ipc://` endpoint and accept raw connections on it. Each accepted
   * connection gets its own generated routing id.
   */
  override bind(address: string): Promise<void> {
    if (isInproc(address)) return Promise.reject(inprocError(address));
    return super.bind(address);
  }

  /**
   * Connect to a raw `tcp://` or `ipc://` server. The connection's routing id is
   * `options.routingId`, or a generated one (read it from the first notification); it is
   * kept across reconnects.
   */
  override connect(address: string, options: StreamConnectOptions = {}): void {
    if (isInproc(address)) throw inprocError(address);
    if (options.routingId !== undefined) {
      const id = typeof options.routingId === 'string' ? Buffer.from(options.routingId, 'utf8') : Buffer.from(options.routingId);
      if (this.byId.has(key(id))) {
        throw new ZmqError('EINVAL', `connect ${address}: routing id ${formatId(id)} is already used by another connection of this STREAM socket`, { address });
      }
    }
    super.connect(address, options);
  }

  protected override get acceptsConnectRoutingId(): boolean {
    return true;
  }

  protected override get connectionFactory(): ConnectionFactory {
    return rawConnections;
  }

  protected attachPipe(pipe: Pipe): boolean {
    if (pipe.routingId === undefined) pipe.routingId = this.generateId();
    this.byId.set(key(pipe.routingId), pipe);
    return true;
  }

  protected detachPipe(pipe: Pipe): void {
    const k = key(pipe.routingId!);
    if (this.byId.get(k) === pipe) this.byId.delete(k);
  }

  protected sendMessage(frames: Buffer[]): boolean {
    if (frames.length < 2) {
      throw new ZmqError('EINVAL', `STREAM send: expected [routingId, data], got a message of ${frames.length} frame`);
    }
    const id = frames[0]!;
    const pipe = this.byId.get(key(id));
    if (pipe === undefined) {
      throw new ZmqError('EHOSTUNREACH', `STREAM send: no connection with routing id ${formatId(id)}`);
    }
    if (frames[1]!.length === 0) {
      // Close this connection once what was sent before is written (libzmq terminates the pipe).
      pipe.close(-1);
      return true;
    }
    return pipe.write(frames, 1);
  }

  protected receiveMessage(): Message | undefined {
    const message = this.fairQueue.read();
    if (message === undefined) return undefined;
    return [this.fairQueue.lastPipe!.routingId!, message[0]!];
  }

  private generateId(): Buffer {
    for (;;) {
      const id = Buffer.allocUnsafe(5);
      id[0] = 0;
      id.writeUInt32BE(this.nextId, 1);
      this.nextId = (this.nextId + 1) >>> 0;
      if (!this.byId.has(key(id))) return id;
    }
  }
}

function isInproc(address: unknown): boolean {
  return typeof address === 'string' && address.startsWith('inproc://');
}

function inprocError(address: string): ZmqError {
  return new ZmqError('EPROTONOSUPPORT', `${address}: a STREAM socket talks raw bytes over tcp:// or ipc:// only, not inproc://`, { address });
}

function formatId(id: Buffer): string {
  return /^[\x20-\x7e]+$/.test(key(id)) ? JSON.stringify(key(id)) : `0x${id.toString('hex')}`;
}
