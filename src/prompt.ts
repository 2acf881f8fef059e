// Interactive prompts (@inquirer/prompts) bound to the context's streams; Ctrl-C becomes exit 130.
import type { Context } from './context.js';
import { CancelError, UsageError } from './errors.js';
import { importEsm } from './esm.js';

function promptContext(ctx: Context) {
  return { input: ctx.streams.stdin, output: ctx.streams.stdout, clearPromptOnDone: false };
}

async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError')) {
      throw new CancelError('cancelled at the prompt; nothing was sent or saved');
    }
    throw err;
  }
}

/** A value given by flag, else asked on a terminal; without one, exit 2 naming the flag. */
export async function givenOrAsked(ctx: Context, value: string | undefined, flag: string, question: () => Promise<string>): Promise<string> {
  if (value !== undefined && value !== '') return value;
  if (ctx.canPrompt) return question();
  throw missingValue(ctx, flag);
}

/** Exit 2 for a value that has no flag and cannot be asked for (no terminal, or --no-input). */
export function missingValue(ctx: Context, flag: string): UsageError {
  return new UsageError(`${flag.split(' ')[0]} is required`, `pass ${flag}${ctx.streams.stdin.isTTY ? ' (prompts are off: --no-input)' : ''}`);
}

/** A hidden entry: nothing of what is typed is echoed. */
export async function askSecret(ctx: Context, message: string, validate?: (v: string) => string | true): Promise<string> {
  const { password } = await importEsm<typeof import('@inquirer/prompts')>('@inquirer/prompts');
  return guarded(() => password({ message, ...(validate ? { validate } : {}) }, promptContext(ctx)));
}

export async function askText(
  ctx: Context,
  message: string,
  options: { default?: string; validate?: (v: string) => string | true } = {},
): Promise<string> {
  const { input } = await importEsm<typeof import('@inquirer/prompts')>('@inquirer/prompts');
  return guarded(() => input({ message, ...options }, promptContext(ctx)));
}

export async function askChoice<T extends string>(
  ctx: Context,
  message: string,
  choices: ReadonlyArray<{ value: T; name?: string; description?: string }>,
): Promise<T> {
  const { select } = await importEsm<typeof import('@inquirer/prompts')>('@inquirer/prompts');
  return guarded(() => select<T>({ message, choices: [...choices], pageSize: 16 }, promptContext(ctx)));
}

export async function askConfirm(ctx: Context, message: string, defaultValue = false): Promise<boolean> {
  const { confirm } = await importEsm<typeof import('@inquirer/prompts')>('@inquirer/prompts');
  return guarded(() => confirm({ message, default: defaultValue }, promptContext(ctx)));
}
