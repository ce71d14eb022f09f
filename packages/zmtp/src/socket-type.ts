/**
 * Socket types and their compatibility (RFC 23 §"The Socket-Type Property" and RFC 37).
 * A connection between two socket types not listed as compatible is refused in the
 * handshake with an ERROR command.
 */

/**
 * The socket types, as sent in the `Socket-Type` property: the eleven standard ones,
 * libzmq 4.3's draft types (RFC 41 CLIENT/SERVER, RFC 48 RADIO/DISH, RFC 49
 * SCATTER/GATHER, RFC 51 PEER, RFC 52 CHANNEL), and STREAM, which never speaks ZMTP
 * (it is listed so that a raw-TCP socket can be named; it is compatible with nothing).
 */
export type SocketType =
  | 'PAIR'
  | 'PUB'
  | 'SUB'
  | 'REQ'
  | 'REP'
  | 'DEALER'
  | 'ROUTER'
  | 'PULL'
  | 'PUSH'
  | 'XPUB'
  | 'XSUB'
  | 'STREAM'
  | 'SERVER'
  | 'CLIENT'
  | 'RADIO'
  | 'DISH'
  | 'GATHER'
  | 'SCATTER'
  | 'DGRAM'
  | 'PEER'
  | 'CHANNEL';

/** All socket types, for validation. */
export const SOCKET_TYPES: readonly SocketType[] = [
  'PAIR', 'PUB', 'SUB', 'REQ', 'REP', 'DEALER', 'ROUTER', 'PULL', 'PUSH', 'XPUB', 'XSUB', 'STREAM',
  'SERVER', 'CLIENT', 'RADIO', 'DISH', 'GATHER', 'SCATTER', 'DGRAM', 'PEER', 'CHANNEL',
];

const COMPATIBLE: Readonly<Record<SocketType, readonly SocketType[]>> = {
  PAIR: ['PAIR'],
  PUB: ['SUB', 'XSUB'],
  SUB: ['PUB', 'XPUB'],
  XPUB: ['SUB', 'XSUB'],
  XSUB: ['PUB', 'XPUB'],
  REQ: ['REP', 'ROUTER'],
  REP: ['REQ', 'DEALER'],
  DEALER: ['REP', 'DEALER', 'ROUTER'],
  ROUTER: ['REQ', 'DEALER', 'ROUTER'],
  PUSH: ['PULL'],
  PULL: ['PUSH'],
  STREAM: [],
  SERVER: ['CLIENT'],
  CLIENT: ['SERVER'],
  RADIO: ['DISH'],
  DISH: ['RADIO'],
  GATHER: ['SCATTER'],
  SCATTER: ['GATHER'],
  DGRAM: ['DGRAM'],
  PEER: ['PEER'],
  CHANNEL: ['CHANNEL'],
};

/** Whether `ours` may talk to a peer announcing `theirs` (case-sensitive, as on the wire). */
export function isCompatibleSocketType(ours: SocketType, theirs: string): boolean {
  return (COMPATIBLE[ours] as readonly string[]).includes(theirs);
}

/** Whether `name` is a socket type this library knows (see {@link SocketType}). */
export function isSocketType(name: string): name is SocketType {
  return (SOCKET_TYPES as readonly string[]).includes(name);
}
