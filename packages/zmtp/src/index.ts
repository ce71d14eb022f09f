/**
 * @monocoque/zmtp — a sans-IO implementation of ZMTP 3.1 (RFC 37) with 3.0 (RFC 23)
 * compatibility: greeting, framing, commands, metadata, socket-type rules, the NULL and
 * PLAIN mechanisms, and the `Mechanism` interface CURVE plugs into.
 *
 * Bytes in, frames and events out: nothing here touches sockets, timers or the event loop.
 */
export { ERRNO, ZmqError, errnoOf, isZmqError, type ErrorCode, type ZmqErrorOptions } from './errors.js';
export { type SocketType, SOCKET_TYPES, isCompatibleSocketType, isSocketType } from './socket-type.js';
export {
  GREETING_SIZE,
  GREETING_VERSION_SIZE,
  type GreetingOptions,
  type PeerGreeting,
  checkGreeting,
  encodeGreeting,
} from './greeting.js';
export {
  FLAG_COMMAND,
  FLAG_LONG,
  FLAG_MORE,
  MAX_SHORT_SIZE,
  COPY_BELOW,
  PIN_ABOVE,
  RUN_BYTES,
  FrameDecoder,
  type FrameSink,
  encodeFrame,
  frameHeaderSize,
  writeFrameHeader,
} from './frame.js';
export {
  type Command,
  type Metadata,
  type Ping,
  GROUP_MAX_LENGTH,
  MAX_PING_CONTEXT,
  decodeCommand,
  decodeErrorReason,
  decodeMetadata,
  decodePing,
  encodeCancel,
  encodeCommand,
  encodeError,
  encodeJoin,
  encodeLeave,
  encodeMetadata,
  encodePing,
  encodePong,
  encodeReady,
  encodeSubscribe,
} from './command.js';
export {
  type FrameTransform,
  type HandshakeCallbacks,
  type HandshakeContext,
  type HandshakeFailure,
  type HandshakeIdentity,
  type Mechanism,
  type MechanismHandshake,
  type ZapStatus,
  type ZapVerdict,
  authError,
  peerRefusal,
  zapRefusal,
} from './mechanism.js';
export { NULL_MECHANISM } from './null-mechanism.js';
export { type PlainOptions, plainMechanism } from './plain-mechanism.js';
export { type PeerInfo, type SessionHandlers, type SessionOptions, type ZapQuestion, ZmtpSession } from './session.js';
export { z85Decode, z85Encode } from './z85.js';
