// Long-running iotpay processes (mock, listen) for tests: read their lines, wait for one, stop them with a signal.
import { spawn, type ChildProcess } from 'node:child_process';
import { BIN, baseEnv } from './cli.js';

export interface Running {
  child: ChildProcess;
  lines: () => string[];
  stderr: () => string;
  /** Waits for a stdout line matching, parsing it as JSON when `json` is set. */
  waitForLine: (match: (line: string) => boolean, timeoutMs?: number) => Promise<string>;
  /** Sends the signal and resolves with the exit code (null when killed). */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Kills whatever a failed test left behind. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export function startIotpay(args: string[], env: Record<string, string | undefined>): Running {
  const child = spawn(process.execPath, [BIN, ...args], { env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const out: string[] = [];
  let partial = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    partial += d.toString('utf8');
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    out.push(...parts);
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    lines: () => out,
    stderr: () => err,
    waitForLine: async (match, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = out.find(match);
        if (found !== undefined) return found;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no matching line from iotpay ${args.join(' ')}; stdout:\n${out.join('\n')}\nstderr:\n${err}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Parses JSON lines, skipping anything else. */
export function jsonLines(lines: string[]): Array<Record<string, unknown>> {
  return lines.flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}
