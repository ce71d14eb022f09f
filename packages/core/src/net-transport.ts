/**
 * The default transport: `node:net` TCP and Unix-domain sockets. Always available.
 * A batch of chunks goes out as one writev (cork/uncork), so each tick's frames for a
 * peer cost one syscall.
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

class NetStream implements Stream {
  readonly remoteAddress: string;
  private handlers: StreamHandlers | undefined;
  private closed = false;

  constructor(
    private readonly socket: net.Socket,
    remoteAddress: string,
  ) {
    this.remoteAddress = remoteAddress;
    socket.setNoDelay(true);
    // The engine decides what keeps the process alive (transport.ts).
    socket.unref();
  }

  start(handlers: StreamHandlers): void {
    this.handlers = handlers;
    const s = this.socket;
    s.on('data', (chunk: Buffer) => handlers.onData(chunk));
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
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
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
    const server = net.createServer({ noDelay: true, pauseOnConnect: false });
    server.unref();
    server.on('connection', (socket) => {
      const remote =
        endpoint.protocol === 'tcp'
          ? `tcp://${socket.remoteFamily === 'IPv6' ? `[${socket.remoteAddress}]` : socket.remoteAddress}:${socket.remotePort}`
          : ipcAddress(endpoint.path);
      onStream(new NetStream(socket, remote));
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
      const socket =
        endpoint.protocol === 'tcp'
          ? net.connect({ host: endpoint.host, port: endpoint.port, noDelay: true })
          : net.connect({ path: endpoint.path });
      socket.unref();
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
        resolve(new NetStream(socket, address));
      });
    });
  },
};
