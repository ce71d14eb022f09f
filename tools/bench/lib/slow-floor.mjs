/**
 * The slow-consumer benchmark's node:net floor (`slow-consumer.mjs --impl node-net-floor`):
 * the least memory a JavaScript sender and receiver on `node:net` can hold for the same
 * backlog as libzmq, so that what V8 itself costs (garbage collected late, heap growth) is
 * measured apart from what a library adds. Fixed-size records, no framing, no greeting,
 * one connection.
 *
 * - Receiver (`SlowFloorPull`): reads into one shared 64 KiB buffer (`onread`, the accepted
 *   socket's handle moved to a socket that has it, as Monocoque's node:net transport does)
 *   and copies each record into a buffer of its own, queued until `receive()` takes it. At
 *   `receiveHighWaterMark` queued records the socket stops reading (libzmq's receive pipe
 *   HWM); it reads again once `receive()` takes the queue below that.
 * - Sender (`SlowFloorPush`): `send(record)` writes the caller's buffer by reference
 *   (`socket.write`); while `sendHighWaterMark` records are written but not yet handed to
 *   the kernel (their write callbacks not yet called) it waits for the next to leave, so it
 *   holds at most that many records, as libzmq's send pipe does.
 */
import { once } from 'node:events';
import net from 'node:net';
import { parseEndpoint } from './floor.mjs';
import { adoptWithOnread } from './onread.mjs';

/** @param {string} endpoint `tcp://host:port` (`*` for any port) */
function tcpAddress(endpoint) {
  const ep = parseEndpoint(endpoint);
  if (!ep.tcp) throw new Error(`the slow-consumer floor takes tcp://host:port endpoints, not ${endpoint}`);
  return { host: ep.host, port: ep.port };
}

export class SlowFloorPull {
  /** @type {Buffer[]} */
  #queue = [];
  /** @type {((record: Buffer) => void) | undefined} */
  #waiter;
  /** @type {Buffer | undefined} the record being filled */
  #partial;
  #filled = 0;
  /** @type {net.Socket | undefined} */
  #socket;
  #paused = false;
  /** @type {net.Server | undefined} */
  #server;
  #readBuffer = Buffer.allocUnsafeSlow(64 * 1024);
  lastEndpoint = '';
  /** The most records ever queued at once (for tests). */
  maxQueued = 0;

  /** @param {{ receiveHighWaterMark?: number, recordSize: number }} options */
  constructor({ receiveHighWaterMark = 1000, recordSize }) {
    this.hwm = receiveHighWaterMark;
    this.size = recordSize;
  }

  /** Listen; the first connection is served, any other refused. @param {string} endpoint */
  async bind(endpoint) {
    const { host, port } = tcpAddress(endpoint);
    const server = net.createServer((accepted) => {
      if (this.#socket !== undefined) return void accepted.destroy();
      const onread = { buffer: this.#readBuffer, callback: (/** @type {number} */ n, /** @type {Buffer} */ buf) => this.#onRead(n, buf) };
      this.#socket = adoptWithOnread(accepted, onread);
      this.#socket.on('error', () => {});
    });
    this.#server = server;
    server.listen(port, host);
    await once(server, 'listening');
    const addr = /** @type {net.AddressInfo} */ (server.address());
    this.lastEndpoint = `tcp://${host}:${addr.port}`;
  }

  /** @param {number} n @param {Buffer} buf */
  #onRead(n, buf) {
    const size = this.size;
    let off = 0;
    while (off < n) {
      if (this.#partial === undefined) {
        this.#partial = Buffer.allocUnsafe(size);
        this.#filled = 0;
      }
      const take = Math.min(n - off, size - this.#filled);
      buf.copy(this.#partial, this.#filled, off, off + take);
      this.#filled += take;
      off += take;
      if (this.#filled === size) {
        const record = this.#partial;
        this.#partial = undefined;
        const waiter = this.#waiter;
        if (waiter !== undefined) {
          this.#waiter = undefined;
          waiter(record);
        } else this.#queue.push(record);
      }
    }
    if (this.#queue.length > this.maxQueued) this.maxQueued = this.#queue.length;
    if (!this.#paused && this.#queue.length >= this.hwm) {
      this.#paused = true;
      this.#socket?.pause();
    }
    return true;
  }

  /** Records queued, not yet taken by `receive()`. */
  get queued() {
    return this.#queue.length;
  }

  /** Whether the socket has stopped reading (the queue reached the HWM). */
  get paused() {
    return this.#paused;
  }

  /** The next record. @returns {Promise<Buffer>} */
  receive() {
    const record = this.#queue.shift();
    if (record === undefined) return new Promise((resolve) => (this.#waiter = resolve));
    if (this.#paused && this.#queue.length < this.hwm) {
      this.#paused = false;
      this.#socket?.resume();
    }
    return Promise.resolve(record);
  }

  close() {
    this.#socket?.destroy();
    this.#server?.close();
  }
}

export class SlowFloorPush {
  /** @type {net.Socket | undefined} */
  #socket;
  /** @type {Promise<unknown> | undefined} */
  #connected;
  /** Records written but not yet handed to the kernel. */
  #inFlight = 0;
  /** @type {(() => void) | undefined} a send waiting for a record to leave */
  #wake;
  #written = () => {
    this.#inFlight--;
    const wake = this.#wake;
    if (wake !== undefined) {
      this.#wake = undefined;
      wake();
    }
  };

  /** @param {{ sendHighWaterMark?: number }} options */
  constructor({ sendHighWaterMark = 1000 }) {
    this.hwm = sendHighWaterMark;
  }

  /** @param {string} endpoint */
  connect(endpoint) {
    const socket = net.connect({ ...tcpAddress(endpoint), noDelay: true });
    socket.on('error', () => {});
    this.#socket = socket;
    this.#connected = once(socket, 'connect');
  }

  /** Write `record` by reference; waits while `sendHighWaterMark` records are in flight. @param {Buffer} record */
  async send(record) {
    const socket = this.#socket;
    if (socket === undefined) throw new Error('send() before connect()');
    await this.#connected;
    while (this.#inFlight >= this.hwm) await new Promise((resolve) => (this.#wake = resolve));
    this.#inFlight++;
    socket.write(record, this.#written);
  }

  close() {
    this.#socket?.destroy();
  }
}
