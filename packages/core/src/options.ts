/**
 * Socket options, strict: every option name zeromq.js v6 knows is either implemented here
 * or refused with an error that says why — never silently ignored. Unknown names and
 * wrongly typed values throw `EINVAL` (at construction and on assignment) naming the
 * option, the expected type and what came.
 *
 * Each option is a real accessor property on the socket (defined once per prototype by
 * {@link defineOptionAccessors}); its setter validates and takes effect. Values live in
 * one plain object per socket ({@link OptionValues}) that pipes and connections read.
 * When an option takes effect is stated per option (`applies`), as libzmq documents it:
 * `now` (existing pipes too, e.g. high-water marks since libzmq 4.2), `connection` (new
 * connections), `bind` (later binds).
 *
 * Security options follow libzmq: the last of `plainServer`/`plainUsername`/
 * `plainPassword`/`curveServer`/`curve*Key` assigned picks the mechanism (see
 * {@link OptionValues.noteSecurity}). PLAIN is built in; CURVE options are refused until
 * `@monocoque/curve/register` provides them ({@link registerOptionProvider}), with an error
 * that names the package, so a socket meant to encrypt never runs in clear text.
 */
import { type Mechanism, ZmqError, plainMechanism } from '@monocoque/zmtp';
import { runtime } from './runtime.js';
import type { Transport } from './transport.js';

/** Options every socket type accepts (zeromq.js v6 names). */
export interface SocketOptions {
  /** Routing id announced to peers (`ZMQ_ROUTING_ID`), 1-255 bytes, not starting with 0x00. Applies to new connections. */
  routingId?: string | Uint8Array | null;
  /** Milliseconds queued messages may still be delivered after `close()`/`disconnect()`; -1 = until sent, 0 = drop at once. Default -1. */
  linger?: number;
  /** Outbound queue limit per peer, in messages; 0 = no limit. Default 1000. Applies to existing peers too. */
  sendHighWaterMark?: number;
  /** Inbound queue limit per peer, in messages; 0 = no limit. Default 1000. Applies to existing peers too. */
  receiveHighWaterMark?: number;
  /** Milliseconds `send()` may wait before rejecting with `EAGAIN`; -1 = forever. Default -1. */
  sendTimeout?: number;
  /** Milliseconds `receive()` may wait before rejecting with `EAGAIN`; -1 = forever. Default -1. */
  receiveTimeout?: number;
  /** Largest accepted inbound frame in bytes; -1 = no limit. A larger frame drops the peer. Default -1. Applies to new connections. */
  maxMessageSize?: number;
  /** Milliseconds before reconnecting (plus a random jitter of up to the same again, as libzmq). Default 100. */
  reconnectInterval?: number;
  /** Upper bound of the exponential reconnect back-off; 0 = no back-off. Default 0. */
  reconnectMaxInterval?: number;
  /** Milliseconds a TCP/IPC connect attempt may take before it is abandoned (then retried); 0 = the OS's limit. Default 0. */
  connectTimeout?: number;
  /** Only queue messages to peers whose connection is complete (`ZMQ_IMMEDIATE`). Default false: a pipe exists from `connect()` on. */
  immediate?: boolean;
  /** Milliseconds a connection may take to complete its ZMTP handshake; 0 = no limit. Default 30000. Applies to new connections. */
  handshakeInterval?: number;
  /** Milliseconds between PINGs; 0 = no heartbeats. Default 0. Applies to new connections. */
  heartbeatInterval?: number;
  /** Milliseconds after a PING within which some traffic must arrive, or the connection is dropped; -1 = heartbeatInterval. Default -1. Applies to new connections. */
  heartbeatTimeout?: number;
  /** TTL announced in our PINGs, in milliseconds (sent in tenths of a second). Default 0. Applies to new connections. */
  heartbeatTimeToLive?: number;
  /** Bind `tcp://*` to all IPv6 and IPv4 interfaces (`::`) instead of IPv4 only. Default false. Applies to later binds. */
  ipv6?: boolean;
  /** Security mechanism object (NULL when absent). Applies to new connections. */
  mechanism?: Mechanism;
  /** Transport for `tcp://` and `ipc://` endpoints; default from `MONOCOQUE_TRANSPORT`, else `node:net`. */
  transport?: Transport;
  // Known to zeromq.js, accepted only at their default value (see OPTION_TABLE).
  /** Not supported: accepted only as 0. */ affinity?: number;
  /** Not supported (PGM multicast): accepted only as 100. */ rate?: number;
  /** Not supported (PGM multicast): accepted only as 10000. */ recoveryInterval?: number;
  /** Not supported (PGM multicast): accepted only as 1. */ multicastHops?: number;
  /** Not supported (PGM multicast): accepted only as 1500. */ multicastMaxTransportDataUnit?: number;
  /** Not supported: accepted only as -1 (the OS default). */ sendBufferSize?: number;
  /** Not supported: accepted only as -1 (the OS default). */ receiveBufferSize?: number;
  /** Not supported: accepted only as 100. */ backlog?: number;
  /** Not supported: accepted only as -1 (the OS default). */ tcpKeepalive?: number;
  /** Not supported: accepted only as -1. */ tcpKeepaliveCount?: number;
  /** Not supported: accepted only as -1. */ tcpKeepaliveIdle?: number;
  /** Not supported: accepted only as -1. */ tcpKeepaliveInterval?: number;
  /** Not supported: accepted only as 0. */ tcpMaxRetransmitTimeout?: number;
  /** Not supported: accepted only as null. */ tcpAcceptFilter?: string | null;
  /** Not supported: accepted only as 0. */ typeOfService?: number;
  /** Not supported: accepted only as null. */ socksProxy?: string | null;
  /** Not supported: accepted only as null. */ interface?: string | null;
  /** Not supported: accepted only as false. */ loopbackFastPath?: boolean;
  /** Not supported (VMCI): accepted only at the default. */ vmciBufferSize?: number;
  /** Not supported (VMCI): accepted only at the default. */ vmciBufferMinSize?: number;
  /** Not supported (VMCI): accepted only at the default. */ vmciBufferMaxSize?: number;
  /** Not supported (VMCI): accepted only at the default. */ vmciConnectTimeout?: number;
  // Security (docs/security.md). The last mechanism option assigned picks the mechanism, as in libzmq.
  /** Act as a PLAIN server (RFC 24): every client is checked by the ZAP handler, and refused when none is installed. Applies to new connections. */
  plainServer?: boolean;
  /** PLAIN client user name (≤ 255 bytes); selects PLAIN as a client (null: back to NULL). Applies to new connections. */
  plainUsername?: string | null;
  /** PLAIN client password (≤ 255 bytes); selects PLAIN as a client (null: back to NULL). Applies to new connections. */
  plainPassword?: string | null;
  /** Act as a CURVE server (RFC 26); needs `@monocoque/curve/register`. */ curveServer?: boolean;
  /** Our CURVE long-term public key (Z85 or 32 bytes); needs `@monocoque/curve/register`. */ curvePublicKey?: string | Uint8Array | null;
  /** Our CURVE long-term secret key (Z85 or 32 bytes); needs `@monocoque/curve/register`. */ curveSecretKey?: string | Uint8Array | null;
  /** The CURVE server's public key (Z85 or 32 bytes), which makes this socket a CURVE client; needs `@monocoque/curve/register`. */
  curveServerKey?: string | Uint8Array | null;
  /** ZAP domain (RFC 27) passed to the ZAP handler; with NULL security, setting it makes the server ask ZAP. Applies to new connections. */
  zapDomain?: string | null;
  /** Refuse NULL peers when a ZAP domain is set but no handler is installed (libzmq's `ZMQ_ZAP_ENFORCE_DOMAIN`). Applies to new connections. */
  zapEnforceDomain?: boolean;
  /** GSSAPI: not implemented. */ gssapiServer?: boolean;
  /** GSSAPI: not implemented. */ gssapiPrincipal?: string | null;
  /** GSSAPI: not implemented. */ gssapiServicePrincipal?: string | null;
  /** GSSAPI: not implemented. */ gssapiPlainText?: boolean;
  /** GSSAPI: not implemented. */ gssapiPrincipalNameType?: string | null;
  /** GSSAPI: not implemented. */ gssapiServicePrincipalNameType?: string | null;
}

/** The value kinds an option can take. */
export type OptionKind = 'int' | 'bool' | 'string' | 'bytes' | 'routingId' | 'object' | 'enum';

/** When a changed value takes effect. */
export type OptionApplies = 'now' | 'connection' | 'bind';

/** How one option behaves. Pattern packages declare their own with the same shape. */
export interface OptionSpec {
  readonly name: string;
  readonly kind: OptionKind;
  /** The default (after normalisation). */
  readonly default: unknown;
  /** For `int`: the smallest accepted value. */
  readonly min?: number;
  /** For `int`: the largest accepted value. */
  readonly max?: number;
  /** For `enum`: the accepted values. */
  readonly values?: readonly unknown[];
  /** For `object`: checks the value (returns false to refuse). */
  readonly accepts?: (value: unknown) => boolean;
  /** For `object`: what is expected, for error messages. */
  readonly expected?: string;
  /** When a new value takes effect. */
  readonly applies: OptionApplies;
  /** Set: the option is known but not implemented; only its default is accepted. The text says why. */
  readonly unsupported?: string;
  /** Set: a security option, available once a provider registers it. The text names the package. */
  readonly provider?: string;
  /** Whether `null`/`undefined` is accepted (meaning the default). */
  readonly nullable?: boolean;
}

/**
 * The values of one socket's options (normalised). The engine's own options are declared
 * fields, so pipes and connections read them with fast property loads on every message;
 * the rest (pattern options, options only accepted at their default) live in a Map.
 * (Adding ~60 properties to a plain object by name puts V8 in dictionary mode.)
 */
export class OptionValues implements ResolvedOptions {
  routingId: Buffer | null = null;
  linger = -1;
  sendHighWaterMark = 1000;
  receiveHighWaterMark = 1000;
  sendTimeout = -1;
  receiveTimeout = -1;
  maxMessageSize = -1;
  reconnectInterval = 100;
  reconnectMaxInterval = 0;
  connectTimeout = 0;
  immediate = false;
  handshakeInterval = 30_000;
  heartbeatInterval = 0;
  heartbeatTimeout = -1;
  heartbeatTimeToLive = 0;
  ipv6 = false;
  mechanism: Mechanism | undefined = undefined;
  transport: Transport | undefined = undefined;
  /** The mechanism libzmq's option rules select (see {@link noteSecurity}). */
  security: 'NULL' | 'PLAIN' | 'CURVE' = 'NULL';
  /** libzmq's shared as-server flag of PLAIN and CURVE. */
  asServer = false;
  private built: Mechanism | undefined;
  private readonly other = new Map<string, unknown>();

  /**
   * Follow libzmq's rules for which mechanism the last security option selects:
   * `plainServer`/`curveServer` set the server role and select PLAIN/CURVE when true (NULL
   * when false); a `plainUsername`/`plainPassword` selects a PLAIN client (null: NULL);
   * `curvePublicKey`/`curveSecretKey` select CURVE; `curveServerKey` a CURVE client.
   */
  noteSecurity(name: string, value: unknown): void {
    switch (name) {
      case 'plainServer':
      case 'curveServer':
        this.asServer = value === true;
        this.security = value === true ? (name === 'plainServer' ? 'PLAIN' : 'CURVE') : 'NULL';
        break;
      case 'plainUsername':
      case 'plainPassword':
        if (value === null) this.security = 'NULL';
        else {
          this.asServer = false;
          this.security = 'PLAIN';
        }
        break;
      case 'curveServerKey':
      case 'curvePublicKey':
      case 'curveSecretKey':
        if (value === null) return;
        if (name === 'curveServerKey') this.asServer = false;
        this.security = 'CURVE';
        break;
      default:
        if (name !== 'mechanism') return;
    }
    this.built = undefined;
  }

  /**
   * The mechanism new connections use: the explicit `mechanism` option, else the one the
   * security options select (undefined = NULL). Throws `EINVAL` when they are incomplete
   * (e.g. a CURVE client without `curveServerKey`).
   */
  securityMechanism(socketType: string): Mechanism | undefined {
    if (this.mechanism !== undefined) return this.mechanism;
    if (this.security === 'NULL') return undefined;
    if (this.built !== undefined) return this.built;
    if (this.security === 'PLAIN') {
      this.built = plainMechanism({
        server: this.asServer,
        username: (this.other.get('plainUsername') as string | null) ?? '',
        password: (this.other.get('plainPassword') as string | null) ?? '',
      });
    } else {
      const provider = optionProvider('curveServer');
      if (provider === undefined) throw new ZmqError('ENOTSUP', 'CURVE needs @monocoque/curve: install it and import @monocoque/curve/register');
      const values: Record<string, unknown> = { curveServer: this.asServer };
      for (const name of provider.options) if (name !== 'curveServer') values[name] = this.other.get(name) ?? null;
      this.built = provider.mechanism(values, socketType);
    }
    return this.built;
  }

  /** Read an option by name. */
  get(name: string): unknown {
    return ENGINE_OPTIONS.has(name) ? (this as unknown as Record<string, unknown>)[name] : this.other.get(name);
  }

  /** Store a normalised value by name. */
  set(name: string, value: unknown): void {
    if (ENGINE_OPTIONS.has(name)) (this as unknown as Record<string, unknown>)[name] = value;
    else this.other.set(name, value);
  }
}

/** The options that are fields of {@link OptionValues}. */
const ENGINE_OPTIONS: ReadonlySet<string> = new Set([
  'routingId', 'linger', 'sendHighWaterMark', 'receiveHighWaterMark', 'sendTimeout', 'receiveTimeout', 'maxMessageSize',
  'reconnectInterval', 'reconnectMaxInterval', 'connectTimeout', 'immediate', 'handshakeInterval', 'heartbeatInterval',
  'heartbeatTimeout', 'heartbeatTimeToLive', 'ipv6', 'mechanism', 'transport',
]);

/** The engine's view of the options it reads on hot paths. */
export interface ResolvedOptions {
  routingId: Buffer | null;
  linger: number;
  sendHighWaterMark: number;
  receiveHighWaterMark: number;
  sendTimeout: number;
  receiveTimeout: number;
  maxMessageSize: number;
  reconnectInterval: number;
  reconnectMaxInterval: number;
  connectTimeout: number;
  immediate: boolean;
  handshakeInterval: number;
  heartbeatInterval: number;
  heartbeatTimeout: number;
  heartbeatTimeToLive: number;
  ipv6: boolean;
  mechanism: Mechanism | undefined;
  transport: Transport | undefined;
  /** Read any option by name. */
  get(name: string): unknown;
  /** The mechanism for new connections (see {@link OptionValues.securityMechanism}). */
  securityMechanism(socketType: string): Mechanism | undefined;
}

const int = (name: string, def: number, min: number, applies: OptionApplies = 'now', max = 0x7fffffff): OptionSpec => ({
  name,
  kind: 'int',
  default: def,
  min,
  max,
  applies,
});
const unsupported = (name: string, kind: OptionKind, def: unknown, why: string): OptionSpec => ({
  name,
  kind,
  default: def,
  applies: 'now',
  unsupported: why,
  nullable: def === null,
});
const security = (name: string, kind: OptionKind, def: unknown, provider: string): OptionSpec => ({
  name,
  kind,
  default: def,
  applies: 'connection',
  provider,
  nullable: def === null,
});

const PGM = 'PGM/EPGM multicast is not implemented';
const SOCKOPT = 'Node.js does not expose this socket option';
const CURVE = '@monocoque/curve';
const GSSAPI = 'GSSAPI, which Monocoque does not implement';

/** Every option all socket types share. */
export const BASE_OPTIONS: readonly OptionSpec[] = [
  { name: 'routingId', kind: 'routingId', default: null, applies: 'connection', nullable: true },
  int('linger', -1, -1),
  int('sendHighWaterMark', 1000, 0),
  int('receiveHighWaterMark', 1000, 0),
  int('sendTimeout', -1, -1),
  int('receiveTimeout', -1, -1),
  int('maxMessageSize', -1, -1, 'connection', Number.MAX_SAFE_INTEGER),
  int('reconnectInterval', 100, 1),
  int('reconnectMaxInterval', 0, 0),
  int('connectTimeout', 0, 0, 'connection'),
  { name: 'immediate', kind: 'bool', default: false, applies: 'connection' },
  int('handshakeInterval', 30_000, 0, 'connection'),
  int('heartbeatInterval', 0, 0, 'connection'),
  int('heartbeatTimeout', -1, -1, 'connection'),
  int('heartbeatTimeToLive', 0, 0, 'connection', 6_553_500),
  { name: 'ipv6', kind: 'bool', default: false, applies: 'bind' },
  {
    name: 'mechanism',
    kind: 'object',
    default: undefined,
    applies: 'connection',
    nullable: true,
    expected: 'a Mechanism object ({ name, asServer, createHandshake })',
    accepts: (v) => typeof v === 'object' && v !== null && typeof (v as Mechanism).createHandshake === 'function',
  },
  {
    name: 'transport',
    kind: 'object',
    default: undefined,
    applies: 'connection',
    nullable: true,
    expected: 'a Transport object ({ name, listen, connect })',
    accepts: (v) => typeof v === 'object' && v !== null && typeof (v as Transport).connect === 'function',
  },
  unsupported('affinity', 'int', 0, 'there are no I/O threads to pin'),
  unsupported('rate', 'int', 100, PGM),
  unsupported('recoveryInterval', 'int', 10_000, PGM),
  unsupported('multicastHops', 'int', 1, PGM),
  unsupported('multicastMaxTransportDataUnit', 'int', 1500, PGM),
  unsupported('sendBufferSize', 'int', -1, SOCKOPT),
  unsupported('receiveBufferSize', 'int', -1, SOCKOPT),
  unsupported('backlog', 'int', 100, 'the listen backlog is the transport default'),
  unsupported('tcpKeepalive', 'int', -1, SOCKOPT),
  unsupported('tcpKeepaliveCount', 'int', -1, SOCKOPT),
  unsupported('tcpKeepaliveIdle', 'int', -1, SOCKOPT),
  unsupported('tcpKeepaliveInterval', 'int', -1, SOCKOPT),
  unsupported('tcpMaxRetransmitTimeout', 'int', 0, SOCKOPT),
  unsupported('tcpAcceptFilter', 'string', null, 'accept filters are not implemented'),
  unsupported('typeOfService', 'int', 0, SOCKOPT),
  unsupported('socksProxy', 'string', null, 'SOCKS proxies are not implemented'),
  unsupported('interface', 'string', null, 'binding to a network interface is not implemented'),
  unsupported('loopbackFastPath', 'bool', false, 'it is a Windows-only libzmq option'),
  unsupported('vmciBufferSize', 'int', 0, 'VMCI is not implemented'),
  unsupported('vmciBufferMinSize', 'int', 0, 'VMCI is not implemented'),
  unsupported('vmciBufferMaxSize', 'int', 0, 'VMCI is not implemented'),
  unsupported('vmciConnectTimeout', 'int', -1, 'VMCI is not implemented'),
  { name: 'plainServer', kind: 'bool', default: false, applies: 'connection' },
  { name: 'plainUsername', kind: 'string', default: null, applies: 'connection', nullable: true },
  { name: 'plainPassword', kind: 'string', default: null, applies: 'connection', nullable: true },
  security('curveServer', 'bool', false, CURVE),
  security('curvePublicKey', 'bytes', null, CURVE),
  security('curveSecretKey', 'bytes', null, CURVE),
  security('curveServerKey', 'bytes', null, CURVE),
  { name: 'zapDomain', kind: 'string', default: null, applies: 'connection', nullable: true },
  { name: 'zapEnforceDomain', kind: 'bool', default: false, applies: 'connection' },
  security('gssapiServer', 'bool', false, GSSAPI),
  security('gssapiPrincipal', 'string', null, GSSAPI),
  security('gssapiServicePrincipal', 'string', null, GSSAPI),
  security('gssapiPlainText', 'bool', false, GSSAPI),
  security('gssapiPrincipalNameType', 'string', null, GSSAPI),
  security('gssapiServicePrincipalNameType', 'string', null, GSSAPI),
];

/** Options some patterns know from zeromq.js but Monocoque does not implement (each pattern lists the ones zeromq.js gives it). */
export const UNSUPPORTED_PATTERN_OPTIONS = {
  conflate: unsupported('conflate', 'bool', false, 'conflation (keep only the last message) is not implemented'),
  probeRouter: unsupported('probeRouter', 'bool', false, 'router probing is not implemented'),
  invertMatching: unsupported('invertMatching', 'bool', false, 'inverted subscription matching is not implemented'),
} as const;

/** Read-only properties zeromq.js has; assigning one is refused (not silently ignored). */
export const READ_ONLY = new Set(['type', 'lastEndpoint', 'securityMechanism', 'threadSafe', 'closed', 'readable', 'writable', 'events', 'context']);

/**
 * A provider of security options (PLAIN, CURVE, ZAP packages). Once registered, its
 * option names are accepted; `check` validates the full set of values whenever one of
 * them changes (throw `ZmqError` `EINVAL` to refuse), and `mechanism` builds the socket's
 * mechanism from them (or returns undefined when the values configure none).
 */
export interface OptionProvider {
  /** The package, for messages. */
  readonly name: string;
  /** The option names it provides. */
  readonly options: readonly string[];
  /** Validate one value; return it normalised. */
  normalise(option: string, value: unknown): unknown;
  /** Build the socket's mechanism from its option values, if they configure one. */
  mechanism(values: Readonly<Record<string, unknown>>, socketType: string): Mechanism | undefined;
}

/** The runtime slot of registered option providers. */
export interface OptionProviderState {
  providers: Map<string, OptionProvider>;
}

function providers(): Map<string, OptionProvider> {
  return (runtime.optionProviders ??= { providers: new Map() }).providers;
}

/** Make a security mechanism's options available (called by mechanism packages' `register` entries). */
export function registerOptionProvider(provider: OptionProvider): void {
  for (const name of provider.options) providers().set(name, provider);
}

/** The provider of an option, when one is registered. */
export function optionProvider(name: string): OptionProvider | undefined {
  return providers().get(name);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)} (string)`;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return `${String(value)} (${typeof value})`;
  if (Buffer.isBuffer(value)) return `a Buffer of ${value.length} bytes`;
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `an object (${Object.prototype.toString.call(value)})` : typeof value;
}

function invalid(name: string, expected: string, value: unknown): ZmqError {
  return new ZmqError('EINVAL', `option ${name}: expected ${expected}, got ${describe(value)}`);
}

/** Validate a routing id and return it as a Buffer. */
export function toRoutingId(value: unknown, option = 'routingId'): Buffer {
  let id: Buffer;
  if (typeof value === 'string') id = Buffer.from(value, 'utf8');
  else if (value instanceof Uint8Array) id = Buffer.from(value);
  else throw invalid(option, 'a string or Uint8Array of 1-255 bytes', value);
  if (id.length < 1 || id.length > 255) throw invalid(option, 'a routing id of 1-255 bytes', value);
  if (id[0] === 0) throw new ZmqError('EINVAL', `option ${option}: a routing id must not start with a zero byte (reserved for generated ids)`);
  return id;
}

/** Check and normalise one value against its spec (`null`/`undefined` mean the default where allowed). */
export function normalise(spec: OptionSpec, value: unknown): unknown {
  const { name } = spec;
  if (value === undefined || (value === null && spec.nullable)) return spec.default;
  switch (spec.kind) {
    case 'int': {
      const min = spec.min ?? Number.MIN_SAFE_INTEGER;
      const max = spec.max ?? Number.MAX_SAFE_INTEGER;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
        throw invalid(name, `an integer from ${min} to ${max}`, value);
      }
      return value;
    }
    case 'bool':
      if (typeof value !== 'boolean') throw invalid(name, 'true or false', value);
      return value;
    case 'string':
      if (typeof value !== 'string') throw invalid(name, spec.nullable ? 'a string or null' : 'a string', value);
      return value;
    case 'bytes':
      if (typeof value !== 'string' && !(value instanceof Uint8Array)) throw invalid(name, 'a string or Uint8Array', value);
      return value;
    case 'routingId':
      return toRoutingId(value, name);
    case 'enum':
      if (!spec.values!.includes(value)) throw invalid(name, `one of ${spec.values!.map((v) => JSON.stringify(v)).join(', ')}`, value);
      return value;
    case 'object':
      if (!spec.accepts!(value)) throw invalid(name, spec.expected ?? 'an object', value);
      return value;
  }
}

function sameAsDefault(spec: OptionSpec, value: unknown): boolean {
  return value === spec.default;
}

/** The option table of one socket class: base options plus its pattern's. */
export class OptionTable {
  readonly specs = new Map<string, OptionSpec>();

  constructor(...lists: ReadonlyArray<readonly OptionSpec[]>) {
    for (const list of lists) for (const spec of list) this.specs.set(spec.name, spec);
  }

  /** Fresh values: every default. */
  defaults(): OptionValues {
    const values = new OptionValues();
    for (const spec of this.specs.values()) values.set(spec.name, spec.default);
    return values;
  }

  /** Validate `value` for option `name` (throws `EINVAL`/`ENOTSUP`); returns the normalised value. */
  check(name: string, value: unknown, socketType: string): unknown {
    const spec = this.specs.get(name);
    if (spec === undefined) {
      if (READ_ONLY.has(name)) throw new ZmqError('EINVAL', `option ${name} is read-only`);
      const known = [...this.specs.keys()].filter((k) => this.specs.get(k)!.unsupported === undefined && this.specs.get(k)!.provider === undefined);
      throw new ZmqError('EINVAL', `unknown option ${JSON.stringify(name)} for a ${socketType} socket; options: ${known.join(', ')}`);
    }
    if (spec.provider !== undefined) {
      const provider = optionProvider(name);
      if (provider === undefined) {
        const v = normalise(spec, value);
        if (sameAsDefault(spec, v)) return v;
        throw new ZmqError('ENOTSUP', `option ${name} needs ${spec.provider}: install it and import its /register entry; without it the socket would run unauthenticated and unencrypted, so the option is refused`);
      }
      return provider.normalise(name, value);
    }
    const v = normalise(spec, value);
    if (spec.unsupported !== undefined && !sameAsDefault(spec, v)) {
      throw new ZmqError('ENOTSUP', `option ${name} is not supported by Monocoque (${spec.unsupported}); only its default ${JSON.stringify(spec.default)} is accepted`);
    }
    return v;
  }

  /** Validate every constructor option and return the values. */
  resolve(options: object, socketType: string): OptionValues {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new ZmqError('EINVAL', `socket options: expected an object, got ${describe(options)}`);
    }
    const values = this.defaults();
    for (const [name, value] of Object.entries(options)) {
      if (value === undefined) continue;
      const v = this.check(name, value, socketType);
      values.set(name, v);
      values.noteSecurity(name, v);
    }
    return values;
  }
}


/** Something with option values and a way to set them (the socket). */
export interface OptionHost {
  getOption(name: string): unknown;
  setOption(name: string, value: unknown): void;
}

/**
 * Define an accessor property on `proto` for each spec (zeromq.js makes options real
 * properties). Getters read the socket's value; setters validate and apply it.
 */
export function defineOptionAccessors(proto: object, specs: readonly OptionSpec[]): void {
  for (const spec of specs) {
    if (Object.prototype.hasOwnProperty.call(proto, spec.name)) continue;
    Object.defineProperty(proto, spec.name, {
      configurable: true,
      enumerable: false,
      get(this: OptionHost) {
        return this.getOption(spec.name);
      },
      set(this: OptionHost, value: unknown) {
        this.setOption(spec.name, value);
      },
    });
  }
}
