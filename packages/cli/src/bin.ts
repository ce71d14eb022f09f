/**
 * The `monocoque` executable. Runs the command, sets the exit code, and releases stdin
 * (which a command may have been reading); the process then ends on its own once the
 * sockets' linger is over.
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
process.stdin.destroy();
