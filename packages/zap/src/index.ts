/**
 * @monocoque/zap — a ZAP (RFC 27) authenticator for Monocoque servers: the counterpart of
 * czmq's `zauth` and pyzmq's `ThreadAuthenticator`, as plain functions that compose.
 *
 * ```ts
 * import { startAuthenticator } from '@monocoque/zap';
 * const auth = startAuthenticator({
 *   addresses: { allow: ['127.0.0.1'] },
 *   plain: { admin: 'secret' },
 *   curve: ['rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7'],
 * });
 * // ... servers with plainServer / curveServer (or a zapDomain for NULL) now ask it
 * await auth.stop();
 * ```
 *
 * Depends on `@monocoque/core` only (and `@monocoque/zmtp` for Z85): it loads no crypto,
 * so PLAIN-only and NULL applications can use it without `@monocoque/curve`.
 */
export type { ZapRequest, ZapReply, ZapHandler, ZapStatus } from '@monocoque/core';
export type { AddressRules, Authenticator, AuthenticatorConfig, CheckResult, CurveCheck, PlainCheck, PlainPasswords, Verdict, ZapDecision } from './types.js';
export { allowAddresses, allowDomains, allowNull, chain, curveAny, curveKeys, denyAddresses, plainPasswords } from './rules.js';
export {
  type ZapAuthHandler,
  type ZapAuthenticatorEvents,
  type ZapHandlerOptions,
  ZapAuthenticator,
  authenticatorsOf,
  createZapHandler,
  startAuthenticator,
} from './handler.js';
