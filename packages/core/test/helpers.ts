// A minimal DEALER-like pattern for engine tests (core must not import pattern packages).
import { connect, type Socket as NetSocket } from 'node:net';
import { type EventPeer, LoadBalancer, type Message, type Pipe, Socket, type SocketEvent, type SocketOptions, type ZmqError } from '../src/index.js';
import type { SocketType } from '@monocoque/zmtp';

let counter = 0;
/** A unique IPC endpoint for this test process. */
export function ipcEndpoint(): string {
  return `ipc:///tmp/monocoque-core-${process.pid}-${++counter}.sock`;
}

/** Round-robin send, fair-queued receive: enough to exercise the engine. */
export class TestSocket extends Socket {
  private readonly lb = new LoadBalancer();
  constructor(options: SocketOptions = {}, type: SocketType = 'DEALER') {
    super(type, options);
  }
  protected attachPipe(pipe: Pipe): boolean {
    this.lb.add(pipe);
    return true;
  }
  protected detachPipe(pipe: Pipe): void {
    this.lb.remove(pipe);
  }
  protected sendMessage(frames: Buffer[]): boolean {
    return this.lb.send(frames) !== undefined;
  }
  protected receiveMessage(): Message | undefined {
    return this.fairQueue.read();
  }
  get peerCount(): number {
    return this.lb.size;
  }
}

/** Resolve with the next event of one of `types`, or reject after `timeoutMs`. */
/** An event with its optional fields visible, for assertions. */
export type LooseEvent = SocketEvent & { error?: ZmqError; peer?: EventPeer; interval?: number };

export function nextEvent(socket: Socket, types: string[], timeoutMs = 5000): Promise<LooseEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${types.join('/')} event within ${timeoutMs} ms`)), timeoutMs);
    const listener = (e: SocketEvent) => {
      if (types.includes(e.type)) {
        clearTimeout(timer);
        socket.events.off('*', listener);
        resolve(e);
      }
    };
    socket.events.on('*', listener);
  });
}

/** Open a raw TCP connection to a bound `tcp://host:port` endpoint. */
export async function rawConnect(endpoint: string): Promise<NetSocket> {
  const port = Number(endpoint.slice(endpoint.lastIndexOf(':') + 1));
  const sock = connect({ host: '127.0.0.1', port });
  sock.on('error', () => {});
  await new Promise<void>((resolve) => sock.once('connect', resolve));
  return sock;
}

/** Track sockets and close them after each test. */
export function tracker() {
  const open: Array<{ close(): void }> = [];
  return {
    add<T extends { close(): void }>(s: T): T {
      open.push(s);
      return s;
    },
    closeAll() {
      for (const s of open.splice(0)) s.close();
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
