// Interactive prompts (@inquirer/prompts) bound to the context's streams; Ctrl-C becomes exit 130.
import type { Context } from './context.js';
import { CancelError } from './errors.js';
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
