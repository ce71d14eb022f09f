/**
 * The transport contract: how the engine moves bytes. The engine speaks ZMTP over any
 * ordered, reliable byte stream; a transport only opens, accepts and closes those streams.
 *
 * Two transports exist: the default `node:net` one (./net-transport.ts) and the optional
 * io_uring one (`@monocoque/uring`). Both implement exactly this interface, so every
 * socket pattern runs on either without knowing which.
 *
 * Lifetime rule: no handle a transport creates (listener, stream, poller) may keep the
 * process alive by itself — unref them. The engine keeps the process alive while
 * something is pending (see keepalive.ts); in-flight writes keep it alive on their own.
 *
 * Ownership rules (the hot path depends on them):
 * - `onData(chunk)`: the chunk belongs to the engine from then on; the transport must not
 *   reuse its memory. `onData(chunk, true)` (a *transient* chunk): the transport reuses
 *   the memory once the call returns, so the engine copies whatever it keeps.
 * - `write(chunks)`: the transport keeps references to the chunks until they are written;
 *   the engine never mutates a chunk after handing it over.
 */

/** A parsed `tcp://` or `ipc://` endpoint (inproc never reaches a transport). */
export type StreamEndpoint =
  | {
      readonly protocol: 'tcp';
      /** Host name or IP literal without brackets; `'*'` means all interfaces (bind only). */
      readonly host: string;
      /** Port number; 0 means "any free port" (bind with `tcp://host:*`). */
      readonly port: number;
    }
  | {
      readonly protocol: 'ipc';
      /** Filesystem path, or for Linux abstract sockets a name starting with `\0`. */
      readonly path: string;
    };

/** Callbacks from a stream to the engine. Each is called on the Node event loop thread. */
export interface StreamHandlers {
  /**
   * Bytes arrived, in order. `transient`: the chunk's memory is reused once this call
   * returns (the engine must copy what it keeps); otherwise the chunk is the engine's.
   */
  onData(chunk: Buffer, transient?: boolean): void;
  /** The write backlog has drained after `write` returned false. */
  onDrain(): void;
  /** The stream closed. Called exactly once; `error` is set for abnormal closes. */
  onClose(error?: Error): void;
}

/** One connected byte stream (a TCP or IPC connection). */
export interface Stream {
  /** The peer as an endpoint string, e.g. `tcp://127.0.0.1:40312` or `ipc:///tmp/x.sock`. */
  readonly remoteAddress: string;
  /** Attach handlers; no data is delivered before this call. Call once. */
  start(handlers: StreamHandlers): void;
  /**
   * Queue chunks for writing, in order, as one batch (a transport should use one
   * writev/sendmsg for the batch). Returns false when the caller should stop writing
   * until `onDrain`; the chunks are still accepted.
   */
  write(chunks: readonly Buffer[]): boolean;
  /** Stop delivering `onData` (receive-side backpressure). */
  pause(): void;
  /** Resume delivering `onData`. */
  resume(): void;
  /** Flush queued writes, then close. `onClose` follows. */
  end(): void;
  /** Close now, dropping queued writes. `onClose` follows (if not already called). */
  destroy(): void;
}

/** Options of one connect attempt. */
export interface ConnectOptions {
  /** Abandons the attempt (timeout, `close()`, `disconnect()`). */
  readonly signal?: AbortSignal;
}

/** A bound listening endpoint. */
export interface Listener {
  /** The resolved endpoint, with a real port for `tcp://host:*` (ZMQ_LAST_ENDPOINT). */
  readonly endpoint: string;
  /** Stop accepting; existing streams stay open. Removes the IPC socket file if any. */
  close(): Promise<void>;
}

/** A way to open and accept streams. */
export interface Transport {
  /** Short name, e.g. `'net'` or `'uring'`, shown in debug output and benchmarks. */
  readonly name: string;
  /**
   * Start listening. Rejects with an error whose `code` is e.g. `EADDRINUSE` when the
   * endpoint cannot be bound. `onStream` is called for every accepted connection.
   */
  listen(endpoint: StreamEndpoint, onStream: (stream: Stream) => void, onAcceptError?: (error: Error) => void): Promise<Listener>;
  /**
   * Open a connection. Rejects (e.g. `ECONNREFUSED`) when it cannot be established, and
   * with an error whose `code` is `ECANCELED` once `options.signal` aborts (the attempt
   * is abandoned and its socket closed).
   */
  connect(endpoint: StreamEndpoint, options?: ConnectOptions): Promise<Stream>;
}
