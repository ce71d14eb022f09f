/**
 * The `monocoque` executable. Runs the command, sets the exit code, and releases stdin
 * (which a command may have been reading); the process then ends on its own once the
 * sockets' linger is over.
 */
import { main } from './main.js';

// A reader that went away (`monocoque sub ... | head -1`) ends the command quietly.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
process.stdin.destroy();
