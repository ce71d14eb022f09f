/**
 * The ZAP client side (RFC 27 ZMQ Authentication Protocol): how a server-side handshake
 * asks the process's one ZAP handler about a peer.
 *
 * libzmq reaches its handler over `inproc://zeromq.zap.01`; here the handler is a function
 * installed process-wide ({@link installZapHandler}, shared by every loaded copy through
 * the runtime), called with the request RFC 27 defines and answering with its reply.
 * `@monocoque/zap` builds authenticators on it; a facade may bridge an inproc endpoint to it.
 *
 * As libzmq: one handler per process (a second install is `EADDRINUSE`); the reply must
 * be version `1.0`, echo the request id and carry status 200, 300, 400 or 500. Where libzmq
 * drops the peer with a protocol error for a malformed reply, a reply that breaks these
 * rules — or a handler that throws or rejects — answers 500 here: the peer is refused with
 * an auth error whose text says what was wrong, so a handler bug never lets anyone in.
 */
import { type Metadata, type ZapQuestion, type ZapStatus, type ZapVerdict, ZmqError, decodeMetadata, encodeMetadata } from '@monocoque/zmtp';
import { runtime } from './runtime.js';

/** A ZAP request (RFC 27), as the handler receives it. */
export interface ZapRequest {
  /** Always `1.0`. */
  readonly version: '1.0';
  /** Echo it in the reply. */
  readonly requestId: string;
  /** The server socket's `zapDomain` (empty when unset). */
  readonly domain: string;
  /** The peer's IP address (`127.0.0.1`, `::1`); empty for IPC. */
  readonly address: string;
  /** The server socket's routing id (empty when unset). */
  readonly identity: Buffer;
  /** `NULL`, `PLAIN` or `CURVE`. */
  readonly mechanism: string;
  /** PLAIN: username and password; CURVE: the client's 32-byte long-term public key; NULL: none. */
  readonly credentials: readonly Buffer[];
}

/** A ZAP reply (RFC 27). */
export interface ZapReply {
  /** `1.0` (the default). */
  readonly version?: string;
  /** The request's id. */
  readonly requestId: string;
  /** 200 allows the peer; 300 (temporary), 400 (denied) and 500 (internal error) refuse it. */
  readonly statusCode: ZapStatus | `${ZapStatus}`;
  /** Human-readable status text. */
  readonly statusText?: string;
  /** The user id to associate with the peer. */
  readonly userId?: string;
  /** Metadata for the peer: RFC 23-encoded bytes, or name/value pairs. */
  readonly metadata?: Uint8Array | Readonly<Record<string, string | Uint8Array>>;
}

/** A ZAP handler: answers one request, at once or later. */
export type ZapHandler = (request: ZapRequest) => ZapReply | Promise<ZapReply>;

/** The runtime slot of this module. */
export interface ZapState {
  handler: ZapHandler | undefined;
  nextId: number;
}

function state(): ZapState {
  return (runtime.zap ??= { handler: undefined, nextId: 1 });
}

/**
 * Install the process's ZAP handler; returns a function that uninstalls it. Throws
 * `EADDRINUSE` when one is installed already (libzmq allows one per context).
 */
export function installZapHandler(handler: ZapHandler): () => void {
  if (typeof handler !== 'function') throw new ZmqError('EINVAL', `installZapHandler: expected a function, got ${typeof handler}`);
  const s = state();
  if (s.handler !== undefined) throw new ZmqError('EADDRINUSE', 'a ZAP handler is already installed in this process (libzmq allows one)');
  s.handler = handler;
  return () => {
    if (s.handler === handler) s.handler = undefined;
  };
}

/** Whether a ZAP handler is installed. */
export function hasZapHandler(): boolean {
  return state().handler !== undefined;
}

const STATUSES: ReadonlySet<string> = new Set(['200', '300', '400', '500']);

function replyMetadata(metadata: ZapReply['metadata']): Metadata {
  if (metadata === undefined) return new Map();
  if (metadata instanceof Uint8Array) return decodeMetadata(Buffer.from(metadata.buffer, metadata.byteOffset, metadata.length));
  const pairs: Array<[string, Uint8Array]> = Object.entries(metadata).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v, 'utf8') : v]);
  return decodeMetadata(encodeMetadata(pairs));
}

/** Check a reply against its request and turn it into a verdict (throws `EPROTO` saying what is malformed). */
export function verdictOf(request: ZapRequest, reply: unknown): ZapVerdict {
  if (typeof reply !== 'object' || reply === null) {
    throw new ZmqError('EPROTO', `ZAP handler: expected a reply object, got ${reply === null ? 'null' : typeof reply}`);
  }
  const r = reply as ZapReply;
  if ((r.version ?? '1.0') !== '1.0') throw new ZmqError('EPROTO', `ZAP reply: expected version "1.0", got ${JSON.stringify(r.version)}`);
  if (r.requestId !== request.requestId) {
    throw new ZmqError('EPROTO', `ZAP reply: expected request id ${JSON.stringify(request.requestId)} echoed, got ${JSON.stringify(r.requestId)}`);
  }
  const status = String(r.statusCode);
  if (!STATUSES.has(status)) throw new ZmqError('EPROTO', `ZAP reply: expected status 200, 300, 400 or 500, got ${JSON.stringify(r.statusCode)}`);
  return { status: Number(status) as ZapStatus, statusText: r.statusText ?? '', userId: r.userId ?? '', metadata: replyMetadata(r.metadata) };
}

/** Failed handler calls answer 500, as an internal error of the handler. */
function internalError(error: unknown): ZapVerdict {
  return { status: 500, statusText: `ZAP handler failed: ${error instanceof Error ? error.message : String(error)}`, userId: '', metadata: new Map() };
}

/**
 * Ask the installed handler (the sessions' `authenticate` hook). `done(undefined)` when
 * none is installed; always asynchronous.
 */
export function askZap(question: ZapQuestion, done: (verdict: ZapVerdict | undefined) => void): void {
  const s = state();
  const handler = s.handler;
  if (handler === undefined) {
    queueMicrotask(() => done(undefined));
    return;
  }
  const request: ZapRequest = {
    version: '1.0',
    requestId: String(s.nextId++),
    domain: question.domain,
    address: question.address,
    identity: Buffer.from(question.identity),
    mechanism: question.mechanism,
    credentials: question.credentials.map((c) => Buffer.from(c)),
  };
  let answer: Promise<ZapReply>;
  try {
    answer = Promise.resolve(handler(request));
  } catch (error) {
    answer = Promise.reject(error);
  }
  answer.then(
    (reply) => {
      let verdict: ZapVerdict;
      try {
        verdict = verdictOf(request, reply);
      } catch (error) {
        verdict = internalError(error);
      }
      done(verdict);
    },
    (error: unknown) => done(internalError(error)),
  );
}

/** The address ZAP names a peer by: the IP of a `tcp://` peer, empty for IPC and inproc. */
export function zapAddress(remote: string): string {
  if (!remote.startsWith('tcp://')) return '';
  const hostPort = remote.slice(6);
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const colon = hostPort.lastIndexOf(':');
  return colon < 0 ? hostPort : hostPort.slice(0, colon);
}
