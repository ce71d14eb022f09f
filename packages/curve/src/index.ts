/**
 * `@monocoque/curve`: the CURVE security mechanism (ZMTP-CURVE, RFC 25; CurveZMQ,
 * RFC 26), byte-compatible with libzmq 4.3 — X25519 key agreement and XSalsa20-Poly1305
 * boxes (libsodium's `crypto_box`), Z85 keys (RFC 32).
 *
 * The cryptography runs on `sodium-native` when it loads and on `@noble/*` otherwise
 * (see {@link curveBackend}).
 */
export { z85Decode, z85Encode } from './z85.js';
export { type CurveKeyPair, KEY_LENGTH, Z85_KEY_LENGTH, curveKeyBytes, curveKeyPair, curvePublicKey } from './keys.js';
export { type BoxBackend, type BoxBackendName, type CurveBackendInfo, curveBackend, getBoxBackend, setCurveBackend, sodiumAvailability } from './backend/index.js';
