/**
 * Socket construction for every command: the eleven standard socket types by their
 * lower-case names, security from the command-line flags (loading `@monocoque/curve/register`
 * only when a CURVE flag is given), and bind/connect with errors mapped to exit codes.
 */
import { type Socket, type SocketOptions, installZapHandler, isZmqError } from '@monocoque/core';
import { Dealer } from '@monocoque/dealer';
import { Pair } from '@monocoque/pair';
import { Pull, Push } from '@monocoque/pipeline';
import { Publisher, Subscriber, XPublisher, XSubscriber } from '@monocoque/pubsub';
import { Reply, Request } from '@monocoque/reqrep';
import { Router } from '@monocoque/router';
import { type EndpointArg, type Values, flag, int, str } from './args.js';
import { RuntimeError, UsageError } from './errors.js';
import type { Output } from './output.js';

/** The socket types, as the CLI spells them. */
export const SOCKET_TYPES = ['pair', 'pub', 'sub', 'req', 'rep', 'dealer', 'router', 'push', 'pull', 'xpub', 'xsub'] as const;
/** One socket type. */
export type CliSocketType = (typeof SOCKET_TYPES)[number];

/** Types that can send / receive. */
export const CAN_SEND: ReadonlySet<CliSocketType> = new Set(['pair', 'pub', 'req', 'rep', 'dealer', 'router', 'push', 'xpub', 'xsub']);
export const CAN_RECEIVE: ReadonlySet<CliSocketType> = new Set(['pair', 'sub', 'req', 'rep', 'dealer', 'router', 'pull', 'xpub', 'xsub']);

/** Whether `name` is a socket type. */
export function isSocketType(name: string): name is CliSocketType {
  return (SOCKET_TYPES as readonly string[]).includes(name);
}

/** Default linger of CLI sockets: queued messages get this long to leave on exit. */
export const DEFAULT_LINGER = 5000;

const CURVE_FLAGS = ['curve-server', 'curve-secret-key', 'curve-public-key', 'curve-server-key'];

/**
 * Socket options from the security and identity flags. Loads CURVE (and its crypto) only
 * when a CURVE flag is given; a client without `--curve-public-key`/`--curve-secret-key`
 * gets a fresh key pair.
 */
export async function securityOptions(values: Values, output: Output): Promise<SocketOptions> {
  const options: SocketOptions = {};
  const o = options as Record<string, unknown>;
  const curve = CURVE_FLAGS.some((f) => values[f] !== undefined);
  const plainServer = flag(values, 'plain-server');
  const plainClient = !plainServer && (values['plain-user'] !== undefined || values['plain-password'] !== undefined);
  if ([curve, plainClient, plainServer].filter(Boolean).length > 1) {
    throw new UsageError('choose one security mechanism: CURVE flags, --plain-user/--plain-password, or --plain-server');
  }
  if (curve) {
    await import('@monocoque/curve/register');
    const secret = str(values, 'curve-secret-key');
    const pub = str(values, 'curve-public-key');
    const serverKey = str(values, 'curve-server-key');
    if (flag(values, 'curve-server')) {
      if (secret === undefined) throw new UsageError('--curve-server needs --curve-secret-key (the server\'s secret key, Z85)');
      if (serverKey !== undefined) throw new UsageError('--curve-server-key is for a CURVE client; a server (--curve-server) takes --curve-secret-key');
      o.curveServer = true;
      o.curveSecretKey = secret;
      if (pub !== undefined) o.curvePublicKey = pub;
    } else {
      if (serverKey === undefined) throw new UsageError('a CURVE client needs --curve-server-key (the server\'s public key, Z85); a server needs --curve-server');
      if ((pub === undefined) !== (secret === undefined)) throw new UsageError('give both --curve-public-key and --curve-secret-key, or neither (a fresh key pair is made)');
      let keys = pub !== undefined && secret !== undefined ? { publicKey: pub, secretKey: secret } : undefined;
      if (keys === undefined) {
        const { curveKeyPair } = await import('@monocoque/curve');
        keys = curveKeyPair();
        output.info(`CURVE client key (fresh): ${keys.publicKey}`);
      }
      o.curveServerKey = serverKey;
      o.curvePublicKey = keys.publicKey;
      o.curveSecretKey = keys.secretKey;
    }
  } else if (plainClient) {
    const user = str(values, 'plain-user');
    const password = str(values, 'plain-password');
    if (user === undefined) throw new UsageError('--plain-password needs --plain-user');
    o.plainUsername = user;
    o.plainPassword = password ?? '';
  } else if (plainServer) {
    o.plainServer = true;
    installPlainAccounts(str(values, 'plain-user'), str(values, 'plain-password'), output);
  }
  const routingId = str(values, 'routing-id');
  if (routingId !== undefined) o.routingId = routingId;
  o.linger = int(values, 'linger', DEFAULT_LINGER);
  return options;
}

/**
 * A PLAIN server refuses every client until a ZAP handler answers (as libzmq): install one
 * that accepts `user`/`password` when given, else any username and password. Other
 * mechanisms are let through (a CURVE server with no handler accepts any key, as libzmq).
 */
function installPlainAccounts(user: string | undefined, password: string | undefined, output: Output): void {
  if (user === undefined && password !== undefined) throw new UsageError('--plain-password needs --plain-user');
  if (user === undefined) output.info('PLAIN server: accepting any username and password (give --plain-user/--plain-password to require one account)');
  installZapHandler((request) => {
    let ok = true;
    if (request.mechanism === 'PLAIN' && user !== undefined) {
      const [u, p] = request.credentials;
      ok = u?.toString('utf8') === user && p?.toString('utf8') === (password ?? '');
    }
    return ok
      ? { requestId: request.requestId, statusCode: '200', statusText: 'OK', userId: request.credentials[0]?.toString('utf8') ?? '' }
      : { requestId: request.requestId, statusCode: '400', statusText: 'wrong username or password' };
  });
}

/** Construct a socket of `type`. Invalid options are usage errors. */
export function createSocket(type: CliSocketType, options: SocketOptions): Socket {
  try {
    switch (type) {
      case 'pair':
        return new Pair(options);
      case 'pub':
        return new Publisher(options);
      case 'sub':
        return new Subscriber(options);
      case 'req':
        return new Request(options);
      case 'rep':
        return new Reply(options);
      case 'dealer':
        return new Dealer(options);
      case 'router':
        return new Router(options);
      case 'push':
        return new Push(options);
      case 'pull':
        return new Pull(options);
      case 'xpub':
        return new XPublisher(options);
      case 'xsub':
        return new XSubscriber(options);
    }
  } catch (error) {
    if (isZmqError(error) && error.code === 'EINVAL') throw new UsageError(error.message);
    throw error;
  }
}

/** Print handshake failures on stderr (a wrong key otherwise shows only as silence). */
export function reportHandshakeErrors(socket: Socket, output: Output): void {
  // A connecting socket retries after most failures: say each distinct failure once.
  const said = new Set<string>();
  for (const type of ['handshake:error:auth', 'handshake:error:protocol', 'handshake:error:other'] as const) {
    socket.events.on(type, (event) => {
      const peer = event.peer?.address ?? event.address;
      const line = `handshake with ${peer} failed (${type.slice('handshake:error:'.length)}): ${event.error.message}`;
      if (said.has(line)) return;
      said.add(line);
      output.info(line);
    });
  }
}

/**
 * Bind and connect in order. Prints each bound endpoint (resolved, e.g. the port chosen for
 * `tcp://127.0.0.1:*`) on stderr. Malformed endpoints are usage errors; a refused bind is a
 * runtime error.
 */
export async function openEndpoints(socket: Socket, endpoints: readonly EndpointArg[], output: Output, label = ''): Promise<void> {
  if (endpoints.length === 0) throw new UsageError('give at least one --bind or --connect endpoint');
  for (const { mode, address } of endpoints) {
    try {
      if (mode === 'bind') {
        await socket.bind(address);
        output.info(`${label}bound ${socket.lastEndpoint ?? address}`);
      } else {
        socket.connect(address);
      }
    } catch (error) {
      if (isZmqError(error) && (error.code === 'EINVAL' || error.code === 'EPROTONOSUPPORT')) throw new UsageError(`--${mode} ${address}: ${error.message}`);
      const message = (error as Error).message;
      throw new RuntimeError(message.includes(address) ? message : `${mode} ${address}: ${message}`);
    }
  }
}
