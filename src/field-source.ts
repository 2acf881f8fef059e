// Where sign/verify read their fields from: arguments, --file, or stdin; the format is detected.
import { readFileSync, statSync } from 'node:fs';
import type { Context } from './context.js';
import {
  decodeInputBytes,
  InputError,
  MAX_INPUT_BYTES,
  parseArguments,
  parseFieldText,
  type ParsedInput,
} from './core/input.js';
import { fileProblem, UsageError } from './errors.js';
import { readAllBounded } from './io.js';

export interface FieldSourceOptions {
  /** Positional arguments: `name=value` pairs, one text input, or `-` for stdin. */
  input: string[];
  file?: string;
}

/** One positional argument is a text to detect unless it is a lone literal name=value pair. */
function isLiteralPair(arg: string): boolean {
  return /^[^=&{[?\s]+=/.test(arg) && !arg.includes('&') && !/^params=/.test(arg) && !/^https?:\/\//i.test(arg);
}

async function readSource(ctx: Context, path: string): Promise<string> {
  if (path === '-') return decodeInputBytes(await readAllBounded(ctx.streams.stdin, 'stdin'), 'stdin');
  let bytes: Buffer;
  try {
    if (statSync(path).size > MAX_INPUT_BYTES) throw new InputError(`${path} is larger than 1 MiB: pass only the fields to sign`);
    bytes = readFileSync(path);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new UsageError(`cannot read ${path}: ${fileProblem(err)}`);
  }
  return decodeInputBytes(bytes, path);
}

/** How long an unasked-for read of stdin waits before it says what it is waiting for. */
const STDIN_NOTICE_MS = 2000;

/** Reads and parses the field set; every failure is a UsageError (exit 2) with one clear line. */
export async function readFields(ctx: Context, opts: FieldSourceOptions): Promise<ParsedInput> {
  try {
    if (opts.file !== undefined) {
      if (opts.input.length > 0) throw new UsageError('give the fields either as arguments or with --file, not both');
      return parseFieldText(await readSource(ctx, opts.file));
    }
    if (opts.input.length === 0) {
      if (ctx.streams.stdin.isTTY) {
        throw new UsageError('no fields given', 'pass name=value pairs, a JSON object, a query string or a URL; or - to read stdin');
      }
      // Read without being asked to (no argument, stdin not a terminal): if nothing comes, say what it waits
      // for, so a CI job whose stdin stays open shows why it stopped.
      const notice = setTimeout(
        () => ctx.warn('waiting for the fields on stdin: give them as arguments, or end the input (Ctrl-D)'),
        STDIN_NOTICE_MS,
      );
      notice.unref();
      try {
        return parseFieldText(await readSource(ctx, '-'));
      } finally {
        clearTimeout(notice);
      }
    }
    if (opts.input.length === 1) {
      const only = opts.input[0]!;
      if (only === '-') return parseFieldText(await readSource(ctx, '-'));
      if (!isLiteralPair(only)) return parseFieldText(only);
    }
    return { format: 'arguments', fields: parseArguments(opts.input) };
  } catch (err) {
    if (err instanceof InputError) throw new UsageError(err.message);
    throw err;
  }
}
