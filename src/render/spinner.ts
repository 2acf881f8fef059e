// A one-line progress indicator on stderr, shown only when stderr is a terminal.
import type { Context } from '../context.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Spinner {
  update: (text: string) => void;
  stop: () => void;
}

export function startSpinner(ctx: Context, text: string): Spinner {
  const stream = ctx.streams.stderr;
  if (!stream.isTTY || ctx.json) return { update: () => {}, stop: () => {} };
  let frame = 0;
  let current = text;
  // A line wider than the terminal wraps, and \r then clears only its last row: each redraw would leave one behind.
  // A terminal that reports no size (0 columns: some editors' shells, `script` without stty) is taken as 80 wide.
  const fit = (t: string) => {
    const room = ((stream as { columns?: number }).columns || 80) - 3;
    return t.length <= room ? t : `${t.slice(0, Math.max(0, room - 1))}…`;
  };
  const draw = () => stream.write(`\r\x1b[2K${ctx.errColor.cyan(FRAMES[frame++ % FRAMES.length]!)} ${fit(current)}`);
  draw();
  const timer = setInterval(draw, 100);
  timer.unref();
  return {
    update: (t) => {
      current = t;
      draw();
    },
    stop: () => {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
