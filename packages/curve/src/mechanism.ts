/**
 * The CURVE mechanism: ZMTP-CURVE (RFC 25) running the CurveZMQ handshake and message
 * encryption (RFC 26 §"The CurveZMQ Protocol"), byte-compatible with libzmq 4.3.
 *
 *   C → S  HELLO     version 1.0, 72 zero bytes (anti-amplification), C', short nonce,
 *                    Box[64 zeros](C'→S)                                 "CurveZMQHELLO---"
 *   S → C  WELCOME   long nonce, Box[S' + cookie](S→C')                 "WELCOME-"
 *                    cookie = long nonce, Box[C' + s'](K)                "COOKIE--"
 *   C → S  INITIATE  cookie, short nonce, Box[C + vouch + metadata](C'→S') "CurveZMQINITIATE"
 *                    vouch = long nonce, Box[C' + S](C→S')               "VOUCH---"
 *   S → C  READY     short nonce, Box[metadata](S'→C')                   "CurveZMQREADY---"
 *   both   MESSAGE   short nonce, Box[flags + frame](S'↔C')              "CurveZMQMESSAGEC"/"…S"
 *
 * Short nonces count per direction from 1 and continue from the handshake into MESSAGE,
 * as libzmq numbers them: the client's HELLO is 1, INITIATE 2, its first MESSAGE 3; the
 * server's READY is 1, its first MESSAGE 2. A received short nonce must exceed the last
 * one from that peer (RFC 26: "SHALL disconnect clients that reuse a short nonce"); it is
 * checked and recorded only after the box's MAC verifies, and nothing inside a box is used
 * before that.
 *
 * The server keeps, between WELCOME and INITIATE, only C' and the cookie key K (fresh per
 * connection, usable once, for at most {@link COOKIE_LIFETIME_MS}); s' lives in the
 * cookie (RFC 26 §"The WELCOME Command": the server discards its transient secret), so a
 * cookie from another connection cannot open. The vouch must bind C' and our S.
 *
 * After the handshake each ZMTP frame travels in its own MESSAGE box, sent as a plain
 * data frame with no outer flags, exactly as libzmq sends it; the real flags are the
 * first byte inside the box (bit 0 MORE, bit 1 COMMAND: libzmq's `msg_t` flags). Outer
 * flags on receipt are ignored, as libzmq ignores them.
 *
 * Handshake errors, as libzmq: a box that does not open or a malformed command fails the
 * connection with `EPROTO` and no ERROR; a ZAP refusal sends ERROR with the status code
 * (300 holds the connection silently); a client receiving ERROR fails with the server's
 * reason (`EACCES` with the ZAP status for `300`/`400`/`500`).
 */
import {
  FLAG_COMMAND,
  FLAG_MORE,
  type FrameTransform,
  type HandshakeCallbacks,
  type HandshakeContext,
  type HandshakeIdentity,
  type Mechanism,
  type MechanismHandshake,
  type Metadata,
  ZmqError,
  decodeErrorReason,
  decodeMetadata,
  encodeCommand,
  encodeMetadata,
  frameHeaderSize,
  peerRefusal,
  writeFrameHeader,
  zapRefusal,
} from '@monocoque/zmtp';
import { boxBackend } from './backend/index.js';
import { type BoxBackend, KEY_BYTES, MAC_BYTES, type MessageBoxes, NONCE_BYTES } from './backend/types.js';
import { curveKeyBytes } from './keys.js';
import { type RandomSource, systemRandom, wipe } from './random.js';

/** Options of {@link curveMechanism}. */
export interface CurveOptions {
  /** Act as the CURVE server (`curveServer`). Default false: a client. */
  readonly server?: boolean;
  /**
   * Our long-term public key, 40 Z85 characters or 32 bytes. Required for a client; a
   * server derives it from `secretKey` (when given, it must match).
   */
  readonly publicKey?: string | Uint8Array | null;
  /** Our long-term secret key, 40 Z85 characters or 32 bytes. Required. */
  readonly secretKey?: string | Uint8Array | null;
  /** Client: the server's long-term public key, 40 Z85 characters or 32 bytes. Required for a client. */
  readonly serverKey?: string | Uint8Array | null;
}

/** How long a cookie (and so a WELCOME) stays valid: RFC 26 suggests 60 seconds. */
export const COOKIE_LIFETIME_MS = 60_000;

/** Everything a handshake needs from outside; tests replace it (not public API). */
export interface CurveDeps {
  readonly random: RandomSource;
  readonly now: () => number;
  readonly backend: () => BoxBackend;
}

const DEFAULT_DEPS: CurveDeps = { random: systemRandom, now: Date.now, backend: boxBackend };

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
const HELLO_PREFIX = ascii('CurveZMQHELLO---');
const WELCOME_PREFIX = ascii('WELCOME-');
const COOKIE_PREFIX = ascii('COOKIE--');
const INITIATE_PREFIX = ascii('CurveZMQINITIATE');
const VOUCH_PREFIX = ascii('VOUCH---');
const READY_PREFIX = ascii('CurveZMQREADY---');
const MESSAGE_C = ascii('CurveZMQMESSAGEC');
const MESSAGE_S = ascii('CurveZMQMESSAGES');
const MESSAGE_NAME = ascii('\x07MESSAGE');

/** Sizes of the command data after the name (RFC 26 §"The CurveZMQ Protocol"). */
const HELLO_DATA = 194; // version 2 + padding 72 + C' 32 + nonce 8 + box 80
const WELCOME_DATA = 160; // nonce 16 + box 144
const INITIATE_MIN_DATA = 248; // cookie 96 + nonce 8 + box ≥ 144
const READY_MIN_DATA = 24; // nonce 8 + box ≥ 16
/** `\x07MESSAGE` + short nonce + MAC + flags byte. */
const MESSAGE_MIN = 8 + 8 + MAC_BYTES + 1;
/** Where a MESSAGE's plaintext (flags byte, then the frame) sits once opened in place. */
const PLAIN_AT = 8 + 8 + MAC_BYTES;

/** libzmq's `msg_t` flag bits, used inside MESSAGE boxes. */
const INNER_MORE = 0x01;
const INNER_COMMAND = 0x02;

/** Our short nonces: 1, 2, 3, ... written big-endian into a 24-byte nonce. */
class NonceCounter {
  private next = 1;

  /** Write the next short nonce into `nonce[16..24]` and advance. */
  take(nonce: Uint8Array): void {
    const n = this.next++;
    if (n > Number.MAX_SAFE_INTEGER) throw new ZmqError('EPROTO', 'CURVE: short nonce space exhausted; reconnect');
    writeU64(nonce, 16, n);
  }
}

/** The peer's last short nonce (none before its first box). */
class PeerNonce {
  private hi = -1;
  private lo = -1;

  /** Whether the nonce at `bytes[offset..offset+8]` is above the last one. */
  isFresh(bytes: Uint8Array, offset: number): boolean {
    const hi = readU32(bytes, offset);
    const lo = readU32(bytes, offset + 4);
    return hi > this.hi || (hi === this.hi && lo > this.lo);
  }

  /** Record the nonce at `bytes[offset..offset+8]` (after its box opened). */
  accept(bytes: Uint8Array, offset: number): void {
    this.hi = readU32(bytes, offset);
    this.lo = readU32(bytes, offset + 4);
  }

  describe(bytes: Uint8Array, offset: number): string {
    const show = (hi: number, lo: number): string => (hi < 0 ? 'none' : String(BigInt(hi) * 0x1_0000_0000n + BigInt(lo)));
    return `short nonce ${show(readU32(bytes, offset), readU32(bytes, offset + 4))} after ${show(this.hi, this.lo)}`;
  }
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

function writeU64(b: Uint8Array, o: number, n: number): void {
  const hi = Math.floor(n / 0x1_0000_0000);
  const lo = n >>> 0;
  b[o] = hi >>> 24;
  b[o + 1] = (hi >>> 16) & 0xff;
  b[o + 2] = (hi >>> 8) & 0xff;
  b[o + 3] = hi & 0xff;
  b[o + 4] = lo >>> 24;
  b[o + 5] = (lo >>> 16) & 0xff;
  b[o + 6] = (lo >>> 8) & 0xff;
  b[o + 7] = lo & 0xff;
}

/** A 24-byte nonce: `prefix` then `tail` (8 or 16 bytes). */
function nonceOf(prefix: Uint8Array, tail?: Uint8Array): Uint8Array {
  const n = new Uint8Array(NONCE_BYTES);
  n.set(prefix);
  if (tail !== undefined) n.set(tail, prefix.length);
  return n;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Whether `frame` starts with `\x07MESSAGE` (public bytes: no need for constant time). */
function startsWithName(frame: Uint8Array): boolean {
  for (let i = 0; i < 8; i++) if (frame[i] !== MESSAGE_NAME[i]) return false;
  return true;
}

function proto(message: string): ZmqError {
  return new ZmqError('EPROTO', `CURVE ${message}`);
}

/** The per-connection crypto shared by the handshake and the MESSAGE transform. */
class Channel implements FrameTransform {
  /** The precomputed key between the two transient keys (after WELCOME / INITIATE). */
  key: Uint8Array | undefined;
  readonly ours = new NonceCounter();
  readonly peer = new PeerNonce();
  private readonly sendNonce: Uint8Array;
  private readonly receiveNonce: Uint8Array;
  /** MESSAGE boxes per direction under the session key (made on the first MESSAGE). */
  private sender: MessageBoxes | undefined;
  private receiver: MessageBoxes | undefined;

  constructor(
    readonly box: BoxBackend,
    asServer: boolean,
  ) {
    this.sendNonce = nonceOf(asServer ? MESSAGE_S : MESSAGE_C);
    this.receiveNonce = nonceOf(asServer ? MESSAGE_C : MESSAGE_S);
  }

  /** Seal `plaintext` with the session key: `short nonce || box`, taking our next short nonce. */
  sealShort(prefix: Uint8Array, plaintext: Uint8Array): Uint8Array {
    const nonce = nonceOf(prefix);
    this.ours.take(nonce);
    const out = new Uint8Array(8 + MAC_BYTES + plaintext.length);
    out.set(nonce.subarray(16), 0);
    this.box.seal(out, 8, plaintext, nonce, this.key!);
    return out;
  }

  encode(flags: number, body: Uint8Array): Buffer {
    const key = this.key;
    if (key === undefined) throw proto('MESSAGE: no session key (the handshake has not completed)');
    const sender = (this.sender ??= this.box.messageBoxes(key, this.sendNonce));
    const size = MESSAGE_MIN + body.length;
    const head = frameHeaderSize(size);
    // The plaintext (flags byte and body) starts 4-byte aligned: up to 3 spare bytes in front.
    const room = Buffer.allocUnsafe(head + size + 3);
    const skip = (4 - ((room.byteOffset + head + 16 + MAC_BYTES) & 3)) & 3;
    const frame = room.subarray(skip, skip + head + size);
    writeFrameHeader(frame, 0, 0, size);
    frame.set(MESSAGE_NAME, head);
    const nonce = this.sendNonce;
    this.ours.take(nonce);
    // Byte loops rather than subarray views: a Buffer view costs more than 8 copies.
    for (let i = 0; i < 8; i++) frame[head + 8 + i] = nonce[16 + i]!;
    const plain = head + 16 + MAC_BYTES;
    frame[plain] = (flags & FLAG_MORE ? INNER_MORE : 0) | (flags & FLAG_COMMAND ? INNER_COMMAND : 0);
    frame.set(body, plain + 1);
    sender.seal(frame, head + 16, frame.subarray(plain, plain + 1 + body.length), nonce);
    return frame;
  }

  decode(_flags: number, body: Buffer): { flags: number; body: Buffer } {
    const key = this.key;
    if (key === undefined) throw proto('MESSAGE: no session key (the handshake has not completed)');
    if (body.length < 8 || !startsWithName(body)) {
      throw proto(`MESSAGE: expected a MESSAGE command after the handshake, got a ${body.length}-byte frame starting ${body.subarray(0, 8).toString('hex')}`);
    }
    if (body.length < MESSAGE_MIN) throw proto(`MESSAGE: expected at least ${MESSAGE_MIN} bytes, got ${body.length}`);
    const receiver = (this.receiver ??= this.box.messageBoxes(key, this.receiveNonce));
    const nonce = this.receiveNonce;
    for (let i = 0; i < 8; i++) nonce[16 + i] = body[8 + i]!;
    // The nonce first, as libzmq does: a replay costs no crypto (and is only accepted below,
    // once its box has opened).
    if (!this.peer.isFresh(body, 8)) throw proto(`MESSAGE: ${this.peer.describe(body, 8)} (replayed or reordered)`);
    const box = body.subarray(16);
    // In place where possible: the plaintext replaces the ciphertext in the frame's own
    // memory (the decoder's, nobody else reads it). Noble only runs word-wise on aligned
    // bytes; allocUnsafe's pooled slices start 8-byte aligned.
    const plain =
      this.box.name === 'sodium' || ((body.byteOffset + PLAIN_AT) & 3) === 0 ? body.subarray(PLAIN_AT) : Buffer.allocUnsafe(box.length - MAC_BYTES);
    if (!receiver.open(plain, 0, box, nonce)) throw proto('MESSAGE: the box does not open (MAC check failed: forged or tampered)');
    this.peer.accept(body, 8);
    const inner = plain[0]!;
    return { flags: (inner & INNER_MORE ? FLAG_MORE : 0) | (inner & INNER_COMMAND ? FLAG_COMMAND : 0), body: plain.subarray(1) };
  }

  destroy(): void {
    this.sender?.destroy();
    this.receiver?.destroy();
    this.sender = this.receiver = undefined;
    wipe(this.key);
    this.key = undefined;
  }
}

/** Resolved long-term keys of one mechanism. */
interface Keys {
  readonly publicKey: Uint8Array;
  readonly secretKey: Uint8Array;
  readonly serverKey: Uint8Array | undefined;
}

/** Run a handshake step; turn anything thrown into a failure (never throw out of a handshake). */
function guarded(callbacks: HandshakeCallbacks, cleanup: () => void, step: () => void): void {
  try {
    step();
  } catch (error) {
    cleanup();
    callbacks.fail(error instanceof ZmqError ? error : new ZmqError('EPROTO', `CURVE internal error: ${String(error)}`, { cause: error }));
  }
}

function metadataOf(command: string, bytes: Uint8Array): Metadata {
  try {
    return decodeMetadata(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  } catch (error) {
    throw proto(`${command}: ${(error as Error).message}`);
  }
}

function unexpected(expected: string, got: string): ZmqError {
  return proto(`handshake: expected ${expected}, got ${JSON.stringify(got)}`);
}

function client(keys: Keys, context: HandshakeContext, callbacks: HandshakeCallbacks, deps: CurveDeps): MechanismHandshake {
  const box = deps.backend();
  const channel = new Channel(box, false);
  const serverKey = keys.serverKey!;
  const cnSecret = new Uint8Array(KEY_BYTES);
  deps.random(cnSecret);
  const cnPublic = box.publicKey(cnSecret);
  let helloKey: Uint8Array | undefined;
  let stage: 'welcome' | 'ready' | 'done' = 'welcome';

  const cleanup = (): void => {
    wipe(cnSecret, helloKey);
    helloKey = undefined;
  };
  /** Forget every secret of this connection. */
  const teardown = (): void => {
    cleanup();
    channel.destroy();
  };
  const fail = (error: ZmqError): void => {
    teardown();
    callbacks.fail(error);
  };

  const onWelcome = (data: Buffer): void => {
    if (data.length !== WELCOME_DATA) throw proto(`WELCOME: expected ${WELCOME_DATA} bytes after the name, got ${data.length}`);
    const plain = new Uint8Array(128);
    if (!box.open(plain, 0, data.subarray(16), nonceOf(WELCOME_PREFIX, data.subarray(0, 16)), helloKey!)) {
      throw proto('WELCOME: the box does not open (the server does not hold the secret key of our serverKey, or the WELCOME was tampered with)');
    }
    const serverTransient = plain.subarray(0, 32);
    const cookie = plain.subarray(32, 128);
    const sessionKey = box.beforenm(serverTransient, cnSecret);
    const vouchKey = box.beforenm(serverTransient, keys.secretKey);
    if (sessionKey === undefined || vouchKey === undefined) throw proto("WELCOME: the server's transient key is a low-order point");
    channel.key = sessionKey;

    // vouch = long nonce, Box[C' + S](C→S')
    const vouchTail = new Uint8Array(16);
    deps.random(vouchTail);
    const vouchPlain = new Uint8Array(64);
    vouchPlain.set(cnPublic, 0);
    vouchPlain.set(serverKey, 32);
    const vouchBox = new Uint8Array(MAC_BYTES + 64);
    box.seal(vouchBox, 0, vouchPlain, nonceOf(VOUCH_PREFIX, vouchTail), vouchKey);
    wipe(vouchKey);

    // Box[C + vouch + metadata](C'→S')
    const metadata = encodeMetadata(context.metadata);
    const inner = new Uint8Array(32 + 16 + 80 + metadata.length);
    inner.set(keys.publicKey, 0);
    inner.set(vouchTail, 32);
    inner.set(vouchBox, 48);
    inner.set(metadata, 128);
    const frame = encodeCommand('INITIATE', [cookie, channel.sealShort(INITIATE_PREFIX, inner)]);
    stage = 'ready';
    cleanup(); // c' and the HELLO key are no longer needed: the session key is derived
    wipe(plain, inner);
    callbacks.send(frame);
  };

  const onReady = (data: Buffer): void => {
    if (data.length < READY_MIN_DATA) throw proto(`READY: expected at least ${READY_MIN_DATA} bytes after the name, got ${data.length}`);
    const plain = new Uint8Array(data.length - 8 - MAC_BYTES);
    if (!box.open(plain, 0, data.subarray(8), nonceOf(READY_PREFIX, data.subarray(0, 8)), channel.key!)) {
      throw proto('READY: the box does not open (forged or tampered)');
    }
    if (!channel.peer.isFresh(data, 0)) throw proto(`READY: ${channel.peer.describe(data, 0)}`);
    channel.peer.accept(data, 0);
    const metadata = metadataOf('READY', plain);
    stage = 'done';
    callbacks.ready(metadata);
  };

  return {
    transform: channel,
    start() {
      guarded(callbacks, cleanup, () => {
        helloKey = box.beforenm(serverKey, cnSecret);
        if (helloKey === undefined) throw new ZmqError('EINVAL', 'CURVE serverKey is a low-order point, not a usable public key');
        // Box[64 zeros](C'→S), short nonce 1
        const signature = new Uint8Array(8 + MAC_BYTES + 64);
        const nonce = nonceOf(HELLO_PREFIX);
        channel.ours.take(nonce);
        signature.set(nonce.subarray(16), 0);
        box.seal(signature, 8, new Uint8Array(64), nonce, helloKey);
        callbacks.send(encodeCommand('HELLO', [Uint8Array.of(1, 0), new Uint8Array(72), cnPublic, signature]));
      });
    },
    receive(command) {
      guarded(callbacks, teardown, () => {
        if (command.name === 'ERROR' && stage !== 'done') return fail(peerRefusal('CURVE', decodeErrorReason(command.data)));
        if (stage === 'welcome') {
          if (command.name !== 'WELCOME') throw unexpected('WELCOME or ERROR', command.name);
          onWelcome(command.data);
        } else if (stage === 'ready') {
          if (command.name !== 'READY') throw unexpected('READY or ERROR', command.name);
          onReady(command.data);
        } else {
          throw unexpected('no more handshake commands', command.name);
        }
      });
    },
    destroy: teardown,
  };
}

function server(keys: Keys, context: HandshakeContext, callbacks: HandshakeCallbacks, deps: CurveDeps): MechanismHandshake {
  const box = deps.backend();
  const channel = new Channel(box, true);
  let stage: 'hello' | 'initiate' | 'zap' | 'done' = 'hello';
  let clientTransient: Uint8Array | undefined;
  let cookieKey: Uint8Array | undefined;
  let welcomeAt = 0;

  const cleanup = (): void => {
    wipe(cookieKey);
    cookieKey = undefined;
  };
  /** Forget every secret of this connection. */
  const teardown = (): void => {
    cleanup();
    channel.destroy();
  };

  const onHello = (data: Buffer): void => {
    if (data.length !== HELLO_DATA) throw proto(`HELLO: expected ${HELLO_DATA} bytes after the name, got ${data.length}`);
    if (data[0] !== 1 || data[1] !== 0) throw proto(`HELLO: expected CurveZMQ version 1.0, got ${data[0]}.${data[1]}`);
    clientTransient = new Uint8Array(data.subarray(74, 106));
    const helloKey = box.beforenm(clientTransient, keys.secretKey);
    if (helloKey === undefined) throw proto("HELLO: the client's transient key is a low-order point");
    const signature = new Uint8Array(64);
    if (!box.open(signature, 0, data.subarray(114, 194), nonceOf(HELLO_PREFIX, data.subarray(106, 114)), helloKey)) {
      wipe(helloKey);
      throw proto('HELLO: the signature box does not open (the client encrypted to another server key, or HELLO was tampered with)');
    }
    if (signature.some((b) => b !== 0)) {
      wipe(helloKey);
      throw proto('HELLO: the signature box must hold 64 zero bytes');
    }
    channel.peer.accept(data, 106);

    // s' goes into the cookie and is then forgotten; K stays until INITIATE (or expiry).
    const snSecret = new Uint8Array(KEY_BYTES);
    deps.random(snSecret);
    const snPublic = box.publicKey(snSecret);
    cookieKey = new Uint8Array(KEY_BYTES);
    deps.random(cookieKey);
    const cookieTail = new Uint8Array(16);
    deps.random(cookieTail);
    const cookiePlain = new Uint8Array(64);
    cookiePlain.set(clientTransient, 0);
    cookiePlain.set(snSecret, 32);
    const cookieBox = new Uint8Array(MAC_BYTES + 64);
    box.seal(cookieBox, 0, cookiePlain, nonceOf(COOKIE_PREFIX, cookieTail), cookieKey);

    const welcomeTail = new Uint8Array(16);
    deps.random(welcomeTail);
    const welcomePlain = new Uint8Array(128);
    welcomePlain.set(snPublic, 0);
    welcomePlain.set(cookieTail, 32);
    welcomePlain.set(cookieBox, 48);
    const welcomeBox = new Uint8Array(MAC_BYTES + 128);
    box.seal(welcomeBox, 0, welcomePlain, nonceOf(WELCOME_PREFIX, welcomeTail), helloKey);
    wipe(snSecret, cookiePlain, helloKey);
    welcomeAt = deps.now();
    stage = 'initiate';
    callbacks.send(encodeCommand('WELCOME', [welcomeTail, welcomeBox]));
  };

  const onInitiate = (data: Buffer): void => {
    if (data.length < INITIATE_MIN_DATA) throw proto(`INITIATE: expected at least ${INITIATE_MIN_DATA} bytes after the name, got ${data.length}`);
    const key = cookieKey;
    cookieKey = undefined; // one INITIATE per cookie, valid or not
    if (key === undefined) throw proto('INITIATE: no cookie is outstanding');
    const age = deps.now() - welcomeAt;
    if (age > COOKIE_LIFETIME_MS) {
      wipe(key);
      throw proto(`INITIATE: the cookie expired (${age} ms after WELCOME; the limit is ${COOKIE_LIFETIME_MS} ms)`);
    }
    const cookie = new Uint8Array(64);
    const opened = box.open(cookie, 0, data.subarray(16, 96), nonceOf(COOKIE_PREFIX, data.subarray(0, 16)), key);
    wipe(key);
    if (!opened) throw proto('INITIATE: the cookie does not open (not issued on this connection, or tampered with)');
    if (!equalBytes(cookie.subarray(0, 32), clientTransient!)) {
      wipe(cookie);
      throw proto("INITIATE: the cookie was issued for another client transient key");
    }
    const snSecret = cookie.subarray(32, 64);
    const sessionKey = box.beforenm(clientTransient!, snSecret);
    if (sessionKey === undefined) {
      wipe(cookie);
      throw proto("INITIATE: the client's transient key is a low-order point");
    }
    channel.key = sessionKey;

    const plain = new Uint8Array(data.length - 104 - MAC_BYTES);
    if (!box.open(plain, 0, data.subarray(104), nonceOf(INITIATE_PREFIX, data.subarray(96, 104)), sessionKey)) {
      wipe(cookie);
      throw proto('INITIATE: the box does not open (forged or tampered)');
    }
    if (!channel.peer.isFresh(data, 96)) {
      wipe(cookie, plain);
      throw proto(`INITIATE: ${channel.peer.describe(data, 96)} (replayed or reordered)`);
    }
    channel.peer.accept(data, 96);

    const clientKey = new Uint8Array(plain.subarray(0, 32));
    const vouchKey = box.beforenm(clientKey, snSecret);
    wipe(cookie);
    if (vouchKey === undefined) throw proto("INITIATE: the client's long-term key is a low-order point");
    const vouch = new Uint8Array(64);
    const vouchOpened = box.open(vouch, 0, plain.subarray(48, 128), nonceOf(VOUCH_PREFIX, plain.subarray(32, 48)), vouchKey);
    wipe(vouchKey);
    if (!vouchOpened) throw proto('INITIATE: the vouch does not open (it was not sealed by the long-term key the client names)');
    if (!equalBytes(vouch.subarray(0, 32), clientTransient!)) throw proto("INITIATE: the vouch binds a different transient key than this connection's");
    if (!equalBytes(vouch.subarray(32, 64), keys.publicKey)) throw proto('INITIATE: the vouch names another server key');
    const metadata = metadataOf('INITIATE', plain.subarray(128));

    stage = 'zap';
    callbacks.authenticate('CURVE', [clientKey], (verdict) => {
      let identity: HandshakeIdentity | undefined;
      if (verdict !== undefined) {
        if (verdict.status !== 200) {
          const { error, failure } = zapRefusal('CURVE', verdict);
          channel.destroy();
          return callbacks.fail(error, failure);
        }
        identity = { userId: verdict.userId, zapMetadata: verdict.metadata };
      }
      // No ZAP handler: accept (libzmq: encryption and server authentication only).
      stage = 'done';
      const sealed = channel.sealShort(READY_PREFIX, encodeMetadata(context.metadata));
      callbacks.send(encodeCommand('READY', sealed));
      callbacks.ready(metadata, identity);
    });
  };

  return {
    transform: channel,
    start() {},
    receive(command) {
      guarded(callbacks, teardown, () => {
        if (stage === 'hello') {
          if (command.name !== 'HELLO') throw unexpected('HELLO', command.name);
          onHello(command.data);
        } else if (stage === 'initiate') {
          if (command.name !== 'INITIATE') throw unexpected('INITIATE', command.name);
          onInitiate(command.data);
        } else {
          throw unexpected(stage === 'zap' ? 'nothing while the ZAP handler decides' : 'no more handshake commands', command.name);
        }
      });
    },
    destroy: teardown,
  };
}

/** Resolve and check the keys once, when the mechanism is created. */
function resolveKeys(options: CurveOptions, backend: BoxBackend): { server: boolean; keys: Keys } {
  if (typeof options !== 'object' || options === null) {
    throw new ZmqError('EINVAL', `curveMechanism: expected an options object, got ${options === null ? 'null' : typeof options}`);
  }
  const server = options.server === true;
  if (options.secretKey === undefined || options.secretKey === null) {
    throw new ZmqError('EINVAL', `curveMechanism: a CURVE ${server ? 'server' : 'client'} needs secretKey (its long-term secret key)`);
  }
  const secretKey = curveKeyBytes(options.secretKey, 'secretKey');
  const derived = backend.publicKey(secretKey);
  let publicKey = derived;
  if (options.publicKey !== undefined && options.publicKey !== null) {
    publicKey = curveKeyBytes(options.publicKey, 'publicKey');
    if (!equalBytes(publicKey, derived)) throw new ZmqError('EINVAL', 'curveMechanism: publicKey is not the public key of secretKey');
  } else if (!server) {
    throw new ZmqError('EINVAL', 'curveMechanism: a CURVE client needs publicKey (its long-term public key), as libzmq does');
  }
  let serverKey: Uint8Array | undefined;
  if (!server) {
    if (options.serverKey === undefined || options.serverKey === null) {
      throw new ZmqError('EINVAL', "curveMechanism: a CURVE client needs serverKey (the server's long-term public key)");
    }
    serverKey = curveKeyBytes(options.serverKey, 'serverKey');
  }
  return { server, keys: { publicKey, secretKey, serverKey } };
}

/** {@link curveMechanism} with its randomness, clock and backend supplied (tests). @internal */
export function createCurveMechanism(options: CurveOptions, deps: Partial<CurveDeps> = {}): Mechanism {
  const d: CurveDeps = { ...DEFAULT_DEPS, ...deps };
  const { server: asServer, keys } = resolveKeys(options, d.backend());
  return {
    name: 'CURVE',
    asServer,
    createHandshake: (context, callbacks) => (asServer ? server(keys, context, callbacks, d) : client(keys, context, callbacks, d)),
  };
}

/**
 * A CURVE mechanism (RFC 25/26), byte-compatible with libzmq 4.3.
 *
 * A server needs `secretKey`; it asks the ZAP handler about every client's long-term
 * public key and, with no handler installed, accepts any client (encryption and server
 * authentication only, libzmq's default). A client needs `publicKey`, `secretKey` and
 * `serverKey`, and fails the handshake unless the server proves it holds the secret key
 * of `serverKey`.
 *
 * Keys are 40 Z85 characters or 32 bytes (see {@link curveKeyPair}).
 * @throws {ZmqError} `EINVAL` naming the missing or malformed key.
 */
export function curveMechanism(options: CurveOptions): Mechanism {
  return createCurveMechanism(options);
}
