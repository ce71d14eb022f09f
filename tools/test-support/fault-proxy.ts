/**
 * A fault-injecting TCP proxy for tests: listens on loopback and forwards every accepted
 * connection to one target, with faults that can be switched on and off while it runs.
 *
 *   const proxy = await startFaultProxy({ target: 'tcp://127.0.0.1:5555' });
 *   dealer.connect(proxy.endpoint);         // tcp://127.0.0.1:<port>
 *   proxy.splitWrites(1);                   // every byte in its own write, both directions
 *   proxy.delay(50, 'upstream');            // +50 ms on client → target chunks, order kept
 *   proxy.stall(); ...; proxy.resume();     // a partition: nothing passes, nothing closes
 *   proxy.reset();                          // RST every current connection
 *   proxy.flipByte(20, 'upstream');         // XOR 0xff into the 21st byte from now on
 *   proxy.recorded('downstream');           // what was forwarded (with `record: true`)
 *   await proxy.close();
 *
 * Directions: `upstream` is client → target, `downstream` is target → client. Settings
 * apply at once to current and future connections. Memory is bounded: a direction that
 * holds more than 256 KiB stops reading its source (TCP back-pressure does the rest).
 */
import { EventEmitter } from 'node:events';
import { type AddressInfo, type Server, type Socket, createConnection, createServer } from 'node:net';

export type Direction = 'upstream' | 'downstream' | 'both';

export interface FaultProxyOptions {
  /** Where to forward: `tcp://host:port` (`[::1]` allowed). */
  target: string;
  /** Address to listen on. Default 127.0.0.1 (port always chosen by the OS). */
  host?: string;
  /** Keep a copy of every byte forwarded, per direction (see {@link FaultProxy.recorded}). */
  record?: boolean;
}

/** What one direction does to the bytes passing through. */
interface DirectionFaults {
  delayMs: number;
  maxWrite: number;
  stalled: boolean;
  /** Bytes still to pass before the one to flip; -1 = no flip armed. */
  flipIn: number;
  /** Called once the armed byte was flipped. */
  onFlip: (() => void) | undefined;
  /** Every chunk read in this direction, as forwarded (flip applied), when recording. */
  recorded: Buffer[] | undefined;
}

/** Pause the source once a direction holds this many bytes; resume below the low mark. */
const HIGH_MARK = 256 * 1024;
const LOW_MARK = 64 * 1024;

function parseTcpEndpoint(endpoint: string): { host: string; port: number } {
  const m = /^tcp:\/\/(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(endpoint);
  if (!m) throw new Error(`fault proxy: target must be tcp://host:port, got ${endpoint}`);
  return { host: m[1] ?? m[2]!, port: Number(m[3]) };
}

/** Moves bytes from one socket to another, applying the faults of its direction. */
class Pump {
  private readonly queue: Array<{ data: Buffer; due: number }> = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private waiting = false;
  private sourceEnded = false;
  private sourceErrored = false;
  private finished = false;
  to: Socket | undefined;

  constructor(
    private readonly from: Socket,
    private readonly faults: DirectionFaults,
  ) {
    from.on('data', (data: Buffer) => this.push(data));
    from.on('end', () => {
      this.sourceEnded = true;
      this.flush();
    });
    from.on('close', (hadError) => {
      this.sourceEnded = true;
      if (hadError) this.sourceErrored = true;
      this.flush();
    });
  }

  private push(data: Buffer): void {
    const f = this.faults;
    if (f.flipIn >= 0) {
      if (f.flipIn < data.length) {
        data = Buffer.from(data); // never write into a buffer someone else may hold
        data[f.flipIn]! ^= 0xff;
        f.flipIn = -1;
        const done = f.onFlip;
        f.onFlip = undefined;
        done?.();
      } else f.flipIn -= data.length;
    }
    f.recorded?.push(Buffer.from(data));
    this.queue.push({ data, due: Date.now() + this.faults.delayMs });
    this.queued += data.length;
    if (this.queued > HIGH_MARK) this.from.pause();
    this.flush();
  }

  /** Forward what is due; called on every change (data, timer, drain, resume). */
  flush(): void {
    const to = this.to;
    if (this.finished || to === undefined || to.connecting || this.faults.stalled) return;
    if (this.timer !== undefined || this.waiting) return;
    if (to.destroyed) {
      // Nobody left to forward to: drop what is held and close the source too.
      this.finish();
      this.queue.length = 0;
      if (!this.from.destroyed) this.from.destroy();
      return;
    }
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const wait = head.due - Date.now();
      if (wait > 0) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.flush();
        }, wait);
        return;
      }
      const max = this.faults.maxWrite;
      let piece: Buffer;
      if (max > 0 && head.data.length > max) {
        piece = head.data.subarray(0, max);
        head.data = head.data.subarray(max);
      } else {
        piece = head.data;
        this.queue.shift();
      }
      this.queued -= piece.length;
      if (this.queued < LOW_MARK && this.from.isPaused() && !this.from.destroyed) this.from.resume();
      if (max > 0) {
        // One piece per write, each in its own turn of the event loop (so that a reader in
        // this process gets to read it on its own), the next only after this one reached
        // the kernel.
        this.waiting = true;
        setImmediate(() =>
          to.write(piece, () => {
            this.waiting = false;
            this.flush();
          }),
        );
        return;
      }
      if (!to.write(piece)) {
        this.waiting = true;
        to.once('drain', () => {
          this.waiting = false;
          this.flush();
        });
        return;
      }
    }
    if (this.sourceEnded) this.finish();
  }

  private finish(): void {
    this.finished = true;
    clearTimeout(this.timer);
    const to = this.to;
    if (to === undefined || to.destroyed) return;
    if (this.sourceErrored) to.resetAndDestroy();
    else to.end();
  }

  stop(): void {
    this.finished = true;
    clearTimeout(this.timer);
  }
}

/** One accepted client connection and its upstream connection (none when blackholed). */
class ProxiedConnection {
  upstream: Socket | undefined;
  private up: Pump | undefined;
  private down: Pump | undefined;

  constructor(
    readonly client: Socket,
    faults: { upstream: DirectionFaults; downstream: DirectionFaults },
    target: { host: string; port: number } | undefined,
    onClosed: () => void,
  ) {
    client.on('error', () => {});
    client.setNoDelay(true);
    let open = target === undefined ? 1 : 2;
    const closed = (): void => {
      if (--open === 0) onClosed();
    };
    client.once('close', closed);
    if (target === undefined) {
      client.pause(); // blackhole: never read, never answer
      return;
    }
    this.up = new Pump(client, faults.upstream);
    const upstream = createConnection({ host: target.host, port: target.port, allowHalfOpen: true });
    this.upstream = upstream;
    upstream.on('error', () => {});
    upstream.setNoDelay(true);
    upstream.once('close', closed);
    upstream.once('connect', () => {
      this.kick();
    });
    this.up.to = upstream;
    this.down = new Pump(upstream, faults.downstream);
    this.down.to = client;
  }

  kick(): void {
    this.up?.flush();
    this.down?.flush();
  }

  reset(): void {
    this.up?.stop();
    this.down?.stop();
    if (!this.client.destroyed) this.client.resetAndDestroy();
    if (this.upstream && !this.upstream.destroyed) this.upstream.resetAndDestroy();
  }
}

/**
 * The running proxy. Emits `connection` (a client was accepted, also when refused or
 * blackholed) and `connectionClosed` (both sides of a forwarded connection are closed).
 */
export class FaultProxy extends EventEmitter {
  /** `tcp://127.0.0.1:<port>`: where clients connect. */
  readonly endpoint: string;
  private readonly live = new Set<ProxiedConnection>();
  private readonly faults: { upstream: DirectionFaults; downstream: DirectionFaults };
  private blackholed = false;
  private refusing = false;
  private acceptedCount = 0;

  /** @internal Use {@link startFaultProxy}. */
  constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
    record = false,
  ) {
    super();
    const fresh = (): DirectionFaults => ({ delayMs: 0, maxWrite: 0, stalled: false, flipIn: -1, onFlip: undefined, recorded: record ? [] : undefined });
    this.faults = { upstream: fresh(), downstream: fresh() };
    const { address, port } = server.address() as AddressInfo;
    this.endpoint = address.includes(':') ? `tcp://[${address}]:${port}` : `tcp://${address}:${port}`;
    server.on('connection', (client) => this.accept(client));
  }

  /** Connections open now (accepted and not yet fully closed, blackholed ones included). */
  get connections(): number {
    return this.live.size;
  }

  /** Connections accepted since the start (refused ones included). */
  get accepted(): number {
    return this.acceptedCount;
  }

  /** Hold every chunk `ms` milliseconds before forwarding it; order is kept. 0 = off. */
  delay(ms: number, direction: Direction = 'both'): void {
    for (const f of this.select(direction)) f.delayMs = ms;
    this.kickAll();
  }

  /** Forward in writes of at most `maxBytes` bytes, each a separate write. 0 = off. */
  splitWrites(maxBytes: number, direction: Direction = 'both'): void {
    if (!Number.isInteger(maxBytes) || maxBytes < 0) throw new Error(`splitWrites: bad size ${maxBytes}`);
    for (const f of this.select(direction)) f.maxWrite = maxBytes;
    this.kickAll();
  }

  /** Stop forwarding (connections stay open, closes are not passed on): a partition. */
  stall(direction: Direction = 'both'): void {
    for (const f of this.select(direction)) f.stalled = true;
  }

  /** Undo {@link stall}: forward everything held back, in order. */
  resume(direction: Direction = 'both'): void {
    for (const f of this.select(direction)) f.stalled = false;
    this.kickAll();
  }

  /** New connections are accepted but never forwarded nor answered (until `blackhole(false)`). */
  blackhole(on = true): void {
    this.blackholed = on;
  }

  /** New connections are closed as soon as they are accepted (until `refuse(false)`). */
  refuse(on = true): void {
    this.refusing = on;
  }

  /**
   * Corrupt one byte: XOR 0xff into the byte `offset` bytes after the last one read so far
   * in `direction` (0 = the next byte), counted across all connections. The returned promise
   * resolves when that byte passed (flipped). Arming again replaces an unfired flip.
   */
  flipByte(offset: number, direction: 'upstream' | 'downstream'): Promise<void> {
    if (!Number.isInteger(offset) || offset < 0) throw new Error(`flipByte: bad offset ${offset}`);
    const f = this.faults[direction];
    return new Promise((resolve) => {
      f.flipIn = offset;
      f.onFlip = resolve;
    });
  }

  /**
   * Every byte forwarded in `direction` so far, all connections in the order read (with
   * flips applied). Needs `record: true` at start.
   */
  recorded(direction: 'upstream' | 'downstream'): Buffer {
    const chunks = this.faults[direction].recorded;
    if (chunks === undefined) throw new Error('fault proxy: start it with { record: true } to use recorded()');
    return Buffer.concat(chunks);
  }

  /** Destroy every current connection, both sides, with a TCP RST. */
  reset(): void {
    for (const c of this.live) c.reset();
  }

  /** Stop listening and reset every connection. */
  close(): Promise<void> {
    this.reset();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private select(direction: Direction): DirectionFaults[] {
    if (direction === 'upstream') return [this.faults.upstream];
    if (direction === 'downstream') return [this.faults.downstream];
    return [this.faults.upstream, this.faults.downstream];
  }

  private kickAll(): void {
    for (const c of this.live) c.kick();
  }

  private accept(client: Socket): void {
    this.acceptedCount++;
    this.emit('connection');
    if (this.refusing) {
      client.on('error', () => {});
      client.destroy();
      return;
    }
    const conn = new ProxiedConnection(client, this.faults, this.blackholed ? undefined : this.target, () => {
      this.live.delete(conn);
      this.emit('connectionClosed');
    });
    this.live.add(conn);
  }
}

/** Start a proxy on `host` (default 127.0.0.1), port chosen by the OS, forwarding to `target`. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = parseTcpEndpoint(options.target);
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: false });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: options.host ?? '127.0.0.1', port: 0 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return new FaultProxy(server, target, options.record ?? false);
}
