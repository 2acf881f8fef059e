// main(argv) -> exit code: the one place where errors become exit codes and stderr lines.
import { CommanderError } from 'commander';
import type { Context, ContextBase } from './context.js';
import { printable } from './core/printable.js';
import { CliError, ExitCode } from './errors.js';
import { processStreams } from './io.js';
import { buildProgram, commandsToBuild } from './program.js';
import { VERSION } from './version.js';

export { useImporter } from './esm.js';

function errorLine(err: unknown, verbose: boolean, ctx?: Context): string {
  const redact = ctx?.redact ?? ((t: string) => t);
  const red = (t: string) => (ctx ? ctx.errColor.red(t) : t);
  if (err instanceof CliError) {
    // One line whatever the gateway or a server put in the message (a retMsg with a line break or an escape).
    const line = `${red('error:')} ${printable(err.message)}${err.hint ? `; ${printable(err.hint)}` : ''}`;
    return redact(verbose && err.stack ? `${line}\n${err.stack}` : line);
  }
  const message = err instanceof Error ? err.message : String(err);
  const detail = verbose && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  return redact(`${red('error:')} unexpected failure: ${printable(message)}; run again with --verbose for details${detail}`);
}

export async function main(argv: string[], given?: ContextBase): Promise<number> {
  const usesProcessStreams = given === undefined;
  const base: ContextBase = given ?? { streams: processStreams(), env: process.env };
  let ctx: Context | undefined;
  const program = buildProgram(base, { onContext: (c) => (ctx = c) }, argv);
  // Looked up when needed: the process's stderr is created on first use.
  const fail = (err: unknown) => base.streams.stderr.write(errorLine(err, verbose, ctx) + '\n');
  const verbose = argv.includes('--verbose');
  // A failure outside the awaited chain (a stray stream error) still ends with one line, not a crash dump.
  const crash = (err: unknown) => {
    fail(err);
    process.exit(ExitCode.GatewayFail);
  };
  if (usesProcessStreams) {
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
    // Ctrl-C where no step of the command handles it (a plain query, doctor, a sign reading stdin): the contract's
    // 130 and one line, not death by the signal (which a parent process sees as no exit code at all). Where a step
    // does listen (a request out, a wait, a server, a prompt), that step ends the command and says what it means.
    process.on('SIGINT', () => {
      if (process.listenerCount('SIGINT') > 1) return;
      base.streams.stderr.write(`${ctx ? ctx.errColor.red('error:') : 'error:'} interrupted\n`);
      process.exit(ExitCode.Interrupted);
    });
  }
  try {
    // `--version --json` with no command: one JSON document, as --json promises (commander prints the bare version).
    const command = commandsToBuild(argv);
    if (command !== 'all' && command.size === 0 && argv.includes('--json') && (argv.includes('--version') || argv.includes('-V'))) {
      base.streams.stdout.write(`${JSON.stringify({ version: VERSION }, null, 2)}\n`);
      return ExitCode.Ok;
    }
    if (argv.length === 0) {
      // Bare `iotpay`: the overview, as `gh` and `stripe` do, and success.
      program.outputHelp();
      return ExitCode.Ok;
    }
    await program.parseAsync(argv, { from: 'user' });
    return ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed help, the version, or its one-line usage error.
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    fail(err);
    return err instanceof CliError ? err.exitCode : ExitCode.GatewayFail;
  }
}
