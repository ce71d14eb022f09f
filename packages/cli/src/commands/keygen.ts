/** `monocoque keygen`: a CURVE key pair in Z85 (or the public key of a given secret key). */
import { type Options, flag, noPositionals, parse, str } from '../args.js';
import { EXIT_OK, UsageError } from '../errors.js';
import type { Output } from '../output.js';

/** The options of `keygen`. */
export const KEYGEN_OPTIONS = {
  json: { type: 'boolean' },
  secret: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** Run `monocoque keygen ...`. */
export async function keygenCommand(args: string[], output: Output): Promise<number> {
  const parsed = parse(args, KEYGEN_OPTIONS, false);
  noPositionals(parsed, 'keygen');
  const { curveKeyPair, curvePublicKey } = await import('@monocoque/curve');
  const secret = str(parsed.values, 'secret');
  let pair: { publicKey: string; secretKey: string };
  if (secret !== undefined) {
    try {
      pair = { publicKey: curvePublicKey(secret), secretKey: secret };
    } catch (error) {
      throw new UsageError(`--secret: ${(error as Error).message}`);
    }
  } else pair = curveKeyPair();
  if (flag(parsed.values, 'json')) await output.line(JSON.stringify({ publicKey: pair.publicKey, secretKey: pair.secretKey }));
  else {
    await output.line(`public-key: ${pair.publicKey}`);
    await output.line(`secret-key: ${pair.secretKey}`);
  }
  return EXIT_OK;
}
