/**
 * @monocoque/core — the socket engine: endpoints, transports, per-peer pipes and the
 * socket base every pattern package extends. Applications normally import a pattern
 * package (`@monocoque/dealer`, `@monocoque/router`, ...) instead.
 */
export { ERRNO, ZmqError, errnoOf, isZmqError, type ErrorCode, type SocketType, type Mechanism, type ZapStatus } from '@monocoque/zmtp';
export { Socket, type ConnectOptions } from './socket.js';
export {
  type SocketOptions,
  type OptionSpec,
  type OptionKind,
  type OptionApplies,
  type OptionProvider,
  BASE_OPTIONS,
  UNSUPPORTED_PATTERN_OPTIONS,
  registerOptionProvider,
} from './options.js';
export { type FrameLike, type MessageLike, toFrame, toFrames } from './message.js';
export { Pipe, type Message, type PreparedMessage, prepareMessage } from './pipe.js';
export { FairQueue, LoadBalancer, RoutingIds, assertSinglePart, readSinglePart } from './routing.js';
export { Deque } from './deque.js';
export { SocketEvents, type SocketEvent, type SocketEventType, type SocketEventOf, type EventPeer } from './events.js';
export { type Endpoint, formatEndpoint, parseEndpoint } from './endpoint.js';
export type { ConnectOptions as TransportConnectOptions, Listener, Stream, StreamEndpoint, StreamHandlers, Transport } from './transport.js';
export { netTransport } from './net-transport.js';
export { type ZapHandler, type ZapReply, type ZapRequest, hasZapHandler, installZapHandler } from './zap.js';
export { getDefaultTransport, registerTransport, registeredTransports, setDefaultTransport } from './transport-registry.js';
export { debug as debugLog } from './debug.js';
export type { ConnectionFactory, ConnectionOwner, PeerConnection } from './connection.js';
export { RawConnection } from './raw-connection.js';
