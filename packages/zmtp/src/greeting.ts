/**
 * The ZMTP greeting (RFC 23 §"The Greeting", RFC 37 §"Version Negotiation").
 *
 *   offset  size  field
 *   0       10    signature: 0xFF, 8 bytes padding, 0x7F
 *   10      1     version-major (3)
 *   11      1     version-minor (0 = ZMTP 3.0, 1 = ZMTP 3.1)
 *   12      20    mechanism name, ASCII, NUL-padded
 *   32      1     as-server (0 or 1)
 *   33      31    filler (ignored)
 *
 * The parser validates the greeting as bytes arrive, so an old peer is rejected as soon
 * as its first 11 bytes show what it is: a ZMTP 1.0/2.0 peer may never send 64 bytes.
 * Monocoque speaks ZMTP 3.x only: a 1.0 or 2.0 peer is refused (no downgrade, so no
 * downgrade attack), where libzmq would fall back to the old framing.
 */
import { ZmqError } from './errors.js';

/** Total greeting length in bytes. */
export const GREETING_SIZE = 64;
/** Bytes needed to know the peer's major version. */
export const GREETING_VERSION_SIZE = 11;

/** What our greeting announces. */
export interface GreetingOptions {
  /** Mechanism name, e.g. `NULL`, `PLAIN`, `CURVE` (1–20 ASCII characters). */
  mechanism: string;
  /** The as-server flag (PLAIN/CURVE server). */
  asServer: boolean;
  /** Minor version to announce; defaults to 1 (ZMTP 3.1). */
  minor?: number;
}

/** What the peer's greeting said. */
export interface PeerGreeting {
  /** Major version (3 or higher). */
  readonly major: number;
  /** Minor version as sent; 0 means a ZMTP 3.0 peer. */
  readonly minor: number;
  /** Mechanism name, NUL padding removed. */
  readonly mechanism: string;
  /** The peer's as-server flag. */
  readonly asServer: boolean;
}

/** Encode our 64-byte greeting. */
export function encodeGreeting(options: GreetingOptions): Buffer {
  const { mechanism, asServer, minor = 1 } = options;
  if (mechanism.length === 0 || mechanism.length > 20 || !/^[\x21-\x7E]+$/.test(mechanism)) {
    throw new ZmqError('EINVAL', `mechanism name must be 1-20 printable ASCII characters, got ${JSON.stringify(mechanism)}`);
  }
  const g = Buffer.alloc(GREETING_SIZE);
  g[0] = 0xff;
  g[9] = 0x7f;
  g[10] = 3;
  g[11] = minor;
  g.write(mechanism, 12, 'latin1');
  g[32] = asServer ? 1 : 0;
  return g;
}

const hex = (b: number | undefined): string => `0x${(b ?? 0).toString(16).padStart(2, '0')}`;

/**
 * Validate the greeting bytes received so far (`bytes.length` may be anything from 1 to
 * 64). Throws a `ZmqError` (`EPROTO` or `ENOCOMPATPROTO`) as soon as the prefix cannot be a
 * valid ZMTP 3.x greeting for `expectedMechanism`. Returns the parsed greeting once all
 * 64 bytes are present, otherwise `undefined`.
 */
export function checkGreeting(bytes: Uint8Array, expectedMechanism: string): PeerGreeting | undefined {
  const n = bytes.length;
  if (n >= 1 && bytes[0] !== 0xff) {
    throw new ZmqError(
      'EPROTO',
      `bad ZMTP greeting: expected signature byte 0xff at offset 0, got ${hex(bytes[0])} (not a ZMTP 3.x peer; ZMTP 1.0 is not supported)`,
    );
  }
  if (n >= 10 && (bytes[9]! & 0x01) === 0) {
    // RFC 23 backwards-compatibility rule: bit 0 of byte 9 clear means a ZMTP 1.0 peer.
    throw new ZmqError('EPROTO', `bad ZMTP greeting: expected 0x7f at offset 9, got ${hex(bytes[9])} (a ZMTP 1.0 peer; only ZMTP 3.x is supported)`);
  }
  if (n >= 10 && bytes[9] !== 0x7f) {
    throw new ZmqError('EPROTO', `bad ZMTP greeting: expected signature byte 0x7f at offset 9, got ${hex(bytes[9])}`);
  }
  if (n >= GREETING_VERSION_SIZE && bytes[10]! < 3) {
    const v = bytes[10] === 0 ? '1.0' : '2.0';
    throw new ZmqError(
      'EPROTO',
      `unsupported ZMTP version: expected major version 3, got ${bytes[10]} (a ZMTP ${v} peer; only ZMTP 3.0 and 3.1 are supported)`,
    );
  }
  if (n < 32) return undefined;
  let end = 12;
  while (end < 32 && bytes[end] !== 0) end++;
  const mechanism = Buffer.from(bytes.buffer, bytes.byteOffset + 12, end - 12).toString('latin1');
  for (let i = end; i < 32; i++) {
    if (bytes[i] !== 0) {
      throw new ZmqError('EPROTO', `bad ZMTP greeting: mechanism name must be NUL-padded, got ${hex(bytes[i])} at offset ${i}`);
    }
  }
  if (mechanism !== expectedMechanism) {
    throw new ZmqError(
      'ENOCOMPATPROTO',
      `security mechanism mismatch: expected ${expectedMechanism}, peer offers ${JSON.stringify(mechanism)}`,
    );
  }
  if (n < 33) return undefined;
  if (bytes[32]! > 1) {
    throw new ZmqError('EPROTO', `bad ZMTP greeting: expected as-server flag 0 or 1, got ${hex(bytes[32])}`);
  }
  if (n < GREETING_SIZE) return undefined;
  return { major: bytes[10]!, minor: bytes[10]! > 3 ? 1 : bytes[11]!, mechanism, asServer: bytes[32] === 1 };
}
