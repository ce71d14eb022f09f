/** Where a command writes: result lines on stdout, diagnostics on stderr. */
import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Result lines on stdout (respecting back-pressure), `monocoque: ...` notes on stderr. */
export class Output {
  constructor(
    readonly stdout: Writable = process.stdout,
    readonly stderr: Writable & { isTTY?: boolean } = process.stderr,
  ) {}

  /** Write one line on stdout; resolves when the stream can take more. */
  async line(text: string): Promise<void> {
    if (!this.stdout.write(`${text}\n`)) await once(this.stdout, 'drain');
  }

  /** A diagnostic line on stderr. */
  info(text: string): void {
    this.stderr.write(`monocoque: ${text}\n`);
  }

  /** Whether stderr is a terminal (live progress lines are drawn only then). */
  get interactive(): boolean {
    return this.stderr.isTTY === true;
  }
}
