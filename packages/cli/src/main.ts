/** The command dispatcher: `main(argv)` runs one command and resolves with its exit code. */
import { benchCommand } from './commands/bench.js';
import { keygenCommand } from './commands/keygen.js';
import { monitorCommand } from './commands/monitor.js';
import { proxyCommand } from './commands/proxy.js';
import { socketCommand } from './commands/socket.js';
import { EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, RuntimeError, UsageError } from './errors.js';
import { HELP } from './help.js';
import { Output } from './output.js';
import { isSocketType } from './sockets.js';

declare const __MONOCOQUE_CLI_VERSION__: string | undefined;

/** This package's version (set at build time; `0.0.0-source` when run from the sources). */
export const VERSION: string = typeof __MONOCOQUE_CLI_VERSION__ === 'string' ? __MONOCOQUE_CLI_VERSION__ : '0.0.0-source';

const COMMANDS = ['monitor', 'proxy', 'keygen', 'bench', 'help'];

function helpTopic(command: string): string | undefined {
  if (isSocketType(command)) return HELP.socket;
  if (command === 'help') return HELP.main;
  return COMMANDS.includes(command) ? HELP[command] : undefined;
}

function asksForHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '-h' || a === '--help') return true;
  }
  return false;
}

/**
 * Run the `monocoque` command line `argv` (without the node and script paths). Resolves
 * with the exit code: 0 ok, 1 runtime error, 2 usage error, 130/143 stopped by a signal.
 * Writes results to `output.stdout` and diagnostics to `output.stderr`.
 */
export async function main(argv: readonly string[], output: Output = new Output()): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      output.stderr.write(`${HELP.main}\n`);
      return EXIT_USAGE;
    }
    if (command === '-h' || command === '--help') {
      await output.line(HELP.main!);
      return EXIT_OK;
    }
    if (command === '-V' || command === '--version') {
      await output.line(VERSION);
      return EXIT_OK;
    }
    if (command === 'help') {
      const topic = rest[0] === undefined ? HELP.main : helpTopic(rest[0]);
      if (topic === undefined) throw new UsageError(`help: unknown command ${JSON.stringify(rest[0])}`);
      await output.line(topic);
      return EXIT_OK;
    }
    const help = helpTopic(command);
    if (help === undefined) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    if (asksForHelp(rest)) {
      await output.line(help);
      return EXIT_OK;
    }
    if (isSocketType(command)) return await socketCommand(command, rest, output);
    switch (command) {
      case 'monitor':
        return await monitorCommand(rest, output);
      case 'proxy':
        return await proxyCommand(rest, output);
      case 'keygen':
        return await keygenCommand(rest, output);
      case 'bench':
        return await benchCommand(rest, output);
    }
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  } catch (error) {
    if (error instanceof UsageError) {
      const about = command !== undefined && helpTopic(command) !== undefined ? `${command} --help` : '--help';
      output.info(`${error.message}\nRun 'monocoque ${about}' for usage.`);
      return EXIT_USAGE;
    }
    output.info(error instanceof RuntimeError ? error.message : `${(error as Error).message ?? String(error)}`);
    return EXIT_RUNTIME;
  }
}
