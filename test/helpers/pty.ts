// Runs the built binary on a real pseudo-terminal (util-linux `script`), to test prompts and TTY output.
import { spawn } from 'node:child_process';
import { BIN, baseEnv } from './cli.js';

export interface PtySession {
  /** Everything the terminal showed so far (ANSI included). */
  output: () => string;
  /** Waits until the output matches, or fails after the deadline. */
  waitFor: (pattern: RegExp | string, timeoutMs?: number) => Promise<void>;
  /** Types into the terminal. */
  write: (text: string) => void;
  /** Resolves with the exit code once the program has ended. */
  exited: Promise<number | null>;
  kill: () => void;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function runOnPty(args: string[], env: Record<string, string | undefined> = {}, size = { cols: 120, rows: 60 }): PtySession {
  const command = [process.execPath, BIN, ...args].map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', `stty cols ${size.cols} rows ${size.rows} 2>/dev/null; exec ${command}`, '/dev/null'], {
    env: baseEnv({ TERM: 'xterm-256color', ...env }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (text += d.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    output: () => text,
    write: (s) => child.stdin.write(s),
    kill: () => child.kill('SIGKILL'),
    exited,
    waitFor: async (pattern, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      const matches = () => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
      while (!matches()) {
        if (Date.now() > deadline) throw new Error(`terminal never showed ${String(pattern)}; it showed:\n${text}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
