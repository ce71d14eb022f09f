/**
 * The `node-net` column ("node:net floor"): plain `node:net` sockets with no ZMTP at all,
 * the floor the issue measures Monocoque's API against. The classes mimic just enough of
 * the zeromq.js v6 socket API that worker.mjs drives (constructor(options), `bind()` /
 * `lastEndpoint`, `connect()`, `send()`, `receive()`, `for await`, `write()` / `flush()` /
 * `receiveMany()`, `close()`), so the worker's sender, receiver and latency code measures
 * them unchanged.
 *
 * There is no framing: every message is a fixed-size record of `recordSize` bytes (the
 * scenario's size, which the worker passes as an option), and the receiver cuts the byte
 * stream into records. Semantics, per API variant:
 * - plain send: `socket.write(payload)` per message, then one `await` — of
 *   `once(socket, 'drain')` when `write` returned false, else of an already-resolved
 *   promise. One await per message; Node's own stream buffering, corked for the rest of
 *   the tick at the first write (uncorked on `process.nextTick`), so the writes of one
 *   turn reach the kernel as one `writev` instead of one `write(2)` each: the best such a
 *   sender does (uncorked, it measured about 5× lower, bound by one syscall per message).
 * - plain receive: an async generator over the socket's chunks that yields each record
 *   (records split across chunks are reassembled into a fresh buffer). One await per
 *   message.
 * - batch send ("the same bytes without framing"): `write()` copies a payload under 16 KiB
 *   into a 256 KiB staging buffer (the least a sender of separate messages can do); a full
 *   buffer, and `flush()`, hand it to `socket.write()`; `flush()` awaits `drain` when the
 *   socket asks for it. No per-message await and no per-message `socket.write()` for
 *   small messages; a payload of 16 KiB or more goes to `socket.write()` as it is (after
 *   what is staged), since copying it would cost more than the call.
 * - batch receive: counts bytes; no per-record work. `receiveMany()` returns how many
 *   whole records arrived as an array of that many references to ONE shared `[record]`
 *   (cached per length and reused between calls), only so that the worker's per-message
 *   checks still pass: the bytes themselves are never looked at.
 * - req-rep: the client writes one record and awaits exactly one record back; the server
 *   echoes each record as it is cut from the stream.
 * Both sides set TCP_NODELAY, as Monocoque's net transport and libzmq do. The binding side
 * serves the first connection it accepts and refuses any other.
 *
 * The `node-net-framed` column ("node:net floor, framed", push-pull only) is the same
 * floor carrying ZMTP-framed messages (each record is a final frame's header, RFC 23,
 * and the payload), its receiver doing only the receiving API's per-message work: the
 * receiver checks each frame's header and hands out one `Buffer` view of the body (on the
 * received chunk: no copy) in a one-frame array, `receiveMany()` an array of those. No
 * greeting, no queue, no high-water mark, no copy: the simplest receiver of `Buffer[]`
 * messages on node:net, a reference for what the API's per-message work costs, not an
 * implementation. By default it takes Node's fresh buffer per read; with
 * `MONOCOQUE_BENCH_FRAMED_READS=shared` its binding side reads as Monocoque's does instead
 * (one shared read buffer, whole records copied out in runs of at most 4 KiB, views on the
 * copies), so that both ways of reading can be compared on the same row.
 */
import { once } from 'node:events';
import net from 'node:net';
import { adoptWithOnread } from './onread.mjs';

/** Bytes staged per `socket.write()` in the batch variant. */
const STAGE_BYTES = 256 * 1024;
/** Batch variant: payloads this big or bigger are written by reference, not staged. */
const DIRECT_BYTES = 16 * 1024;
/** Received chunks queued before the socket is paused (backpressure to the sender). */
const MAX_QUEUED_CHUNKS = 16;
/**
 * How the framed floor's binding side reads (analysis knob, `MONOCOQUE_BENCH_FRAMED_READS`):
 * `fresh` (default) takes Node's fresh buffer per read and makes its views on it; `shared`
 * reads into one 64 KiB buffer (`onread`, as Monocoque's node:net transport does) and copies
 * whole records out in runs of at most `RUN_BYTES` (Node's pool: a view then pins at most
 * 8 KiB, as Monocoque's and libzmq's do), making its views on the copies.
 */
export const FRAMED_READS = process.env.MONOCOQUE_BENCH_FRAMED_READS === 'shared' ? 'shared' : 'fresh';
/** `shared` reads: bytes of whole records per copied run (Monocoque's decoder copies ≤ 4 KiB runs). */
const RUN_BYTES = 4096;
/** `shared` reads: runs queued before the socket is paused (as many bytes as the chunks above). */
const MAX_QUEUED_RUNS = MAX_QUEUED_CHUNKS * 16;

const RESOLVED = Promise.resolve();

/** Node's Buffer class itself (`Buffer[Symbol.species]`): a view without `Buffer.from`'s dispatch. */
const FastBuffer = /** @type {new (ab: ArrayBufferLike, offset: number, length: number) => Buffer} */ (
  /** @type {any} */ (Buffer)[Symbol.species]
);

/**
 * The header of a final ZMTP data frame of `size` bytes (RFC 23: flags, then a 1-byte size
 * up to 255, else LONG and an 8-byte big-endian size). Written here rather than taken from
 * `@monocoque/zmtp`'s `writeFrameHeader`: the floor columns load nothing of Monocoque, so
 * they run without the workspace built.
 * @param {number} size
 */
export function frameHeader(size) {
  if (size <= 255) return Buffer.from([0, size]);
  const h = Buffer.alloc(9);
  h[0] = 0x02;
  h.writeBigUInt64BE(BigInt(size), 1);
  return h;
}

/**
 * @param {string} endpoint `tcp://host:port` or `ipc://path`
 * @returns {{ tcp: true, host: string, port: number } | { tcp: false, path: string }}
 */
export function parseEndpoint(endpoint) {
  const ipc = /^ipc:\/\/(.+)$/.exec(endpoint);
  if (ipc) return { tcp: false, path: ipc[1] };
  const tcp = /^tcp:\/\/(.+):(\d+|\*)$/.exec(endpoint);
  if (!tcp) throw new Error(`node:net floor: endpoint ${endpoint}, expected tcp://host:port or ipc://path`);
  return { tcp: true, host: tcp[1], port: tcp[2] === '*' ? 0 : Number(tcp[2]) };
}

/**
 * The received chunks of one connection, in flowing mode (`'data'` events: no
 * `Buffer.concat` of queued chunks, as `read()` would do), pausing the socket while
 * `MAX_QUEUED_CHUNKS` chunks wait.
 */
class Chunks {
  /** @type {Buffer[]} */ #queue = [];
  #head = 0;
  /** @type {((chunk: Buffer | null) => void) | undefined} */ #wake;
  #ended = false;
  /** @type {Error | undefined} */ #error;
  /** @type {net.Socket} */ #sock;
  #maxQueued;
  /** Bytes in the queued chunks. */
  #bytes = 0;

  /**
   * @param {net.Socket} sock
   * @param {boolean} [fed] chunks come from `push()` (an `onread` socket), not `'data'` events
   */
  constructor(sock, fed = false) {
    this.#sock = sock;
    this.#maxQueued = fed ? MAX_QUEUED_RUNS : MAX_QUEUED_CHUNKS;
    if (!fed) sock.on('data', (/** @type {Buffer} */ chunk) => this.push(chunk));
    const end = () => {
      this.#ended = true;
      this.#wake?.(null);
      this.#wake = undefined;
    };
    sock.on('end', end);
    sock.on('close', end);
    sock.on('error', (err) => {
      this.#error = err;
      end();
    });
  }

  /** @param {Buffer} chunk a received chunk the queue may keep */
  push(chunk) {
    if (this.#wake) {
      const wake = this.#wake;
      this.#wake = undefined;
      wake(chunk);
      return;
    }
    this.#queue.push(chunk);
    this.#bytes += chunk.length;
    if (this.#queue.length - this.#head >= this.#maxQueued) this.#sock.pause();
  }

  /** Bytes queued now (what `next()` returns without waiting). */
  get queuedBytes() {
    return this.#bytes;
  }

  /**
   * The next chunk (null at the end of the stream): synchronously when one is queued.
   * @returns {Buffer | null | Promise<Buffer | null>}
   */
  next() {
    if (this.#head < this.#queue.length) {
      const chunk = this.#queue[this.#head++];
      this.#bytes -= chunk.length;
      if (this.#head === this.#queue.length) {
        this.#queue = [];
        this.#head = 0;
        this.#sock.resume();
      }
      return chunk;
    }
    if (this.#error) throw this.#error;
    if (this.#ended) return null;
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }
}

/**
 * One end of a raw `node:net` stream carrying fixed-size records. The binding side
 * (`bind`) serves the first connection it accepts; the connecting side (`connect`) may
 * `send`/`write` before the connection is up (net.Socket queues the bytes).
 */
class FloorSocket {
  /** The security mechanism, for the worker's check: none, as on a NULL row. */
  securityMechanism = 'null';
  /** @type {string | undefined} the bound endpoint, port resolved */
  lastEndpoint;
  /** @type {net.Socket | undefined} */ #sock;
  /** @type {Promise<net.Socket>} */ #connected;
  /** @type {(s: net.Socket) => void} */ #setSock = () => {};
  /** @type {net.Server | undefined} */ #server;
  /** @type {AsyncGenerator<[Buffer]> | undefined} */ #records;
  /** @type {Chunks | undefined} */ #chunks;
  #size;
  /** batch send: the staging buffer and how much of it is filled */
  #stage = Buffer.allocUnsafe(STAGE_BYTES);
  #staged = 0;
  /** batch receive: bytes of an incomplete record carried to the next chunk */
  #carry = 0;
  /** @type {Array<[Buffer]>[]} batch receive: arrays of n references to one record, by n */
  #batches = [];
  /** @type {[Buffer]} */ #shared;
  /** framed: the frame header every record starts with (empty when unframed) */
  #header;
  /** bytes per record on the wire: header and payload */
  #record;
  /** framed batch receive: a record split across chunks, and how much of it has arrived */
  /** @type {Buffer | undefined} */ #partial;
  #have = 0;

  /**
   * @param {{ recordSize?: number, framed?: boolean }} [options] `recordSize`: bytes per
   *   message (required); `framed`: ZMTP-frame each message (the framed floor)
   */
  constructor(options = {}) {
    const size = options.recordSize;
    if (!Number.isInteger(size) || /** @type {number} */ (size) <= 0) {
      throw new Error(`node:net floor: recordSize ${size}, expected a positive integer (the scenario's message size)`);
    }
    this.#size = /** @type {number} */ (size);
    this.#header = options.framed ? frameHeader(this.#size) : Buffer.alloc(0);
    this.#record = this.#header.length + this.#size;
    this.#shared = [Buffer.alloc(this.#size)];
    this.#connected = new Promise((resolve) => {
      this.#setSock = resolve;
    });
  }

  /** @param {net.Socket} sock */
  #adopt(sock) {
    sock.setNoDelay(true);
    this.#sock = sock;
    this.#setSock(sock);
  }

  /**
   * Listen on `endpoint` (`tcp://host:*` picks a port); the first accepted connection
   * becomes this socket's stream.
   * @param {string} endpoint
   */
  async bind(endpoint) {
    const ep = parseEndpoint(endpoint);
    const server = net.createServer((sock) => {
      if (this.#sock) sock.destroy();
      else if (this.#header.length > 0 && FRAMED_READS === 'shared') {
        const onread = { buffer: Buffer.allocUnsafeSlow(64 * 1024), callback: (/** @type {number} */ n, /** @type {Buffer} */ buf) => this.#sharedRead(n, buf) };
        this.#adopt(adoptWithOnread(sock, onread));
      } else this.#adopt(sock);
    });
    this.#server = server;
    await new Promise((resolve, reject) => {
      server.once('error', reject);
      if (ep.tcp) server.listen(ep.port, ep.host, () => resolve(undefined));
      else server.listen(ep.path, () => resolve(undefined));
    });
    const addr = server.address();
    this.lastEndpoint = typeof addr === 'object' && addr && ep.tcp ? `tcp://${ep.host}:${addr.port}` : endpoint;
  }

  /**
   * Connect to `endpoint`; writes before the connection is up are queued by net.Socket.
   * @param {string} endpoint
   */
  connect(endpoint) {
    const ep = parseEndpoint(endpoint);
    this.#adopt(ep.tcp ? net.connect(ep.port, ep.host) : net.connect(ep.path));
  }

  /** @returns {net.Socket} */
  #socket() {
    if (!this.#sock) throw new Error('node:net floor: send before connect (the binding side sends once a peer is connected)');
    return this.#sock;
  }

  /**
   * Plain send: one `socket.write()`, then the promise the caller awaits (drain when the
   * stream asked for it, else an already-resolved one).
   * @param {Buffer | Buffer[]} msg a record, or `[record]` (the echo server sends back what it got)
   * @returns {Promise<unknown>}
   */
  send(msg) {
    const sock = this.#socket();
    if (!this.#corked) {
      this.#corked = true;
      sock.cork();
      process.nextTick(this.#uncork);
    }
    const payload = Array.isArray(msg) ? msg[0] : msg;
    return sock.write(this.#header.length > 0 ? this.#framed(payload) : payload) ? RESOLVED : once(sock, 'drain');
  }

  /**
   * Plain framed send: header and payload in one buffer (one `write()` per message, as
   * unframed); a payload of `DIRECT_BYTES` or more gets its header written on its own.
   * @param {Buffer} payload
   */
  #framed(payload) {
    const header = this.#header;
    if (payload.length >= DIRECT_BYTES) {
      this.#socket().write(header);
      return payload;
    }
    const rec = Buffer.allocUnsafe(header.length + payload.length);
    header.copy(rec, 0);
    payload.copy(rec, header.length);
    return rec;
  }

  #corked = false;
  #uncork = () => {
    this.#corked = false;
    this.#sock?.uncork();
  };

  /**
   * Batch send: copy the payload into the staging buffer; a full buffer goes to
   * `socket.write()`. Returns false when the stream wants the caller to `flush()` (drain).
   * @param {Buffer} payload
   */
  write(payload) {
    const sock = this.#socket();
    const header = this.#header;
    if (payload.length >= DIRECT_BYTES) {
      if (header.length > 0) this.#stageBytes(header);
      if (this.#staged > 0) this.#emit();
      return sock.write(payload);
    }
    if (this.#staged + header.length + payload.length > this.#stage.length) this.#emit();
    if (header.length > 0) this.#stageBytes(header);
    payload.copy(this.#stage, this.#staged);
    this.#staged += payload.length;
    return !sock.writableNeedDrain;
  }

  /** @param {Buffer} bytes fewer than the staging buffer holds */
  #stageBytes(bytes) {
    if (this.#staged + bytes.length > this.#stage.length) this.#emit();
    for (let i = 0; i < bytes.length; i++) this.#stage[this.#staged++] = bytes[i];
  }

  /** Hand the staged bytes to the socket (which keeps the buffer: start a fresh one). */
  #emit() {
    if (this.#staged === 0) return;
    this.#socket().write(this.#stage.subarray(0, this.#staged));
    this.#stage = Buffer.allocUnsafe(STAGE_BYTES);
    this.#staged = 0;
  }

  /** Batch send: write what is staged; resolve once the stream has room again. */
  flush() {
    this.#emit();
    const sock = this.#socket();
    return sock.writableNeedDrain ? once(sock, 'drain') : RESOLVED;
  }

  /**
   * The records of the stream, one `[record]` per message (split records reassembled);
   * framed, `[body]` of each checked frame.
   */
  async *#cut() {
    if (this.#header.length > 0) {
      // A view of the record, then one of its body: one view more than needed, against the
      // ~1 µs per message of the one await (the plain rows' bound).
      for await (const record of this.#records0()) yield [this.#body(record[0], 0)];
      return;
    }
    yield* this.#records0();
  }

  /** The fixed-size records of the stream, one `[record]` each. */
  async *#records0() {
    const size = this.#record;
    const chunks = await this.#chunkSource();
    /** @type {Buffer | undefined} */
    let partial;
    let have = 0;
    for (;;) {
      const chunk = await chunks.next();
      if (chunk === null) return;
      let off = 0;
      if (partial) {
        const n = Math.min(size - have, chunk.length);
        chunk.copy(partial, have, 0, n);
        have += n;
        off = n;
        if (have < size) continue;
        const whole = partial;
        partial = undefined;
        yield /** @type {[Buffer]} */ ([whole]);
      }
      for (; off + size <= chunk.length; off += size) yield /** @type {[Buffer]} */ ([chunk.subarray(off, off + size)]);
      if (off < chunk.length) {
        partial = Buffer.allocUnsafe(size);
        have = chunk.copy(partial, 0, off);
      }
    }
  }

  async #chunkSource() {
    this.#chunks ??= new Chunks(await this.#connected);
    return this.#chunks;
  }

  /** `shared` reads: a record split across reads, and how much of it has arrived. */
  /** @type {Buffer | undefined} */ #readPartial;
  #readHave = 0;

  /**
   * `shared` reads (framed floor, binding side): `n` bytes in the reused read buffer. Whole
   * records are copied out in runs of at most `RUN_BYTES` (one chunk each), a record split
   * across reads is assembled in a buffer of its own; the chunks are whole records only.
   * @param {number} n
   * @param {Buffer} buf
   */
  #sharedRead(n, buf) {
    const chunks = (this.#chunks ??= new Chunks(/** @type {net.Socket} */ (this.#sock), true));
    const record = this.#record;
    let off = 0;
    if (this.#readPartial) {
      const take = Math.min(record - this.#readHave, n);
      buf.copy(this.#readPartial, this.#readHave, 0, take);
      this.#readHave += take;
      off = take;
      if (this.#readHave < record) return true;
      chunks.push(this.#readPartial);
      this.#readPartial = undefined;
    }
    const perRun = Math.max(1, Math.floor(RUN_BYTES / record)) * record;
    while (n - off >= record) {
      const len = Math.min(perRun, n - off - ((n - off) % record));
      const run = Buffer.allocUnsafe(len);
      buf.copy(run, 0, off, off + len);
      chunks.push(run);
      off += len;
    }
    if (off < n) {
      this.#readPartial = Buffer.allocUnsafe(record);
      this.#readHave = buf.copy(this.#readPartial, 0, off, n);
    }
    return true;
  }

  /** @returns {AsyncGenerator<[Buffer]>} */
  [Symbol.asyncIterator]() {
    this.#records ??= this.#cut();
    return this.#records;
  }

  /** The next record, as `[record]`. */
  async receive() {
    const r = await this[Symbol.asyncIterator]().next();
    if (r.done) throw new Error('node:net floor: the peer closed the stream');
    return r.value;
  }

  /**
   * Batch receive: the whole records in the next chunk(s), counted in bytes only. Returns
   * an array of n references to one shared `[record]` (not the received bytes: only so
   * that the worker's per-message length check passes; reused between calls).
   * @returns {Promise<Array<[Buffer]>>}
   */
  async receiveMany() {
    if (this.#header.length > 0) return this.#framedMany();
    const chunks = await this.#chunkSource();
    const size = this.#size;
    for (;;) {
      const chunk = await chunks.next();
      if (chunk === null) throw new Error('node:net floor: the peer closed the stream');
      const bytes = this.#carry + chunk.length;
      const n = Math.floor(bytes / size);
      this.#carry = bytes - n * size;
      if (n > 0) return (this.#batches[n] ??= new Array(n).fill(this.#shared));
    }
  }

  /**
   * The body of the frame at `off` in `buf`, as a view, after checking its header.
   * @param {Buffer} buf
   * @param {number} off
   */
  #body(buf, off) {
    const header = this.#header;
    if (header.length === 2) {
      if (buf[off] !== 0 || buf[off + 1] !== this.#size) throw new Error(`node:net floor: bad frame header at byte ${off}: ${buf[off]} ${buf[off + 1]}, expected 0 ${this.#size}`);
      return new FastBuffer(buf.buffer, buf.byteOffset + off + 2, this.#size);
    }
    for (let i = 0; i < header.length; i++) {
      if (buf[off + i] !== header[i]) throw new Error(`node:net floor: bad frame header at byte ${off + i}: ${buf[off + i]}, expected ${header[i]}`);
    }
    return new FastBuffer(buf.buffer, buf.byteOffset + off + header.length, this.#size);
  }

  /**
   * Framed batch receive: the whole frames of the next chunk(s), each as `[body view]`
   * (a frame split across chunks is assembled into a fresh buffer first).
   * @returns {Promise<Array<[Buffer]>>}
   */
  async #framedMany() {
    const chunks = await this.#chunkSource();
    const record = this.#record;
    for (;;) {
      const chunk = await chunks.next();
      if (chunk === null) throw new Error('node:net floor: the peer closed the stream');
      let off = 0;
      /** @type {[Buffer] | undefined} */
      let first;
      if (this.#partial) {
        const n = Math.min(record - this.#have, chunk.length);
        chunk.copy(this.#partial, this.#have, 0, n);
        this.#have += n;
        off = n;
        if (this.#have < record) continue;
        first = [this.#body(this.#partial, 0)];
        this.#partial = undefined;
      }
      // Records are fixed-size: the batch is sized once. `shared` reads hand a read in as
      // several runs of whole records: those already queued join this batch, as receiveMany()
      // returns everything queued.
      const whole = Math.floor((chunk.length - off) / record);
      const queued = FRAMED_READS === 'shared' ? chunks.queuedBytes / record : 0;
      /** @type {Array<[Buffer]>} */
      const out = new Array(whole + (first ? 1 : 0) + queued);
      let i = 0;
      if (first) out[i++] = first;
      for (; off + record <= chunk.length; off += record) out[i++] = [this.#body(chunk, off)];
      if (off < chunk.length) {
        this.#partial = Buffer.allocUnsafe(record);
        this.#have = chunk.copy(this.#partial, 0, off);
      }
      for (let q = queued; q > 0; ) {
        const run = /** @type {Buffer} */ (chunks.next());
        for (let at = 0; at < run.length; at += record, q--) out[i++] = [this.#body(run, at)];
      }
      if (out.length > 0) return out;
    }
  }

  close() {
    this.#sock?.destroy();
    this.#server?.close();
  }
}

/** The binding side of a PUSH/PULL row: counts what arrives. */
export class FloorPull extends FloorSocket {}
/** The connecting side of a PUSH/PULL row: sends flat out. */
export class FloorPush extends FloorSocket {}
/** The binding side of a REQ/REP row: echoes each record. */
export class FloorReply extends FloorSocket {}
/** The connecting side of a REQ/REP row: one record out, one back. */
export class FloorRequest extends FloorSocket {}

/** What the floor can run, per pattern: [server (binds), client (connects)]. */
export const FLOOR_CLASSES = {
  'push-pull': [FloorPull, FloorPush],
  'req-rep': [FloorReply, FloorRequest],
};

/** Why the other patterns' cells are skipped. */
export const FLOOR_ONLY = 'the node:net floor only has push-pull and req-rep';

/** What the framed floor can run: push-pull only. */
export const FRAMED_FLOOR_CLASSES = { 'push-pull': FLOOR_CLASSES['push-pull'] };
/** Why the framed floor's other cells are skipped. */
export const FRAMED_FLOOR_ONLY = 'the framed node:net floor only has push-pull';
