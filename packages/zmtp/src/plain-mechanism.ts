/**
 * The PLAIN mechanism (RFC 24 ZMTP-PLAIN): a user name and password in clear text,
 * checked by the server's ZAP handler (RFC 27). For trusted networks or under a tunnel.
 *
 *   client → HELLO    username-size(1) username password-size(1) password
 *   server → WELCOME  (after ZAP said 200)            or ERROR
 *   client → INITIATE metadata
 *   server → READY    metadata                       or ERROR
 *
 * libzmq 4.3's PLAIN code spells its ERROR command prefix `"\x05ERROR"` in C, where the hex
 * escape swallows the `E`: on the wire the body is `^RROR` (0x5E, no name-size byte)
 * followed by reason-size and reason, and its PLAIN client recognises a refusal only in
 * that spelling. So a PLAIN server here refuses a client with libzmq's spelling (a libzmq
 * client then reports an auth failure with the ZAP status, as it does against libzmq), and
 * a PLAIN client accepts both spellings.
 *
 * Without a ZAP handler a PLAIN server refuses every client, as libzmq does: it closes the
 * connection without an ERROR (reporting `EFAULT`), so clients keep retrying and get in
 * once a handler is installed.
 */
import { type Metadata, decodeCommand, decodeErrorReason, decodeMetadata, encodeCommand, encodeMetadata } from './command.js';
import { ZmqError } from './errors.js';
import {
  type HandshakeCallbacks,
  type HandshakeContext,
  type HandshakeIdentity,
  type Mechanism,
  type MechanismHandshake,
  peerRefusal,
  zapRefusal,
} from './mechanism.js';

/** Options of {@link plainMechanism}. */
export interface PlainOptions {
  /** Act as the PLAIN server (checks credentials through ZAP). */
  readonly server?: boolean;
  /** Client: the user name (at most 255 bytes, UTF-8). */
  readonly username?: string;
  /** Client: the password (at most 255 bytes, UTF-8). */
  readonly password?: string;
}

/** libzmq's spelling of the ERROR command body prefix (see the module comment). */
const LIBZMQ_ERROR = Buffer.from('^RROR', 'latin1');

/** An ERROR command frame in libzmq 4.3 PLAIN's spelling. */
export function encodeLibzmqPlainError(reason: string): Buffer {
  const r = Buffer.from(reason, 'latin1').subarray(0, 255);
  const body = Buffer.concat([LIBZMQ_ERROR, Uint8Array.of(r.length), r]);
  const frame = Buffer.allocUnsafe(2 + body.length);
  frame[0] = 0x04; // COMMAND, short
  frame[1] = body.length;
  body.copy(frame, 2);
  return frame;
}

/** Parse a handshake command, accepting libzmq's `^RROR` spelling of ERROR. */
function decodePlainCommand(body: Buffer): { name: string; data: Buffer } {
  if (body.length >= LIBZMQ_ERROR.length + 1 && body.subarray(0, LIBZMQ_ERROR.length).equals(LIBZMQ_ERROR)) {
    return { name: 'ERROR', data: body.subarray(LIBZMQ_ERROR.length) };
  }
  return decodeCommand(body);
}

function credential(value: string | undefined, what: string): Buffer {
  const bytes = Buffer.from(value ?? '', 'utf8');
  if (bytes.length > 255) throw new ZmqError('EINVAL', `PLAIN ${what} must be at most 255 bytes, got ${bytes.length}`);
  return bytes;
}

function unexpected(expected: string, got: string): ZmqError {
  return new ZmqError('EPROTO', `PLAIN handshake: expected ${expected}, got ${JSON.stringify(got)}`);
}

function client(username: Buffer, password: Buffer, context: HandshakeContext, callbacks: HandshakeCallbacks): MechanismHandshake {
  let stage: 'welcome' | 'ready' = 'welcome';
  return {
    decode: decodePlainCommand,
    start() {
      callbacks.send(encodeCommand('HELLO', [Uint8Array.of(username.length), username, Uint8Array.of(password.length), password]));
    },
    receive(command) {
      if (command.name === 'ERROR') {
        callbacks.fail(peerRefusal('PLAIN', decodeErrorReason(command.data)));
      } else if (stage === 'welcome') {
        if (command.name !== 'WELCOME') return callbacks.fail(unexpected('WELCOME or ERROR', command.name));
        if (command.data.length !== 0) return callbacks.fail(new ZmqError('EPROTO', `PLAIN handshake: WELCOME must be empty, got ${command.data.length} bytes`));
        stage = 'ready';
        callbacks.send(encodeCommand('INITIATE', encodeMetadata(context.metadata)));
      } else {
        if (command.name !== 'READY') return callbacks.fail(unexpected('READY or ERROR', command.name));
        callbacks.ready(decodeMetadata(command.data));
      }
    },
  };
}

function server(context: HandshakeContext, callbacks: HandshakeCallbacks): MechanismHandshake {
  let stage: 'hello' | 'zap' | 'initiate' | 'done' = 'hello';
  let identity: HandshakeIdentity | undefined;
  const onHello = (data: Buffer): void => {
    const userSize = data[0] ?? 0;
    if (data.length < 2 || 1 + userSize >= data.length) {
      return callbacks.fail(new ZmqError('EPROTO', `PLAIN HELLO: expected username-size, username, password-size, password; got ${data.length} bytes`));
    }
    const passSize = data[1 + userSize]!;
    if (2 + userSize + passSize !== data.length) {
      return callbacks.fail(
        new ZmqError('EPROTO', `PLAIN HELLO: a ${userSize}-byte username and a ${passSize}-byte password do not fill its ${data.length} bytes`),
      );
    }
    const username = data.subarray(1, 1 + userSize);
    const password = data.subarray(2 + userSize);
    stage = 'zap';
    callbacks.authenticate('PLAIN', [username, password], (verdict) => {
      if (verdict === undefined) {
        // As libzmq: no ERROR, just the close, so the client retries until a handler exists.
        return callbacks.fail(
          new ZmqError('EFAULT', 'PLAIN server has no ZAP handler, so it refuses every client (as libzmq); install one, e.g. with @monocoque/zap'),
        );
      }
      if (verdict.status !== 200) {
        const { error, failure } = zapRefusal('PLAIN', verdict, encodeLibzmqPlainError);
        return callbacks.fail(error, failure);
      }
      identity = { userId: verdict.userId, zapMetadata: verdict.metadata };
      stage = 'initiate';
      callbacks.send(encodeCommand('WELCOME'));
    });
  };
  return {
    decode: decodePlainCommand,
    start() {},
    receive(command) {
      if (stage === 'hello') {
        if (command.name !== 'HELLO') return callbacks.fail(unexpected('HELLO', command.name));
        onHello(command.data);
      } else if (stage === 'initiate') {
        if (command.name !== 'INITIATE') return callbacks.fail(unexpected('INITIATE', command.name));
        let metadata: Metadata;
        try {
          metadata = decodeMetadata(command.data);
        } catch (error) {
          return callbacks.fail(error as ZmqError);
        }
        stage = 'done';
        callbacks.send(encodeCommand('READY', encodeMetadata(context.metadata)));
        callbacks.ready(metadata, identity);
      } else {
        callbacks.fail(unexpected(stage === 'zap' ? 'nothing while the ZAP handler decides' : 'no more commands', command.name));
      }
    },
  };
}

/**
 * A PLAIN mechanism (RFC 24). A server asks the ZAP handler for every client and, with
 * none installed, refuses it; a client sends `username` and `password` in clear text.
 * Sockets build this from the `plainServer`, `plainUsername` and `plainPassword` options.
 */
export function plainMechanism(options: PlainOptions): Mechanism {
  const asServer = options.server === true;
  const username = credential(options.username, 'username');
  const password = credential(options.password, 'password');
  return {
    name: 'PLAIN',
    asServer,
    createHandshake: (context, callbacks) => (asServer ? server(context, callbacks) : client(username, password, context, callbacks)),
  };
}
