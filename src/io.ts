// The process streams behind an injectable interface: TTY detection, colour decision, bounded stdin reads.
import { fstatSync, writeSync } from 'node:fs';
import type { ChalkInstance } from 'chalk';
import { InputError, MAX_INPUT_BYTES } from './core/input.js';
import { importEsm } from './esm.js';

export interface Streams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Whether a stream is a terminal, without creating it (the process streams are made on first use). */
  isTTY?: (name: 'stdin' | 'stdout' | 'stderr') => boolean;
  /** For long-running servers: stdout becomes the asynchronous process.stdout, so a slow reader never stalls them. */
  useAsyncStdout?: () => void;
}

const FD = { stdin: 0, stdout: 1, stderr: 2 } as const;

export function isTerminal(streams: Streams, name: 'stdin' | 'stdout' | 'stderr'): boolean {
  return streams.isTTY ? streams.isTTY(name) : streams[name].isTTY === true;
}

/**
 * isatty without loading node:tty (and net) when the answer is plainly no: a pipe,
 * file or socket is not a character device. Only character devices need the real check.
 */
function isattyFd(fd: number): boolean {
  try {
    if (!fstatSync(fd).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return process.getBuiltinModule('node:tty').isatty(fd);
}

/**
 * stdout when it is a pipe, file or socket: synchronous writes to fd 1, so a run never
 * creates a net.Socket for its one line of output (~2.5 ms of every `sign`). A reader that
 * has gone (EPIPE) ends the run quietly; a non-blocking descriptor (EAGAIN) hands the rest
 * to process.stdout. Terminals and anything else get process.stdout itself.
 */
function plainStdout(): NodeJS.WritableStream {
  let stream: NodeJS.WritableStream | undefined;
  const writer = {
    isTTY: false,
    write(chunk: string | Uint8Array): boolean {
      if (stream) return stream.write(chunk);
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      let offset = 0;
      try {
        while (offset < bytes.length) offset += writeSync(1, bytes, offset);
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EPIPE') process.exit(0);
        if (code !== 'EAGAIN') throw err;
        stream = process.stdout;
        return stream.write(bytes.subarray(offset));
      }
    },
    on: () => writer,
    once: () => writer,
    removeListener: () => writer,
  };
  return writer as unknown as NodeJS.WritableStream;
}

function stdoutFor(): NodeJS.WritableStream & { isTTY?: boolean } {
  try {
    const stat = fstatSync(1);
    if (stat.isFIFO() || stat.isFile() || stat.isSocket()) return plainStdout();
  } catch {
    // fall through to process.stdout
  }
  return process.stdout;
}

/** The process's streams, each created on first use (stdin alone cost ~2 ms at every start). */
export function processStreams(): Streams {
  let stdout: (NodeJS.WritableStream & { isTTY?: boolean }) | undefined;
  return {
    useAsyncStdout: () => {
      stdout = process.stdout;
      // `iotpay mock | head`: a reader that goes away ends the server quietly.
      process.stdout.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'EPIPE') process.exit(0);
      });
    },
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      stdout ??= stdoutFor();
      return stdout;
    },
    get stderr() {
      return process.stderr;
    },
    isTTY: (name) => isattyFd(FD[name]),
  };
}

/**
 * Colour for one stream: off for --no-color, NO_COLOR, TERM=dumb or a non-TTY;
 * FORCE_COLOR=0 turns it off and FORCE_COLOR=1..3 turns it on, as chalk documents.
 */
export function colorLevel(
  stream: { isTTY?: boolean },
  env: NodeJS.ProcessEnv,
  noColorFlag: boolean,
): 0 | 1 | 2 | 3 {
  if (noColorFlag) return 0;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') {
    if (force === '0' || force === 'false') return 0;
    const n = Number(force);
    return n === 2 || n === 3 ? n : 1;
  }
  if (!stream.isTTY || env.TERM === 'dumb') return 0;
  if (env.COLORTERM === 'truecolor' || env.COLORTERM === '24bit') return 3;
  return /256/.test(env.TERM ?? '') ? 2 : 1;
}

let chalkModule: typeof import('chalk') | undefined;

/** Loads chalk only when some stream gets colour: piped and NO_COLOR runs never pay for it. */
export async function loadChalkFor(levels: number[]): Promise<void> {
  if (levels.some((level) => level > 0)) chalkModule ??= await importEsm<typeof import('chalk')>('chalk');
}

// With colour off every style is the identity, so a stand-in serves without loading chalk.
const plainChalk: ChalkInstance = new Proxy(function plain() {}, {
  get: (_target, prop) => (prop === 'level' ? 0 : plainChalk),
  apply: (_target, _this, args: unknown[]) => args.join(' '),
}) as unknown as ChalkInstance;

/** A chalk instance at this level; call loadChalkFor first when the level may be above 0. */
export function makeChalk(level: 0 | 1 | 2 | 3): ChalkInstance {
  return level === 0 || !chalkModule ? plainChalk : new chalkModule.Chalk({ level });
}

/** Reads all of stdin, refusing more than `limit` bytes without waiting for the rest. */
export async function readAllBounded(
  stream: NodeJS.ReadableStream,
  source: string,
  limit = MAX_INPUT_BYTES,
): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buf.length;
    if (size > limit) {
      if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
      throw new InputError(`${source} is larger than ${limit >= 1048576 ? `${limit / 1048576} MiB` : `${limit} bytes`}`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}
