// main(argv) -> exit code: the one place where errors become exit codes and stderr lines.
import { CommanderError } from 'commander';
import type { Context, ContextBase } from './context.js';
import { CliError, ExitCode } from './errors.js';
import { processStreams } from './io.js';
import { buildProgram } from './program.js';

function errorLine(base: ContextBase, err: unknown, verbose: boolean, ctx?: Context): string {
  const redact = ctx?.redact ?? ((t: string) => t);
  const red = (t: string) => (ctx ? ctx.errColor.red(t) : t);
  if (err instanceof CliError) {
    const line = `${red('error:')} ${err.message}${err.hint ? `; ${err.hint}` : ''}`;
    return redact(verbose && err.stack ? `${line}\n${err.stack}` : line);
  }
  const message = err instanceof Error ? err.message : String(err);
  const detail = verbose && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  void base;
  return redact(`${red('error:')} unexpected failure: ${message}; run again with --verbose for details${detail}`);
}

export async function main(
  argv: string[],
  base: ContextBase = { streams: processStreams(), env: process.env },
): Promise<number> {
  let ctx: Context | undefined;
  const program = buildProgram(base, { onContext: (c) => (ctx = c) }, argv);
  const { stderr } = base.streams;
  const verbose = argv.includes('--verbose');
  // A failure outside the awaited chain (a stray stream error) still ends with one line, not a crash dump.
  const crash = (err: unknown) => {
    stderr.write(errorLine(base, err, verbose, ctx) + '\n');
    process.exit(ExitCode.GatewayFail);
  };
  if (base.streams.stdout === process.stdout) {
    process.on('uncaughtException', crash);
    process.on('unhandledRejection', crash);
    // `iotpay history | head -1`: a reader that stops early is not an error.
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(ExitCode.Ok);
      crash(err);
    });
  }
  try {
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
    stderr.write(errorLine(base, err, verbose, ctx) + '\n');
    return err instanceof CliError ? err.exitCode : ExitCode.GatewayFail;
  }
}
