/**
 * The socket options CURVE provides to `@monocoque/core` (zeromq.js names):
 * `curveServer`, `curvePublicKey`, `curveSecretKey`, `curveServerKey`. Keys are stored in
 * their canonical form, 40 Z85 characters, whether given as Z85 or as 32 bytes; `null`
 * unsets one.
 *
 * As libzmq: a server needs `curveSecretKey` (its `curvePublicKey` is not used, so it is
 * not checked); a client needs `curveServerKey`, `curvePublicKey` and `curveSecretKey`.
 * Missing ones are reported when the mechanism is built (at connect/bind), naming them.
 */
import type { OptionProvider } from '@monocoque/core';
import { type Mechanism, ZmqError, z85Encode } from '@monocoque/zmtp';
import { curveKeyBytes } from './keys.js';
import { curveMechanism } from './mechanism.js';
import { wipe } from './random.js';

/** The option names this package provides. */
export const CURVE_OPTIONS = ['curveServer', 'curvePublicKey', 'curveSecretKey', 'curveServerKey'] as const;

const KEY_OPTIONS: ReadonlySet<string> = new Set(['curvePublicKey', 'curveSecretKey', 'curveServerKey']);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return Array.isArray(value) ? 'an array' : typeof value;
}

function present(value: unknown): value is string {
  return typeof value === 'string';
}

/** The provider `@monocoque/curve/register` installs. */
export const curveOptionProvider: OptionProvider = {
  name: '@monocoque/curve',
  options: CURVE_OPTIONS,

  normalise(option, value) {
    if (option === 'curveServer') {
      if (value === null || value === undefined) return false;
      if (typeof value !== 'boolean') throw new ZmqError('EINVAL', `option curveServer: expected true or false, got ${describe(value)}`);
      return value;
    }
    if (!KEY_OPTIONS.has(option)) throw new ZmqError('EINVAL', `@monocoque/curve does not provide option ${JSON.stringify(option)}`);
    if (value === null || value === undefined) return null;
    const bytes = curveKeyBytes(value, `option ${option}`);
    const text = z85Encode(bytes);
    wipe(bytes);
    return text;
  },

  mechanism(values): Mechanism | undefined {
    const server = values.curveServer === true;
    const publicKey = values.curvePublicKey;
    const secretKey = values.curveSecretKey;
    const serverKey = values.curveServerKey;
    if (!server && !present(publicKey) && !present(secretKey) && !present(serverKey)) return undefined;
    if (server) {
      if (!present(secretKey)) throw new ZmqError('EINVAL', 'option curveSecretKey: a CURVE server (curveServer: true) needs its long-term secret key');
      return curveMechanism({ server: true, secretKey });
    }
    const missing = [
      present(serverKey) ? undefined : 'curveServerKey',
      present(publicKey) ? undefined : 'curvePublicKey',
      present(secretKey) ? undefined : 'curveSecretKey',
    ].filter((m) => m !== undefined);
    if (missing.length > 0) {
      throw new ZmqError('EINVAL', `option ${missing.join(', ')}: a CURVE client needs curveServerKey, curvePublicKey and curveSecretKey (as libzmq); missing ${missing.join(', ')}`);
    }
    try {
      return curveMechanism({ server: false, publicKey: publicKey as string, secretKey: secretKey as string, serverKey: serverKey as string });
    } catch (error) {
      if (error instanceof ZmqError && /publicKey is not the public key/.test(error.message)) {
        throw new ZmqError('EINVAL', 'option curvePublicKey: it is not the public key of curveSecretKey');
      }
      throw error;
    }
  },
};
