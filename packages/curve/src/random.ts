/**
 * The randomness source of keys, transient keys and long nonces: the operating system's
 * CSPRNG. Handshakes take it as a parameter so tests can replay a handshake with fixed
 * randomness and compare every box with libsodium's; that parameter is internal.
 */
import { randomFillSync } from 'node:crypto';

/** Fills `bytes` with random bytes. */
export type RandomSource = (bytes: Uint8Array) => void;

/** The operating system's CSPRNG (`crypto.randomFillSync`). */
export const systemRandom: RandomSource = (bytes) => {
  randomFillSync(bytes);
};

/** Overwrite secret bytes with zeros (a best effort: JavaScript may have copied them). */
export function wipe(...secrets: Array<Uint8Array | undefined>): void {
  for (const s of secrets) s?.fill(0);
}
