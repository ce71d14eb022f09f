/**
 * The default transport: `node:net` TCP and Unix-domain sockets. Always available.
 * A batch of chunks goes out as one writev (cork/uncork), so each tick's frames for a
 * peer cost one syscall.
 *
 * Reads (Node.js): every stream of the thread reads into one 64 KiB buffer (`onread`)
 * and hands the engine *transient* chunks, which it decodes during the call and copies
 * what it keeps from. Left to itself, node:net allocates a fresh ArrayBuffer per read:
 * garbage the size of everything received, which the engine then copies out of anyway
 * (small bodies in runs, large bodies into their own buffer). Sharing one buffer is safe
 * because a read's callback runs to completion before the next read of any socket.
 * Accepted sockets cannot be given `onread`, so their handle moves to a new `net.Socket`
 * that has it (`adopt`). Bun and Deno keep node:net's own reads ('data' events).
 */
import { unlinkSync } from 'node:fs';
import * as net from 'node:net';
import { ZmqError } from '@monocoque/zmtp';
import type { ConnectOptions, Listener, Stream, StreamEndpoint, StreamHandlers, Transport } from './transport.js';

function toZmqError(error: unknown, what: string, address: string): ZmqError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known = code === 'EADDRINUSE' || code === 'ECONNREFUSED' ? code : code === 'ENOENT' ? 'ECONNREFUSED' : 'EINVAL';
  return new ZmqError(known, `${what} ${address} failed: ${(error as Error)?.message ?? String(error)}`, { cause: error, address });
}

function ipcAddress(path: string): string {
  return path.startsWith('\0') ? `ipc://@${path.slice(1)}` : `ipc://${path}`;
}

/** Whether streams read into the shared buffer: Node.js only (see the top of this file). */
const SHARED_READS = typeof process.versions.bun !== 'string' && typeof process.versions.deno !== 'string';
const READ_BUFFER_SIZE = 64 * 1024;
let readBuffer: Buffer | undefined;
const sharedReadBuffer = (): Buffer => (readBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_SIZE));

/** Where a socket's `onread` callback delivers: set once its NetStream exists. */
interface ReadRoute {
  stream: NetStream | undefined;
}

function onreadOption(route: ReadRoute): net.OnReadOpts {
  return {
    buffer: sharedReadBuffer,
    callback: (n: number, buf: Uint8Array): boolean => {
      route.stream?.received(buf as Buffer, n);
      return true;
    },
  };
}

/**
 * Move an accepted socket's handle to a socket that reads into the shared buffer. The old
 * socket lets go of the handle first, then is destroyed (which only settles the server's
 * connection count). Returns undefined, leaving `accepted` as it was, if its handle is not
 * where this Node.js keeps it.
 */
function adopt(accepted: net.Socket, route: ReadRoute): net.Socket | undefined {
  const internal = accepted as unknown as { _handle: object | null };
  const handle = internal._handle;
  if (handle === null || typeof handle !== 'object') return undefined;
  internal._handle = null;
  accepted.destroy();
  // `handle` is not in net.SocketConstructorOpts' typings; Node.js's own server passes it.
  const options = { handle, readable: true, writable: true, pauseOnCreate: true, onread: onreadOption(route) };
  return new net.Socket(options as net.SocketConstructorOpts);
}

class NetStream implements Stream {
  readonly remoteAddress: string;
  private handlers: StreamHandlers | undefined;
  private closed = false;
  /** Paused by the engine (shared reads: the socket also stays paused until start()). */
  private paused = false;
  /** Shared reads that came before start() (not expected: the socket starts paused). */
  private early: Buffer[] | undefined;

  constructor(
    private readonly socket: net.Socket,
    remoteAddress: string,
    /** Set when the socket reads into the shared buffer (its route points here). */
    private readonly route?: ReadRoute,
  ) {
    this.remoteAddress = remoteAddress;
    if (route !== undefined) route.stream = this;
    socket.setNoDelay(true);
    // The engine decides what keeps the process alive (transport.ts).
    socket.unref();
  }

  /** @internal A read into the shared buffer: `n` bytes, valid during this call only. */
  received(buf: Buffer, n: number): void {
    const chunk = buf.subarray(0, n);
    const h = this.handlers;
    if (h !== undefined) h.onData(chunk, true);
    else (this.early ??= []).push(Buffer.from(chunk));
  }

  start(handlers: StreamHandlers): void {
    this.handlers = handlers;
    const s = this.socket;
    if (this.route === undefined) s.on('data', (chunk: Buffer) => handlers.onData(chunk));
    else {
      const early = this.early;
      this.early = undefined;
      if (early !== undefined) for (const chunk of early) handlers.onData(chunk);
      if (!this.paused) s.resume();
    }
    s.on('drain', () => handlers.onDrain());
    s.on('error', () => {
      /* reported through 'close' */
    });
    s.on('close', (hadError) => {
      if (this.closed) return;
      this.closed = true;
      handlers.onClose(hadError ? new Error(`connection to ${this.remoteAddress} closed with an error`) : undefined);
    });
    // A peer that half-closes is done: close our side too.
    s.on('end', () => s.end());
  }

  write(chunks: readonly Buffer[]): boolean {
    const s = this.socket;
    if (s.destroyed) return true;
    if (chunks.length === 1) return s.write(chunks[0]!);
    s.cork();
    for (const c of chunks) s.write(c);
    s.uncork();
    return !s.writableNeedDrain;
  }

  pause(): void {
    this.paused = true;
    this.socket.pause();
  }

  resume(): void {
    this.paused = false;
    // Shared reads: the socket stays paused until start().
    if (this.route === undefined || this.handlers !== undefined) this.socket.resume();
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

function listenOnce(server: net.Server, options: net.ListenOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => {
      server.off('listening', onListening);
      reject(e);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options);
  });
}

/** Whether something accepts connections at a Unix socket path. */
function ipcAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.connect({ path });
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}

/** The `node:net` transport. */
export const netTransport: Transport = {
  name: 'net',

  async listen(endpoint: StreamEndpoint, onStream: (stream: Stream) => void, onAcceptError?: (error: Error) => void): Promise<Listener> {
    const server = net.createServer({ noDelay: true, pauseOnConnect: SHARED_READS });
    server.unref();
    server.on('connection', (accepted) => {
      const remote =
        endpoint.protocol === 'tcp'
          ? `tcp://${accepted.remoteFamily === 'IPv6' ? `[${accepted.remoteAddress}]` : accepted.remoteAddress}:${accepted.remotePort}`
          : ipcAddress(endpoint.path);
      if (SHARED_READS) {
        const route: ReadRoute = { stream: undefined };
        const socket = adopt(accepted, route);
        if (socket !== undefined) {
          onStream(new NetStream(socket, remote, route));
          return;
        }
        accepted.resume();
      }
      onStream(new NetStream(accepted, remote));
    });
    let resolved: string;
    if (endpoint.protocol === 'tcp') {
      const host = endpoint.host === '*' ? '0.0.0.0' : endpoint.host;
      const display = `tcp://${endpoint.host}:${endpoint.port || '*'}`;
      try {
        await listenOnce(server, { host, port: endpoint.port, exclusive: true });
      } catch (e) {
        throw toZmqError(e, 'bind', display);
      }
      const addr = server.address() as net.AddressInfo;
      server.on('error', (e) => onAcceptError?.(e));
      resolved = `tcp://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
    } else {
      const path = endpoint.path;
      const display = ipcAddress(path);
      try {
        await listenOnce(server, { path, exclusive: true });
      } catch (e) {
        // A socket file left behind by a dead process: libzmq removes it; we do too, but
        // only after checking that nothing listens there any more.
        if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE' || path.startsWith('\0') || (await ipcAlive(path))) {
          throw toZmqError(e, 'bind', display);
        }
        try {
          unlinkSync(path);
          await listenOnce(server, { path, exclusive: true });
        } catch (e2) {
          throw toZmqError(e2, 'bind', display);
        }
      }
      resolved = display;
      server.on('error', (e) => onAcceptError?.(e));
    }
    let closing: Promise<void> | undefined;
    return {
      endpoint: resolved,
      close() {
        // server.close() also unlinks the IPC socket file.
        closing ??= new Promise<void>((resolve) => server.close(() => resolve()));
        return closing;
      },
    };
  },

  connect(endpoint: StreamEndpoint, options?: ConnectOptions): Promise<Stream> {
    const signal = options?.signal;
    return new Promise((resolve, reject) => {
      const address =
        endpoint.protocol === 'tcp'
          ? `tcp://${endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host}:${endpoint.port}`
          : ipcAddress(endpoint.path);
      const route: ReadRoute | undefined = SHARED_READS ? { stream: undefined } : undefined;
      const onread = route !== undefined ? onreadOption(route) : undefined;
      const socket =
        endpoint.protocol === 'tcp'
          ? net.connect({ host: endpoint.host, port: endpoint.port, noDelay: true, onread })
          : net.connect({ path: endpoint.path, onread });
      socket.unref();
      // Shared reads start at start(), not at connect.
      if (route !== undefined) socket.pause();
      const onAbort = () => {
        socket.destroy();
        reject(new ZmqError('ECANCELED', `connect ${address} abandoned`, { address, cause: signal?.reason }));
      };
      const onError = (e: Error) => {
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(toZmqError(e, 'connect', address));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', onError);
      socket.once('connect', () => {
        signal?.removeEventListener('abort', onAbort);
        socket.off('error', onError);
        resolve(new NetStream(socket, address, route));
      });
    });
  },
};
