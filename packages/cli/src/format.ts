/**
 * How messages are shown and read.
 *
 * Output, one line per message:
 * - `text`: frames separated by ` | `; a frame is printed as UTF-8 when it is valid UTF-8
 *   without control characters (tab allowed), otherwise as `0x` and its hex digits.
 * - `hex`: every frame as hex digits, frames separated by ` | `.
 * - `json`: one JSON array per message; a frame is a string when it is valid UTF-8, else
 *   `{"base64": "..."}`.
 *
 * Input, one line per message: `text` (the line is one frame, or several when a separator is
 * given) or `json` (a string, or an array of strings / `{"base64"}` / `{"hex"}` frames — the
 * same shape `--format json` prints).
 */
import { RuntimeError, UsageError } from './errors.js';

/** An output format. */
export type OutputFormat = 'text' | 'hex' | 'json';
/** An input format. */
export type InputFormat = 'text' | 'json';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
// Control characters other than tab: they would garble a terminal or split a line.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** The frame as a string when it is valid UTF-8, else undefined. */
export function utf8Of(frame: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(frame);
  } catch {
    return undefined;
  }
}

/** One frame for a text line: UTF-8 when printable, else `0x` + hex. */
export function textFrame(frame: Buffer): string {
  const s = utf8Of(frame);
  if (s !== undefined && !CONTROL.test(s)) return s;
  return `0x${frame.toString('hex')}`;
}

/** One frame for JSON output: a string when valid UTF-8, else `{ base64 }`. */
export function jsonFrame(frame: Buffer): string | { base64: string } {
  const s = utf8Of(frame);
  return s !== undefined ? s : { base64: frame.toString('base64') };
}

/** A message as one output line (without the newline). */
export function formatMessage(frames: readonly Buffer[], format: OutputFormat): string {
  switch (format) {
    case 'text':
      return frames.map(textFrame).join(' | ');
    case 'hex':
      return frames.map((f) => f.toString('hex')).join(' | ');
    case 'json':
      return JSON.stringify(frames.map(jsonFrame));
  }
}

/** Check a `--format` value. */
export function outputFormat(value: string | undefined, allowed: readonly OutputFormat[] = ['text', 'hex', 'json']): OutputFormat {
  const v = value ?? 'text';
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--format: expected ${allowed.join(', ')}; got ${JSON.stringify(v)}`);
  return v as OutputFormat;
}

/** Check an `--input` value. */
export function inputFormat(value: string | undefined): InputFormat {
  const v = value ?? 'text';
  if (v !== 'text' && v !== 'json') throw new UsageError(`--input: expected text or json; got ${JSON.stringify(v)}`);
  return v;
}

function jsonInputFrame(value: unknown, line: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.base64 === 'string') return Buffer.from(o.base64, 'base64');
    if (typeof o.hex === 'string' && /^([0-9a-fA-F]{2})*$/.test(o.hex)) return Buffer.from(o.hex, 'hex');
  }
  throw new RuntimeError(`input is not a message: expected a JSON string, or an array of strings, {"base64": ...} or {"hex": ...} frames; got ${line.slice(0, 80)}`);
}

/** Parse one input line into frames. */
export function parseInputLine(line: string, format: InputFormat, separator: string | undefined): Buffer[] {
  if (format === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new RuntimeError(`input line is not JSON (--input json): ${line.slice(0, 80)}`);
    }
    const frames = Array.isArray(value) ? value : [value];
    if (frames.length === 0) throw new RuntimeError('input message has no frames: []');
    return frames.map((f) => jsonInputFrame(f, line));
  }
  if (separator === undefined || separator === '') return [Buffer.from(line, 'utf8')];
  return line.split(separator).map((f) => Buffer.from(f, 'utf8'));
}
