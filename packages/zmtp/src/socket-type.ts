/**
 * Socket types and their compatibility (RFC 23 §"The Socket-Type Property" and RFC 37).
 * A connection between two socket types not listed as compatible is refused in the
 * handshake with an ERROR command.
 */

/** The eleven standard ZeroMQ socket types, as sent in the `Socket-Type` property. */
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
  | 'XSUB';

/** All socket types, for validation. */
export const SOCKET_TYPES: readonly SocketType[] = [
  'PAIR', 'PUB', 'SUB', 'REQ', 'REP', 'DEALER', 'ROUTER', 'PULL', 'PUSH', 'XPUB', 'XSUB',
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
};

/** Whether `ours` may talk to a peer announcing `theirs` (case-sensitive, as on the wire). */
export function isCompatibleSocketType(ours: SocketType, theirs: string): boolean {
  return (COMPATIBLE[ours] as readonly string[]).includes(theirs);
}

/** Whether `name` is one of the eleven standard socket types. */
export function isSocketType(name: string): name is SocketType {
  return (SOCKET_TYPES as readonly string[]).includes(name);
}
