/**
 * Side-effect entry: `import '@monocoque/curve/register'` makes the CURVE socket options
 * (`curveServer`, `curvePublicKey`, `curveSecretKey`, `curveServerKey`) available on every
 * Monocoque socket. Without it, core refuses them (a socket must never run unencrypted
 * because an option was silently ignored).
 */
import { registerOptionProvider } from '@monocoque/core';
import { curveOptionProvider } from './provider.js';

registerOptionProvider(curveOptionProvider);
