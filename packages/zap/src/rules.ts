/**
 * The built-in authenticators. Each is a plain function of a ZAP request that decides or
 * passes (`undefined`) to the next; {@link chain} composes them. Configuration is checked
 * when a rule is created: a bad address or key throws `EINVAL` at once, not at the first
 * connection.
 */
import { BlockList, isIP } from 'node:net';
import { ZmqError, type ZapRequest } from '@monocoque/core';
import { z85Decode, z85Encode } from '@monocoque/zmtp';
import type { Authenticator, CheckResult, CurveCheck, PlainCheck, PlainPasswords, Verdict } from './types.js';

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  return typeof value;
}

function invalid(message: string): ZmqError {
  return new ZmqError('EINVAL', message);
}

/**
 * Run `authenticators` in order; the first that decides (returns anything but
 * `undefined`) ends the chain. Returns `undefined` when none decides, so chains nest.
 */
export function chain(...authenticators: readonly Authenticator[]): Authenticator {
  authenticators.forEach((a, i) => {
    if (typeof a !== 'function') throw invalid(`chain: expected authenticator ${i} to be a function, got ${describe(a)}`);
  });
  const list = [...authenticators];
  return async (request) => {
    for (const authenticator of list) {
      const result = await authenticator(request);
      if (result !== undefined) return result;
    }
    return undefined;
  };
}

/**
 * Refuse (400) requests for any ZAP domain but these. The domain is the server socket's
 * `zapDomain`, `''` when it has none.
 */
export function allowDomains(domains: string | readonly string[]): Authenticator {
  const list = typeof domains === 'string' ? [domains] : domains;
  if (!Array.isArray(list) || list.length === 0) throw invalid(`domain: expected a string or a non-empty array of strings, got ${describe(domains)}`);
  for (const d of list) if (typeof d !== 'string') throw invalid(`domain: expected strings, got ${describe(d)}`);
  const set = new Set<string>(list);
  return (request) => (set.has(request.domain) ? undefined : { status: 400, text: `ZAP domain ${JSON.stringify(request.domain)} is not served by this authenticator` });
}

/** An address matcher over IPv4/IPv6 addresses and CIDR blocks. */
function addressMatcher(what: string, addresses: readonly string[]): (address: string) => boolean {
  if (!Array.isArray(addresses)) throw invalid(`${what}: expected an array of IP addresses, got ${describe(addresses)}`);
  const list = new BlockList();
  for (const entry of addresses) {
    if (typeof entry !== 'string') throw invalid(`${what}: expected IP address strings, got ${describe(entry)}`);
    const slash = entry.indexOf('/');
    const host = slash < 0 ? entry : entry.slice(0, slash);
    const family = isIP(host);
    if (family === 0) throw invalid(`${what}: expected an IPv4 or IPv6 address or a CIDR block, got ${describe(entry)}`);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (slash < 0) {
      list.addAddress(host, type);
      continue;
    }
    const bits = entry.slice(slash + 1);
    const prefix = Number(bits);
    const max = family === 4 ? 32 : 128;
    if (!/^\d{1,3}$/.test(bits) || prefix > max) throw invalid(`${what}: expected a prefix length 0-${max} in ${describe(entry)}`);
    list.addSubnet(host, prefix, type);
  }
  return (address) => {
    // Peers on a dual-stack listener appear as IPv4-mapped IPv6 addresses.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    const host = mapped ? mapped[1]! : address;
    const family = isIP(host);
    if (family === 0) return false; // IPC and inproc peers have no address
    return list.check(host, family === 4 ? 'ipv4' : 'ipv6');
  };
}

/**
 * Refuse (400) every peer whose address is not in `addresses` (IPv4/IPv6 addresses or CIDR
 * blocks such as `'10.0.0.0/8'`); pass the others on. Peers without an address (IPC) are
 * refused. An allowed address still has to pass the PLAIN or CURVE check (czmq's zauth).
 * Throws `EINVAL` for an empty list (it would refuse everyone; czmq would read it as no list).
 */
export function allowAddresses(addresses: readonly string[]): Authenticator {
  const matches = addressMatcher('allowAddresses', addresses);
  if (addresses.length === 0) throw invalid('allowAddresses: expected at least one address, got an empty list (it would refuse every peer)');
  return (request) => (matches(request.address) ? undefined : { status: 400, text: `address ${JSON.stringify(request.address)} is not in the allow list` });
}

/** Refuse (400) every peer whose address is in `addresses` (IPv4/IPv6 addresses or CIDR blocks); pass the others on. */
export function denyAddresses(addresses: readonly string[]): Authenticator {
  const matches = addressMatcher('denyAddresses', addresses);
  return (request) => (matches(request.address) ? { status: 400, text: `address ${JSON.stringify(request.address)} is in the deny list` } : undefined);
}

/** Allow every NULL client (user id `''`); pass other mechanisms on. */
export function allowNull(): Authenticator {
  return (request) => (request.mechanism === 'NULL' ? true : undefined);
}

/** Constant-time for a given length of `given`: compares every byte whatever differs first. */
function sameBytes(expected: Uint8Array, given: Uint8Array): boolean {
  let diff = expected.length ^ given.length;
  for (let i = 0; i < given.length; i++) diff |= (expected.length === 0 ? 0 : expected[i % expected.length]!) ^ given[i]!;
  return diff === 0;
}

/** Turn a check's result into a verdict whose user id defaults to `userId`; validates it. */
function withDefaultUser(result: CheckResult, userId: string, what: string): Verdict {
  if (result === true) return { status: 200, userId };
  if (result === false) return { status: 400, text: `${what} refused` };
  if (typeof result !== 'object' || result === null) {
    throw new TypeError(`${what}: expected the check to return a boolean or a verdict object, got ${describe(result)}`);
  }
  const status = result.status ?? 200;
  if (status === 200 && result.userId === undefined) return { ...result, status, userId };
  return result;
}

/**
 * Check PLAIN clients (pass other mechanisms on): against a table of accounts (username →
 * password, compared in constant time), or with your function. Allowed clients get their
 * username as user id unless the function returns another. Wrong credentials answer 400.
 */
export function plainPasswords(passwords: PlainPasswords | PlainCheck): Authenticator {
  let check: PlainCheck;
  if (typeof passwords === 'function') {
    check = passwords;
  } else {
    if (typeof passwords !== 'object' || passwords === null || Array.isArray(passwords)) {
      throw invalid(`plain: expected an object or Map of username → password, or a function, got ${describe(passwords)}`);
    }
    const accounts = new Map<string, Buffer>();
    const entries = passwords instanceof Map ? [...(passwords as ReadonlyMap<unknown, unknown>)] : Object.entries(passwords);
    for (const [user, password] of entries) {
      if (typeof user !== 'string') throw invalid(`plain: expected string usernames, got ${describe(user)}`);
      if (typeof password !== 'string') throw invalid(`plain: expected a string password for user ${JSON.stringify(user)}, got ${describe(password)}`);
      if (Buffer.byteLength(user) > 255 || Buffer.byteLength(password) > 255) {
        throw invalid(`plain: user ${JSON.stringify(user)}: PLAIN carries at most 255 bytes of username and of password`);
      }
      accounts.set(user, Buffer.from(password, 'utf8'));
    }
    const none = Buffer.alloc(0);
    check = (username, _password, request) => {
      const expected = accounts.get(username);
      const ok = sameBytes(expected ?? none, request.credentials[1]!);
      return expected !== undefined && ok ? true : { status: 400, text: `wrong username or password (user ${JSON.stringify(username)})` };
    };
  }
  return async (request) => {
    if (request.mechanism !== 'PLAIN') return undefined;
    if (request.credentials.length !== 2) {
      return { status: 400, text: `PLAIN: expected 2 credentials (username, password), got ${request.credentials.length}` };
    }
    const username = request.credentials[0]!.toString('utf8');
    const password = request.credentials[1]!.toString('utf8');
    return withDefaultUser(await check(username, password, request), username, `PLAIN user ${JSON.stringify(username)}`);
  };
}

/** Parse one configured CURVE public key into its Z85 form; throws `EINVAL` saying what is wrong. */
function curveKey(key: unknown, index: number): string {
  if (key instanceof Uint8Array) {
    if (key.length !== 32) throw invalid(`curve: key ${index}: expected 32 bytes, got ${key.length}`);
    return z85Encode(key);
  }
  if (typeof key !== 'string') throw invalid(`curve: key ${index}: expected a 40-character Z85 string or 32 bytes, got ${describe(key)}`);
  if (key.length !== 40) throw invalid(`curve: key ${index}: expected 40 Z85 characters, got ${key.length} (${describe(key)})`);
  try {
    z85Decode(key);
  } catch (error) {
    throw invalid(`curve: key ${index}: not valid Z85 (${error instanceof Error ? error.message : String(error)})`);
  }
  return key;
}

function curveRule(check: CurveCheck): Authenticator {
  return async (request) => {
    if (request.mechanism !== 'CURVE') return undefined;
    const key = request.credentials[0];
    if (request.credentials.length !== 1 || key === undefined || key.length !== 32) {
      return { status: 400, text: `CURVE: expected 1 credential of 32 bytes (the client's public key), got ${request.credentials.map((c) => c.length).join(', ') || 'none'}` };
    }
    const z85 = z85Encode(key);
    return withDefaultUser(await check(z85, request), z85, `CURVE key ${z85}`);
  };
}

/**
 * Check CURVE clients (pass other mechanisms on): their long-term public key must be one of
 * `keys` (Z85 strings or 32-byte arrays), or your function decides. Allowed clients get
 * their Z85 key as user id unless the function returns another. Unknown keys answer 400.
 */
export function curveKeys(keys: readonly (string | Uint8Array)[] | CurveCheck): Authenticator {
  if (typeof keys === 'function') return curveRule(keys);
  if (!Array.isArray(keys)) throw invalid(`curve: expected an array of public keys, 'any' or a function, got ${describe(keys)}`);
  const known = new Set(keys.map(curveKey));
  return curveRule((key) => (known.has(key) ? true : { status: 400, text: `CURVE key ${key} is not allowed` }));
}

/** Allow every CURVE client (any client that knows the server's key), user id its Z85 key. */
export function curveAny(): Authenticator {
  return curveRule(() => true);
}

/** The mechanisms the built-in rules know. */
export const KNOWN_MECHANISMS: ReadonlySet<string> = new Set(['NULL', 'PLAIN', 'CURVE']);

/** The final answer when no rule decided. */
export function undecided(request: ZapRequest): Verdict {
  if (request.mechanism === 'PLAIN' || request.mechanism === 'CURVE') {
    return { status: 400, text: `no ${request.mechanism} check is configured, so every ${request.mechanism} client is refused` };
  }
  if (!KNOWN_MECHANISMS.has(request.mechanism)) return { status: 400, text: `mechanism ${JSON.stringify(request.mechanism)} is not supported by this authenticator` };
  return { status: 400, text: `no rule accepted the ${request.mechanism} client` };
}
