/**
 * ZMTP framing (RFC 23 §"Framing", unchanged in RFC 37).
 *
 *   frame = flags size body
 *   flags: bit 0 MORE, bit 1 LONG (8-byte size), bit 2 COMMAND; bits 3-7 must be zero
 *   size:  1 byte (short) or 8 bytes, network order (long)
 *
 * Decoder rules:
 * - accepts input split at any byte boundary;
 * - a body that arrived whole is passed on as a view of the read buffer (no copy), except
 *   that bodies under `COPY_BELOW` bytes taken from chunks over `PIN_ABOVE` bytes are
 *   copied, so one retained small message cannot pin a whole 64 KiB read buffer;
 * - a body split across chunks is assembled once into a buffer of its exact size;
 * - a frame over `maxMessageSize` is rejected from its header, before any body is buffered;
 * - a *transient* chunk (its memory is reused once `feed` returns: io_uring's provided
 *   buffers) is never viewed: every body and every piece kept for later is copied.
 */
import { ZmqError } from './errors.js';

/** More frames of this message follow. */
export const FLAG_MORE = 0x01;
/** 8-byte size field. */
export const FLAG_LONG = 0x02;
/** Command frame. */
export const FLAG_COMMAND = 0x04;
const RESERVED_MASK = 0xf8;

/**
 * Node's own Buffer class (`Buffer[Symbol.species]`): constructing a view with it skips
 * `Buffer.from`'s argument dispatch, a measurable share of decoding small frames. Where
 * the runtime has no such species (or it does not make Buffers), `Buffer.from` is used.
 */
const FastBuffer: new (ab: ArrayBufferLike, offset: number, length: number) => Buffer = (() => {
  const species = (Buffer as unknown as { [Symbol.species]?: unknown })[Symbol.species];
  if (typeof species === 'function' && species !== Buffer) {
    try {
      const probe = new (species as new (ab: ArrayBuffer, o: number, l: number) => Uint8Array)(new ArrayBuffer(2), 1, 1);
      if (Buffer.isBuffer(probe) && probe.byteOffset === 1 && probe.length === 1) {
        return species as new (ab: ArrayBufferLike, offset: number, length: number) => Buffer;
      }
    } catch {
      /* fall through */
    }
  }
  return function (this: unknown, ab: ArrayBufferLike, offset: number, length: number) {
    return Buffer.from(ab as ArrayBuffer, offset, length);
  } as unknown as new (ab: ArrayBufferLike, offset: number, length: number) => Buffer;
})();

/** Largest body that fits a short frame. */
export const MAX_SHORT_SIZE = 255;
/** Bodies smaller than this are copied out of large read buffers. */
export const COPY_BELOW = 1024;
/** Read buffers larger than this are not pinned by small bodies. */
export const PIN_ABOVE = 4096;

/** Largest frame body the decoder will ever buffer, whatever `maxMessageSize` says (2 GiB). */
export const MAX_BUFFERABLE = 0x7fff_ffff;

/**
 * Small frames from a large chunk are copied out in runs of at most this many bytes (one
 * copy per run): a retained small message pins at most this much, as with Node's own
 * Buffer pool.
 */
export const RUN_BYTES = 4096;

/**
 * Transient chunks: bodies of `COPY_BELOW` bytes or more are copied out in runs of at most
 * this many bytes, one copy per run; a retained body pins at most this much, as a view of a
 * node:net read buffer does.
 */
export const LARGE_RUN_BYTES = 64 * 1024;

/**
 * Bodies larger than this are collected piecewise (the received chunks are kept) and joined
 * once complete; smaller ones are copied into a buffer allocated when their header arrives.
 * Either way each byte is copied once. The bound is what a header alone can make us
 * allocate: 64 KiB, one socket read, not the 1 MiB it once was (a peer sending bare
 * headers cost 1 MiB per connection, with no `maxMessageSize` set).
 */
export const ASSEMBLE_ABOVE = 64 * 1024;

/** Size of the header for a body of `size` bytes. */
export function frameHeaderSize(size: number): number {
  return size > MAX_SHORT_SIZE ? 9 : 2;
}

/**
 * Write a frame header into `target` at `offset`; returns the offset after it.
 * `flags` is MORE and/or COMMAND; LONG is added when needed.
 */
export function writeFrameHeader(target: Uint8Array, offset: number, flags: number, size: number): number {
  if (size > MAX_SHORT_SIZE) {
    target[offset] = flags | FLAG_LONG;
    // 64-bit big-endian size; JS sizes are < 2^53.
    const hi = Math.floor(size / 0x1_0000_0000);
    const lo = size >>> 0;
    target[offset + 1] = hi >>> 24;
    target[offset + 2] = (hi >>> 16) & 0xff;
    target[offset + 3] = (hi >>> 8) & 0xff;
    target[offset + 4] = hi & 0xff;
    target[offset + 5] = lo >>> 24;
    target[offset + 6] = (lo >>> 16) & 0xff;
    target[offset + 7] = (lo >>> 8) & 0xff;
    target[offset + 8] = lo & 0xff;
    return offset + 9;
  }
  target[offset] = flags;
  target[offset + 1] = size;
  return offset + 2;
}

/** Encode one complete frame into a new buffer (header + copy of the body). */
export function encodeFrame(flags: number, body: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(frameHeaderSize(body.length) + body.length);
  const off = writeFrameHeader(out, 0, flags, body.length);
  out.set(body, off);
  return out;
}

/** Receives decoded frames. `flags` has LONG cleared. */
export type FrameSink = (flags: number, body: Buffer) => void;

/**
 * Streaming frame decoder. Feed it chunks; it calls the sink once per frame, in order.
 * Throws `ZmqError` (`EPROTO`, `EMSGSIZE`) on malformed input; after a throw the decoder
 * must not be fed again (the connection is to be dropped).
 */
export class FrameDecoder {
  /** Header bytes of a frame whose header spans chunks. */
  private readonly head = Buffer.alloc(9);
  private headLen = 0;
  /** Body being assembled across chunks: one buffer, or (large bodies) the pieces so far. */
  private body: Buffer | undefined;
  private pieces: Buffer[] | undefined;
  private bodySize = 0;
  private bodyLen = 0;
  private bodyFlags = 0;
  /** The chunk being fed is transient: copy everything kept. */
  private transient = false;

  /**
   * @param sink called for every frame
   * @param maxMessageSize largest accepted frame body in bytes; negative = no limit
   */
  constructor(
    private readonly sink: FrameSink,
    private readonly maxMessageSize = -1,
  ) {}

  /**
   * Decode as many frames as `chunk` completes.
   * @param transient the chunk's memory is reused after this call: nothing may keep a view
   *   of it (bodies and partial bodies are copied)
   */
  feed(chunk: Buffer, transient = false): void {
    this.transient = transient;
    const end = chunk.length;
    let off = 0;
    if (this.bodySize > 0) {
      off = this.continueBody(chunk);
      if (off === end) return;
    } else if (this.headLen > 0) {
      off = this.continueHeader(chunk);
      if (off === end) return;
    }
    const copySmall = transient || end > PIN_ABOVE;
    while (off < end) {
      const flags = chunk[off]!;
      let size: number;
      let bodyStart: number;
      if ((flags & FLAG_LONG) === 0) {
        if (off + 2 > end) break;
        size = chunk[off + 1]!;
        if (copySmall && off + 2 + size <= end) {
          const next = this.copyRun(chunk, off);
          if (next > off) {
            off = next;
            continue;
          }
        }
        bodyStart = off + 2;
      } else {
        if (off + 9 > end) break;
        size = this.longSize(chunk, off + 1);
        bodyStart = off + 9;
        if (transient && size >= COPY_BELOW && bodyStart + size <= end) {
          const next = this.copyLargeRun(chunk, off);
          if (next > off) {
            off = next;
            continue;
          }
        }
      }
      this.checkHeader(flags, size);
      off = this.emitOrStart(flags, size, chunk, bodyStart);
    }
    if (off < end) {
      // Partial header: keep it for the next chunk.
      chunk.copy(this.head, 0, off, end);
      this.headLen = end - off;
    }
  }

  /**
   * Copy a run of consecutive, complete, valid short frames (starting at `start`) out of a
   * large chunk with one copy of at most `RUN_BYTES`, then emit views of that copy. Stops
   * before any frame it cannot take (long form, incomplete, or invalid — the caller then
   * handles it, so earlier frames are always delivered before an error). Returns the
   * offset after the run (`start` when it took nothing).
   */
  private copyRun(chunk: Buffer, start: number): number {
    const end = chunk.length;
    const max = this.maxMessageSize;
    let off = start;
    while (off + 2 <= end) {
      const flags = chunk[off]!;
      const size = chunk[off + 1]!;
      const next = off + 2 + size;
      if (
        (flags & (RESERVED_MASK | FLAG_LONG)) !== 0 ||
        (flags & (FLAG_COMMAND | FLAG_MORE)) === (FLAG_COMMAND | FLAG_MORE) ||
        (max >= 0 && size > max) ||
        next > end ||
        (next - start > RUN_BYTES && off > start)
      ) {
        break;
      }
      off = next;
    }
    if (off === start) return start;
    this.emitCopied(chunk, start, off, 2);
    return off;
  }

  /**
   * Copy `chunk[start, end)` — whole, already validated frames, all with `headerSize`-byte
   * headers — once, then walk the copy (headers included) and emit views of its bodies.
   */
  private emitCopied(chunk: Buffer, start: number, end: number, headerSize: 2 | 9): void {
    const copy = Buffer.allocUnsafe(end - start);
    chunk.copy(copy, 0, start, end);
    const ab = copy.buffer;
    const base = copy.byteOffset;
    for (let at = 0; at < copy.length; ) {
      const size = headerSize === 2 ? copy[at + 1]! : copy.readUInt32BE(at + 5);
      this.sink(copy[at]! & ~FLAG_LONG, new FastBuffer(ab, base + at + headerSize, size));
      at += headerSize + size;
    }
  }

  /**
   * Transient chunks only: copy a run of consecutive, complete, valid long frames whose
   * bodies are at least `COPY_BELOW` bytes (starting at `start`) with one copy of at most
   * `LARGE_RUN_BYTES` (or the one frame, when larger), then emit views of that copy — the
   * views a node:net read buffer would give, for one copy instead of one per body. Stops
   * before any frame it cannot take; returns the offset after the run (`start` if none).
   */
  private copyLargeRun(chunk: Buffer, start: number): number {
    const end = chunk.length;
    const max = this.maxMessageSize;
    let off = start;
    while (off + 9 <= end) {
      const flags = chunk[off]!;
      if ((flags & FLAG_LONG) === 0 || (flags & RESERVED_MASK) !== 0 || (flags & (FLAG_COMMAND | FLAG_MORE)) === (FLAG_COMMAND | FLAG_MORE)) break;
      // Sizes of 4 GiB and over (hi word set) are left to the general path and its checks.
      if (chunk[off + 1]! !== 0 || chunk[off + 2]! !== 0 || chunk[off + 3]! !== 0 || chunk[off + 4]! !== 0) break;
      const size = ((chunk[off + 5]! << 24) | (chunk[off + 6]! << 16) | (chunk[off + 7]! << 8) | chunk[off + 8]!) >>> 0;
      const next = off + 9 + size;
      if (size < COPY_BELOW || (max >= 0 && size > max) || next > end || (next - start > LARGE_RUN_BYTES && off > start)) break;
      off = next;
    }
    if (off === start) return start;
    this.emitCopied(chunk, start, off, 9);
    return off;
  }

  private longSize(b: Uint8Array, at: number): number {
    const hi = ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
    const lo = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
    const size = hi * 0x1_0000_0000 + lo;
    if (size > MAX_BUFFERABLE) {
      throw new ZmqError('EMSGSIZE', `frame too large: peer announced ${size} bytes, more than the ${MAX_BUFFERABLE} bytes one frame may hold here`);
    }
    return size;
  }

  private checkHeader(flags: number, size: number): void {
    if ((flags & RESERVED_MASK) !== 0) {
      throw new ZmqError('EPROTO', `malformed frame: reserved flag bits must be zero, got flags 0x${flags.toString(16).padStart(2, '0')}`);
    }
    if ((flags & (FLAG_COMMAND | FLAG_MORE)) === (FLAG_COMMAND | FLAG_MORE)) {
      throw new ZmqError('EPROTO', 'malformed frame: a command frame must not have the MORE flag');
    }
    if (this.maxMessageSize >= 0 && size > this.maxMessageSize) {
      throw new ZmqError('EMSGSIZE', `frame too large: limit is ${this.maxMessageSize} bytes (maxMessageSize), peer announced ${size} bytes`);
    }
  }

  /** Complete a header begun in an earlier chunk; returns the offset reached in `chunk`. */
  private continueHeader(chunk: Buffer): number {
    const flags = this.head[0]!;
    const need = (flags & FLAG_LONG) === 0 ? 2 : 9;
    const take = Math.min(need - this.headLen, chunk.length);
    chunk.copy(this.head, this.headLen, 0, take);
    this.headLen += take;
    if (this.headLen < need) return chunk.length;
    this.headLen = 0;
    const size = need === 2 ? this.head[1]! : this.longSize(this.head, 1);
    this.checkHeader(flags, size);
    return this.emitOrStart(flags, size, chunk, take);
  }

  /**
   * Emit the body starting at `from` if `chunk` holds all of it, else start assembling
   * it. Returns the offset reached in `chunk`.
   */
  private emitOrStart(flags: number, size: number, chunk: Buffer, from: number): number {
    const end = from + size;
    if (end <= chunk.length) {
      let body: Buffer;
      if (this.transient || (size < COPY_BELOW && chunk.length > PIN_ABOVE)) {
        body = Buffer.allocUnsafe(size);
        chunk.copy(body, 0, from, end);
      } else {
        // Same as chunk.subarray(from, end), without the species lookup.
        body = new FastBuffer(chunk.buffer, chunk.byteOffset + from, size);
      }
      this.sink(flags & ~FLAG_LONG, body);
      return end;
    }
    // Memory for a large body grows with what actually arrives: a header alone never
    // makes us allocate what it announces.
    if (size > ASSEMBLE_ABOVE) {
      this.pieces = [this.transient ? Buffer.from(chunk.subarray(from)) : chunk.subarray(from)];
    } else {
      this.body = Buffer.allocUnsafe(size);
      chunk.copy(this.body, 0, from);
    }
    this.bodySize = size;
    this.bodyLen = chunk.length - from;
    this.bodyFlags = flags & ~FLAG_LONG;
    return chunk.length;
  }

  /** Continue a body spanning chunks; returns the offset reached in `chunk`. */
  private continueBody(chunk: Buffer): number {
    const take = Math.min(this.bodySize - this.bodyLen, chunk.length);
    if (this.pieces !== undefined) {
      const piece = take === chunk.length ? chunk : chunk.subarray(0, take);
      this.pieces.push(this.transient ? Buffer.from(piece) : piece);
    }
    else chunk.copy(this.body!, this.bodyLen, 0, take);
    this.bodyLen += take;
    if (this.bodyLen === this.bodySize) {
      const body = this.pieces !== undefined ? Buffer.concat(this.pieces, this.bodySize) : this.body!;
      this.body = this.pieces = undefined;
      this.bodySize = this.bodyLen = 0;
      this.sink(this.bodyFlags, body);
    }
    return take;
  }
}
