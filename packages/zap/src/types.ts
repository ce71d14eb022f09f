/**
 * The shapes authenticators and checks speak: a {@link Verdict} (or a boolean) for one
 * ZAP request, and the {@link Authenticator} function type that rules compose from.
 */
import type { ZapRequest, ZapReply, ZapStatus } from '@monocoque/core';

/**
 * What a check decides about one peer.
 *
 * - `status` (default `200`): `200` lets the peer in; `300` is a temporary failure (the
 *   server holds the connection silently until its `handshakeInterval`, then closes it and
 *   the client retries later); `400` refuses it; `500` reports an internal error (refused
 *   too).
 * - `text`: the ZAP status text (appears in the server's `handshake:error:auth` event; it
 *   is never sent to the client).
 * - `userId`: the user id the server associates with the peer (only with 200); the
 *   built-in checks default it to the PLAIN username or the Z85 CURVE key.
 * - `metadata`: ZAP metadata for the peer (only with 200).
 */
export interface Verdict {
  /** ZAP status code; `200` when omitted. */
  readonly status?: ZapStatus;
  /** ZAP status text. */
  readonly text?: string;
  /** The peer's user id (200 only). */
  readonly userId?: string;
  /** Metadata attached to the peer (200 only). */
  readonly metadata?: Readonly<Record<string, string | Uint8Array>>;
}

/** A check's answer: `true` allows (200), `false` refuses (400), or a full {@link Verdict}. */
export type CheckResult = boolean | Verdict;

/**
 * An authenticator: one rule of a chain. It answers a request with a {@link CheckResult},
 * which ends the chain, or with `undefined` to leave the decision to the next rule. When no
 * rule decides, the request is refused with 400. Thrown errors and rejections answer 500.
 */
export type Authenticator = (request: ZapRequest) => CheckResult | undefined | Promise<CheckResult | undefined>;

/**
 * A PLAIN password check: `username` and `password` are the client's credentials decoded
 * as UTF-8; `request` is the whole ZAP request (address, domain, raw credentials).
 */
export type PlainCheck = (username: string, password: string, request: ZapRequest) => CheckResult | Promise<CheckResult>;

/**
 * A CURVE key check: `publicKey` is the client's long-term public key as 40 Z85 characters
 * (the raw 32 bytes are `request.credentials[0]`).
 */
export type CurveCheck = (publicKey: string, request: ZapRequest) => CheckResult | Promise<CheckResult>;

/** PLAIN accounts: username → password, as an object or a `Map`. */
export type PlainPasswords = Readonly<Record<string, string>> | ReadonlyMap<string, string>;

/** Address rules: either an allow list or a deny list (IPv4/IPv6 addresses or CIDR blocks). */
export type AddressRules = { readonly allow: readonly string[]; readonly deny?: undefined } | { readonly deny: readonly string[]; readonly allow?: undefined };

/**
 * The declarative configuration of an authenticator (see {@link createZapHandler}). The
 * rules run in this order; the first that decides wins:
 *
 * 1. `domain`: requests for another ZAP domain are refused (400).
 * 2. `addresses`: an address outside the allow list, or in the deny list, is refused (400).
 * 3. `use`: your own authenticators, in order.
 * 4. NULL clients are allowed (they got past the address rules).
 * 5. `plain`: PLAIN clients are checked; without it every PLAIN client is refused (400).
 * 6. `curve`: CURVE clients are checked; without it every CURVE client is refused (400).
 * 7. Anything else (another mechanism) is refused (400).
 */
export interface AuthenticatorConfig {
  /** Serve only this ZAP domain (or these): the server socket's `zapDomain`, `''` when unset. Default: every domain. */
  readonly domain?: string | readonly string[];
  /** Allow only these addresses, or deny these (`'127.0.0.1'`, `'::1'`, `'10.0.0.0/8'`). IPC peers have no address. */
  readonly addresses?: AddressRules;
  /** PLAIN: the accounts, or a function deciding. */
  readonly plain?: PlainPasswords | PlainCheck;
  /** CURVE: the allowed client public keys (Z85 or 32 bytes), `'any'`, or a function deciding. */
  readonly curve?: readonly (string | Uint8Array)[] | 'any' | CurveCheck;
  /** Extra authenticators, run after the domain and address rules and before the mechanism checks. */
  readonly use?: readonly Authenticator[];
}

/** One answered request, as reported to observers. */
export interface ZapDecision {
  /** The request (its `credentials` hold the PLAIN password: do not log them). */
  readonly request: ZapRequest;
  /** The reply sent back (`statusCode` is a number). */
  readonly reply: ZapReply & { readonly statusCode: ZapStatus };
  /** The error a rule threw or rejected with (the reply is then 500). */
  readonly error?: unknown;
}
