/**
 * `@monocoque/curve`: the CURVE security mechanism (ZMTP-CURVE, RFC 25; CurveZMQ,
 * RFC 26), byte-compatible with libzmq 4.3 — X25519 key agreement and XSalsa20-Poly1305
 * boxes (libsodium's `crypto_box`), Z85 keys (RFC 32).
 *
 * Use it through socket options after `import '@monocoque/curve/register'`
 * (`curveServer`, `curvePublicKey`, `curveSecretKey`, `curveServerKey`, as zeromq.js), or
 * pass `mechanism: curve({...})` explicitly. The cryptography runs on `sodium-native`
 * when it loads and on `@noble/*` otherwise (see {@link curveBackend}).
 */
import type { Mechanism } from '@monocoque/zmtp';
import { type CurveOptions, curveMechanism } from './mechanism.js';

/** Z85 (RFC 32), re-exported from `@monocoque/zmtp` for convenience. */
export { z85Decode, z85Encode } from '@monocoque/zmtp';
export { type CurveKeyPair, KEY_LENGTH, Z85_KEY_LENGTH, curveKeyBytes, curveKeyPair, curvePublicKey } from './keys.js';
export { COOKIE_LIFETIME_MS, type CurveOptions, curveMechanism } from './mechanism.js';
export { CURVE_OPTIONS, curveOptionProvider } from './provider.js';
export { type BoxBackend, type BoxBackendName, type CurveBackendInfo, curveBackend, getBoxBackend, setCurveBackend, sodiumAvailability } from './backend/index.js';

/**
 * The CURVE mechanism for a socket's explicit `mechanism` option:
 * `new Dealer({ mechanism: curve({ serverKey, publicKey, secretKey }) })`. Same as
 * {@link curveMechanism}.
 * @throws {ZmqError} `EINVAL` naming a missing or malformed key.
 */
export function curve(options: CurveOptions): Mechanism {
  return curveMechanism(options);
}
