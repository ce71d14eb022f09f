/**
 * The inproc:// registry: a process-wide name table, kept in the shared runtime so that
 * every loaded copy of this package (ESM and CJS) meets in it. `connect` before `bind` is
 * allowed (as in libzmq ≥ 4): the connecting socket gets its pipe at once, so messages
 * queue in it, and the far end is handed to the socket that binds the name.
 */
import { isCompatibleSocketType, ZmqError } from '@monocoque/zmtp';
import { type InprocEndpointOwner, InprocPipe } from './pipe.js';
import { runtime } from './runtime.js';

/** The socket side the registry calls back. */
export interface InprocPeer extends InprocEndpointOwner {
  /** Attach a newly created inproc pipe (`linked`: its far end belongs to a socket already). */
  attachInproc(pipe: InprocPipe, linked: boolean): void;
  /** A pipe attached before its name was bound is now linked to the binder. */
  inprocLinked(pipe: InprocPipe): void;
  /** Report a refused inproc connection. */
  inprocRefused(endpoint: string, error: ZmqError): void;
}

/** @internal */
export interface InprocRegistryState {
  readonly bound: Map<string, InprocPeer>;
  readonly waiting: Map<string, Set<PendingLink>>;
}

/** A connect waiting for its bind: the connecter's pipe exists, its twin buffers. */
interface PendingLink {
  readonly connecter: InprocPeer;
  readonly pipe: InprocPipe;
  readonly twin: InprocPipe;
}

const state: InprocRegistryState = (runtime.inproc ??= { bound: new Map(), waiting: new Map() });
const { bound, waiting } = state;

function compatible(binder: InprocPeer, connecter: InprocPeer, endpoint: string): boolean {
  if (isCompatibleSocketType(connecter.type, binder.type)) return true;
  const error = new ZmqError('ENOCOMPATPROTO', `handshake: a ${connecter.type} socket cannot talk to a "${binder.type}" peer`, { address: endpoint });
  connecter.inprocRefused(endpoint, error);
  binder.inprocRefused(endpoint, error);
  return false;
}

function link(binder: InprocPeer, connecter: InprocPeer, endpoint: string, routingId: Buffer | undefined): void {
  if (!compatible(binder, connecter, endpoint)) return;
  const [forConnecter, forBinder] = InprocPipe.pair(connecter, binder, endpoint);
  if (routingId !== undefined) forConnecter.routingId = routingId;
  binder.attachInproc(forBinder, true);
  connecter.attachInproc(forConnecter, true);
}

function complete(binder: InprocPeer, pending: PendingLink, endpoint: string): void {
  if (pending.pipe.closed) return;
  if (!compatible(binder, pending.connecter, endpoint)) {
    pending.pipe.close(0);
    return;
  }
  pending.twin.link(pending.connecter, binder);
  binder.attachInproc(pending.twin, true);
  pending.connecter.inprocLinked(pending.pipe);
}

/** Bind `name` to `socket`; throws EADDRINUSE when taken. */
export function inprocBind(name: string, socket: InprocPeer): void {
  const endpoint = `inproc://${name}`;
  if (bound.has(name)) throw new ZmqError('EADDRINUSE', `bind ${endpoint} failed: address already in use`, { address: endpoint });
  bound.set(name, socket);
  const queue = waiting.get(name);
  if (queue !== undefined) {
    waiting.delete(name);
    for (const pending of queue) complete(socket, pending, endpoint);
  }
}

/** Release `name` if `socket` holds it. */
export function inprocUnbind(name: string, socket: InprocPeer): boolean {
  if (bound.get(name) !== socket) return false;
  bound.delete(name);
  return true;
}

/**
 * Connect `socket` to `name`: now, or with a pipe that waits for the name to be bound.
 * `routingId` names the peer on the connecting side (`Router.connect(addr, { routingId })`).
 */
export function inprocConnect(name: string, socket: InprocPeer, routingId?: Buffer): void {
  const endpoint = `inproc://${name}`;
  const binder = bound.get(name);
  if (binder !== undefined) {
    link(binder, socket, endpoint, routingId);
    return;
  }
  const [pipe, twin] = InprocPipe.pending(socket, endpoint);
  if (routingId !== undefined) pipe.routingId = routingId;
  let queue = waiting.get(name);
  if (queue === undefined) waiting.set(name, (queue = new Set()));
  queue.add({ connecter: socket, pipe, twin });
  socket.attachInproc(pipe, false);
}

/** Stop waiting for `name` to be bound (the caller closes the pipe). */
export function inprocCancelConnect(name: string, socket: InprocPeer): void {
  const queue = waiting.get(name);
  if (queue === undefined) return;
  for (const pending of queue) if (pending.connecter === socket) queue.delete(pending);
  if (queue.size === 0) waiting.delete(name);
}
