/**
 * @monocoque/cli — the `monocoque` command-line tool. The bin is `dist/bin.js`; this entry
 * exposes the same commands to programs (`main(argv)` resolves with the exit code) and the
 * helpers they are built from.
 *
 * @packageDocumentation
 */
export { main, VERSION } from './main.js';
export { EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, EXIT_SIGINT, EXIT_SIGTERM, RuntimeError, UsageError } from './errors.js';
export { Output } from './output.js';
export { type InputFormat, type OutputFormat, formatMessage, parseInputLine } from './format.js';
export { SOCKET_TYPES, type CliSocketType } from './sockets.js';
export { type SocketSpec, parseSocketSpec } from './commands/proxy.js';
export { type BenchSummary, percentile } from './commands/bench.js';
