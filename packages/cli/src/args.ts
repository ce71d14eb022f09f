/**
 * Argument parsing on `node:util`'s `parseArgs`: strict (unknown options are usage errors),
 * plus what parseArgs does not do — endpoints given after `--bind`/`--connect` as extra
 * positionals (`--bind ep1 ep2`), numbers, and option groups shared by several commands.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

/** The option table of one command. */
export type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every socket command takes: where, and how to secure the connection. */
export const ENDPOINT_OPTIONS = {
  bind: { type: 'string', short: 'b', multiple: true },
  connect: { type: 'string', short: 'c', multiple: true },
  'routing-id': { type: 'string' },
  linger: { type: 'string' },
  'curve-server': { type: 'boolean' },
  'curve-secret-key': { type: 'string' },
  'curve-public-key': { type: 'string' },
  'curve-server-key': { type: 'string' },
  'plain-server': { type: 'boolean' },
  'plain-user': { type: 'string' },
  'plain-password': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/** One endpoint to bind or connect, in command-line order. */
export interface EndpointArg {
  mode: 'bind' | 'connect';
  address: string;
}

/** Parsed options: strings, booleans and string lists, by long name. */
export type Values = Record<string, string | boolean | Array<string | boolean> | undefined>;

/** The result of {@link parse}. */
export interface Parsed {
  values: Values;
  /** Positionals not taken as endpoints. */
  positionals: string[];
  /** `--bind`/`--connect` endpoints in order, with positionals that follow one of them. */
  endpoints: EndpointArg[];
}

/**
 * Parse `args` against `options`. With `endpointPositionals`, a positional that follows a
 * `--bind`/`--connect` (or an endpoint taken so) is one more endpoint of the same mode.
 */
export function parse(args: string[], options: Options, endpointPositionals = true): Parsed {
  let result;
  try {
    result = parseArgs({ args: attachValues(args, options), options, allowPositionals: true, strict: true, tokens: true });
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const endpoints: EndpointArg[] = [];
  const positionals: string[] = [];
  let mode: 'bind' | 'connect' | undefined;
  for (const token of result.tokens ?? []) {
    if (token.kind === 'option') {
      if ((token.name === 'bind' || token.name === 'connect') && token.value !== undefined) {
        mode = token.name;
        endpoints.push({ mode, address: token.value });
      } else mode = undefined;
    } else if (token.kind === 'positional') {
      if (endpointPositionals && mode !== undefined) endpoints.push({ mode, address: token.value });
      else positionals.push(token.value);
    } else mode = undefined; // `--`
  }
  return { values: result.values as Values, positionals, endpoints };
}

/**
 * An option that takes a value takes the next argument whatever it looks like, as getopt
 * does: Z85 keys and messages may start with `-` (parseArgs alone refuses `--curve-secret-key
 * -6/o5...` as ambiguous). Rewritten as `--name=value` / `-xvalue` before parsing.
 */
function attachValues(args: readonly string[], options: Options): string[] {
  const shorts = new Map<string, string>();
  for (const [name, o] of Object.entries(options)) if (o.short !== undefined) shorts.set(o.short, name);
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : /^-[^-]$/.test(a) ? shorts.get(a.slice(1)) : undefined;
    const next = args[i + 1];
    if (name !== undefined && options[name]?.type === 'string' && next !== undefined && next.startsWith('-')) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** A string option, or undefined. */
export function str(values: Values, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A repeatable string option (empty when absent). */
export function list(values: Values, name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

/** A boolean flag. */
export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

/** A non-negative integer option (`min` 0 unless given), or `fallback`. */
export function int(values: Values, name: string, fallback: number, min?: number): number;
export function int(values: Values, name: string, fallback: undefined, min?: number): number | undefined;
export function int(values: Values, name: string, fallback: number | undefined, min = 0): number | undefined {
  const v = str(values, name);
  if (v === undefined) return fallback;
  if (!/^\d+$/.test(v.trim())) throw new UsageError(`--${name}: expected a whole number; got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new UsageError(`--${name}: expected a whole number ≥ ${min}; got ${v}`);
  return n;
}

/** Usage error unless no positionals are left over. */
export function noPositionals(parsed: Parsed, command: string): void {
  if (parsed.positionals.length > 0) throw new UsageError(`${command}: unexpected argument ${JSON.stringify(parsed.positionals[0])}`);
}
