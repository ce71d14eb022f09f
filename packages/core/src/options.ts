/**
 * Socket options, named as in zeromq.js v6. All are optional constructor fields and
 * plain properties; times are milliseconds, `-1` means "forever"/"no limit".
 */
import { type Mechanism, ZmqError } from '@monocoque/zmtp';
import type { Transport } from './transport.js';

/** Options every socket type accepts. */
export interface SocketOptions {
  /** Routing id announced to peers (`ZMQ_ROUTING_ID`), 1-255 bytes, not starting with 0x00. */
  routingId?: string | Uint8Array;
  /** Milliseconds to keep flushing queued messages after `close()`; -1 = until sent, 0 = drop. Default -1. */
  linger?: number;
  /** Outbound queue limit per peer, in messages; 0 = no limit. Default 1000. */
  sendHighWaterMark?: number;
  /** Inbound queue limit per peer, in messages; 0 = no limit. Default 1000. */
  receiveHighWaterMark?: number;
  /** Milliseconds `send()` may wait before rejecting with `EAGAIN`; -1 = forever. Default -1. */
  sendTimeout?: number;
  /** Milliseconds `receive()` may wait before rejecting with `EAGAIN`; -1 = forever. Default -1. */
  receiveTimeout?: number;
  /** Largest accepted inbound frame in bytes; -1 = no limit. A larger frame drops the peer. Default -1. */
  maxMessageSize?: number;
  /** Milliseconds before the first reconnect attempt. Default 100. */
  reconnectInterval?: number;
  /** Upper bound for exponential reconnect back-off; 0 = no back-off. Default 0. */
  reconnectMaxInterval?: number;
  /** Milliseconds a connection may take to complete its ZMTP handshake; 0 = no limit. Default 30000. */
  handshakeInterval?: number;
  /** Milliseconds between PINGs on an idle connection; 0 = no heartbeats. Default 0. */
  heartbeatInterval?: number;
  /** Milliseconds without any inbound traffic before a heartbeating connection is dropped. Default = heartbeatInterval. */
  heartbeatTimeout?: number;
  /** TTL announced in our PINGs, in milliseconds (rounded to tenths of a second). Default 0. */
  heartbeatTimeToLive?: number;
  /** Security mechanism for this socket; NULL by default. */
  mechanism?: Mechanism;
  /** Transport for tcp:// and ipc:// endpoints; default from `MONOCOQUE_TRANSPORT`, else node:net. */
  transport?: Transport;
}

/** Options with defaults applied. */
export interface ResolvedOptions {
  routingId: Buffer | undefined;
  linger: number;
  sendHighWaterMark: number;
  receiveHighWaterMark: number;
  sendTimeout: number;
  receiveTimeout: number;
  maxMessageSize: number;
  reconnectInterval: number;
  reconnectMaxInterval: number;
  handshakeInterval: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  heartbeatTimeToLive: number;
  mechanism: Mechanism | undefined;
  transport: Transport | undefined;
}

function int(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new ZmqError('EINVAL', `option ${name} must be an integer >= ${min}, got ${String(value)}`);
  }
  return value;
}

/** Validate a routing id and return it as a Buffer. */
export function toRoutingId(value: string | Uint8Array, option = 'routingId'): Buffer {
  const id = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value);
  if (id.length < 1 || id.length > 255) throw new ZmqError('EINVAL', `option ${option} must be 1-255 bytes, got ${id.length}`);
  if (id[0] === 0) throw new ZmqError('EINVAL', `option ${option} must not start with a zero byte (reserved for generated ids)`);
  return id;
}

/** Apply defaults and validate. */
export function resolveOptions(o: SocketOptions): ResolvedOptions {
  const heartbeatInterval = int('heartbeatInterval', o.heartbeatInterval ?? 0, 0);
  return {
    routingId: o.routingId === undefined ? undefined : toRoutingId(o.routingId),
    linger: int('linger', o.linger ?? -1, -1),
    sendHighWaterMark: int('sendHighWaterMark', o.sendHighWaterMark ?? 1000, 0),
    receiveHighWaterMark: int('receiveHighWaterMark', o.receiveHighWaterMark ?? 1000, 0),
    sendTimeout: int('sendTimeout', o.sendTimeout ?? -1, -1),
    receiveTimeout: int('receiveTimeout', o.receiveTimeout ?? -1, -1),
    maxMessageSize: int('maxMessageSize', o.maxMessageSize ?? -1, -1),
    reconnectInterval: int('reconnectInterval', o.reconnectInterval ?? 100, 1),
    reconnectMaxInterval: int('reconnectMaxInterval', o.reconnectMaxInterval ?? 0, 0),
    handshakeInterval: int('handshakeInterval', o.handshakeInterval ?? 30_000, 0),
    heartbeatInterval,
    heartbeatTimeout: int('heartbeatTimeout', o.heartbeatTimeout ?? heartbeatInterval, 0),
    heartbeatTimeToLive: int('heartbeatTimeToLive', o.heartbeatTimeToLive ?? 0, 0),
    mechanism: o.mechanism,
    transport: o.transport,
  };
}
