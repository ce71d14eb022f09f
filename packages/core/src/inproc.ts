/**
 * The inproc:// registry: a process-wide name table, kept in the shared runtime so that
 * every loaded copy of this package (ESM and CJS) meets in it. `connect` before `bind` is
 * allowed (as in libzmq ≥ 4): the connection is made when the name is bound.
 */
import { isCompatibleSocketType, ZmqError } from '@monocoque/zmtp';
import { type InprocEndpointOwner, InprocPipe } from './pipe.js';
import { runtime } from './runtime.js';

/** The socket side the registry calls back. */
export interface InprocPeer extends InprocEndpointOwner {
  /** Attach a newly created inproc pipe. */
  attachInproc(pipe: InprocPipe): void;
  /** Report a refused inproc connection. */
  inprocRefused(endpoint: string, error: ZmqError): void;
}

/** @internal */
export interface InprocRegistryState {
  readonly bound: Map<string, InprocPeer>;
  readonly waiting: Map<string, Set<InprocPeer>>;
}

const state: InprocRegistryState = (runtime.inproc ??= { bound: new Map(), waiting: new Map() });
const { bound, waiting } = state;

function link(binder: InprocPeer, connecter: InprocPeer, endpoint: string): void {
  if (!isCompatibleSocketType(connecter.type, binder.type)) {
    const error = new ZmqError('ENOCOMPATPROTO', `handshake: a ${connecter.type} socket cannot talk to a "${binder.type}" peer`, { address: endpoint });
    connecter.inprocRefused(endpoint, error);
    binder.inprocRefused(endpoint, error);
    return;
  }
  const [forConnecter, forBinder] = InprocPipe.pair(connecter, binder, endpoint);
  binder.attachInproc(forBinder);
  connecter.attachInproc(forConnecter);
}

/** Bind `name` to `socket`; throws EADDRINUSE when taken. */
export function inprocBind(name: string, socket: InprocPeer): void {
  const endpoint = `inproc://${name}`;
  if (bound.has(name)) throw new ZmqError('EADDRINUSE', `bind ${endpoint} failed: address already in use`, { address: endpoint });
  bound.set(name, socket);
  const queue = waiting.get(name);
  if (queue !== undefined) {
    waiting.delete(name);
    for (const connecter of queue) link(socket, connecter, endpoint);
  }
}

/** Release `name` if `socket` holds it. */
export function inprocUnbind(name: string, socket: InprocPeer): boolean {
  if (bound.get(name) !== socket) return false;
  bound.delete(name);
  return true;
}

/** Connect `socket` to `name` now, or when it gets bound. */
export function inprocConnect(name: string, socket: InprocPeer): void {
  const binder = bound.get(name);
  if (binder !== undefined) {
    link(binder, socket, `inproc://${name}`);
    return;
  }
  let queue = waiting.get(name);
  if (queue === undefined) waiting.set(name, (queue = new Set()));
  queue.add(socket);
}

/** Stop waiting for `name` to be bound. */
export function inprocCancelConnect(name: string, socket: InprocPeer): void {
  const queue = waiting.get(name);
  if (queue?.delete(socket) && queue.size === 0) waiting.delete(name);
}
