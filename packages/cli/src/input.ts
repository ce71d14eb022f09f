/**
 * Messages to send: `--message` values, then `--file` contents (one message each), or else
 * stdin — one message per line, or all of it as one message with `--raw`.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { type Values, flag, list, str } from './args.js';
import { RuntimeError } from './errors.js';
import { type InputFormat, inputFormat, parseInputLine } from './format.js';

/** Where the messages to send come from. */
export interface InputSpec {
  messages: string[];
  files: string[];
  raw: boolean;
  format: InputFormat;
  separator: string | undefined;
}

/** The input flags of a command. */
export function inputSpec(values: Values): InputSpec {
  return {
    messages: list(values, 'message'),
    files: list(values, 'file'),
    raw: flag(values, 'raw'),
    format: inputFormat(str(values, 'input')),
    separator: str(values, 'separator'),
  };
}

/** Whether the command reads stdin for its input. */
export function readsStdin(spec: InputSpec): boolean {
  return spec.messages.length === 0 && spec.files.length === 0;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}

/** The messages to send, in order. */
export async function* inputMessages(spec: InputSpec, stdin: Readable = process.stdin): AsyncGenerator<Buffer[]> {
  for (const m of spec.messages) yield parseInputLine(m, spec.format, spec.separator);
  for (const file of spec.files) {
    try {
      yield [await readFile(file)];
    } catch (error) {
      throw new RuntimeError(`--file ${file}: ${(error as Error).message}`);
    }
  }
  if (!readsStdin(spec)) return;
  if (spec.raw) {
    yield [await readAll(stdin)];
    return;
  }
  const lines = createInterface({ input: stdin, crlfDelay: Number.POSITIVE_INFINITY, terminal: false });
  try {
    for await (const line of lines) yield parseInputLine(line, spec.format, spec.separator);
  } finally {
    lines.close();
  }
}

/**
 * The messages of `input` until `stopped` resolves: a signal must end a command that is
 * waiting for the next stdin line, which may never come.
 */
export async function* untilStopped<T>(input: AsyncGenerator<T>, stopped: Promise<unknown>): AsyncGenerator<T> {
  const halt = stopped.then(() => undefined);
  for (;;) {
    const next = await Promise.race([input.next(), halt]);
    if (next === undefined || next.done === true) {
      if (next === undefined) void input.return(undefined).catch(() => {});
      return;
    }
    yield next.value;
  }
}
