// Context: what every command gets — streams, global flags, settings, colour and output helpers.
import type { ChalkInstance } from 'chalk';
import type { Dispatcher } from 'undici';
import { Settings, type FlagValues } from './config/resolve.js';
import { ConfigStore } from './config/store.js';
import { redactKey } from './core/mask.js';
import { printable } from './core/printable.js';
import { colorLevel, isTerminal, loadChalkFor, makeChalk, type Streams } from './io.js';

/** Options every command accepts (declared on the root program). */
export interface GlobalOptions {
  json?: boolean;
  verbose?: boolean;
  color?: boolean;
  input?: boolean;
  profile?: string;
  mchId?: string;
  key?: string;
  jobNo?: string;
  baseUrl?: string;
  timeout?: string;
}

export interface Context {
  streams: Streams;
  env: NodeJS.ProcessEnv;
  json: boolean;
  verbose: boolean;
  /** stdout colours (level 0 when piped, NO_COLOR, --no-color or --json). */
  color: ChalkInstance;
  /** stderr colours. */
  errColor: ChalkInstance;
  settings: Settings;
  /** Prompts only when stdin and stdout are terminals and --no-input was not given. */
  canPrompt: boolean;
  now: () => Date;
  /** An HTTP dispatcher to use instead of one made from the settings (tests, the in-process sandbox). */
  dispatcher?: Dispatcher;
  /** True inside `--sandbox`: what is made there is sandbox data (history marks it). */
  sandbox?: boolean;
  /** Writes text to stdout, adding a newline; any registered secret is masked. */
  out: (text: string) => void;
  /** One JSON document on stdout. */
  printJson: (value: unknown) => void;
  /** A warning line on stderr. */
  warn: (text: string) => void;
  /** A diagnostic line on stderr, only with --verbose. */
  debug: (text: string) => void;
  /** Registers a secret: from now on it is masked in everything written. */
  addSecret: (secret: string) => void;
  /** Masks registered secrets in a text. */
  redact: (text: string) => string;
}

export interface ContextBase {
  streams: Streams;
  env: NodeJS.ProcessEnv;
  now?: () => Date;
  dispatcher?: Dispatcher;
}

function colorLevels(base: ContextBase, opts: GlobalOptions) {
  const noColor = opts.color === false || opts.json === true;
  return {
    out: noColor ? 0 : colorLevel({ isTTY: isTerminal(base.streams, 'stdout') }, base.env, false),
    err: colorLevel({ isTTY: isTerminal(base.streams, 'stderr') }, base.env, opts.color === false),
  } as const;
}

/** The context for one command run; loads chalk first only if some stream is coloured. */
export async function prepareContext(base: ContextBase, opts: GlobalOptions): Promise<Context> {
  const levels = colorLevels(base, opts);
  await loadChalkFor([levels.out, levels.err]);
  return createContext(base, opts);
}

export function createContext(base: ContextBase, opts: GlobalOptions): Context {
  const { streams, env } = base;
  const json = opts.json === true;
  const levels = colorLevels(base, opts);
  const secrets: string[] = [];
  const redact = (text: string): string => secrets.reduce((result, secret) => redactKey(result, secret), text);
  const write = (stream: NodeJS.WritableStream, text: string): void => {
    stream.write(redact(text) + '\n');
  };
  const errColor = makeChalk(levels.err);
  const flags: FlagValues = {
    mchId: opts.mchId,
    key: opts.key,
    jobNo: opts.jobNo,
    baseUrl: opts.baseUrl,
    timeout: opts.timeout,
  };
  const ctx: Context = {
    streams,
    env,
    json,
    verbose: opts.verbose === true,
    color: makeChalk(levels.out),
    errColor,
    settings: new Settings(
      flags,
      env,
      () => ConfigStore.open(env.IOTPAY_CONFIG_DIR || undefined, (line) => ctx.warn(line)),
      opts.profile,
    ),
    // A getter: looking at stdin creates it, which only prompting commands should pay for.
    get canPrompt() {
      return opts.input !== false && isTerminal(streams, 'stdin') && isTerminal(streams, 'stdout');
    },
    now: base.now ?? (() => new Date()),
    ...(base.dispatcher ? { dispatcher: base.dispatcher } : {}),
    out: (text) => write(streams.stdout, text),
    printJson: (value) => write(streams.stdout, JSON.stringify(value, null, 2)),
    warn: (text) => write(streams.stderr, `${errColor.yellow('warning:')} ${printable(text)}`),
    debug: (text) => {
      if (opts.verbose) write(streams.stderr, errColor.dim(text));
    },
    addSecret: (secret) => {
      if (secret.length >= 4 && !secrets.includes(secret)) secrets.push(secret);
    },
    redact,
  };
  if (env.IOTPAY_KEY) ctx.addSecret(env.IOTPAY_KEY);
  if (opts.key !== undefined) {
    ctx.addSecret(opts.key);
    ctx.warn('--key is visible to other users in the process list: prefer IOTPAY_KEY or `iotpay config set key`');
  }
  return ctx;
}
