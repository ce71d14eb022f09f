/**
 * Exit codes and the two error kinds the commands throw. `main()` turns a `UsageError` into
 * exit code 2 (with a hint to `--help`) and any other failure into exit code 1.
 */

/** Success. */
export const EXIT_OK = 0;
/** A runtime failure: a timeout, a bind or handshake error, unreadable input. */
export const EXIT_RUNTIME = 1;
/** A usage error: unknown command or option, a missing or malformed argument. */
export const EXIT_USAGE = 2;
/** Interrupted by SIGINT (128 + 2). */
export const EXIT_SIGINT = 130;
/** Interrupted by SIGTERM (128 + 15). */
export const EXIT_SIGTERM = 143;

/** The command line is wrong; exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The command ran and failed (a timeout, a refused bind, bad input data); exit code 1. */
export class RuntimeError extends Error {
  override name = 'RuntimeError';
}
