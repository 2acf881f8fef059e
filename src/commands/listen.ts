// `iotpay listen`: receive notify calls, verify each sign, answer success/fail, optionally forward valid ones.
import type { Context } from '../context.js';
import { checkWebUrl } from '../config/settings.js';
import { otherProfileKeys, requireCredentials } from '../credentials.js';
import { UsageError } from '../errors.js';
import { notifyEventLine } from '../render/events.js';
import { count } from '../render/words.js';
import { startListener } from '../servers/listener.js';
import { untilSignal } from '../servers/signals.js';
import { describeListenError, parsePort } from './serve-options.js';

export interface ListenOptions {
  port?: string;
  host: string;
  forwardTo?: string;
  skipVerify?: boolean;
}

export async function runListen(opts: ListenOptions, ctx: Context): Promise<void> {
  ctx.streams.useAsyncStdout?.();
  const port = parsePort(opts.port, 4242);
  const forwardProblem = opts.forwardTo === undefined ? undefined : checkWebUrl(opts.forwardTo);
  if (forwardProblem) throw new UsageError(`--forward-to ${forwardProblem}`);
  if (opts.skipVerify && (opts.forwardTo === undefined || new URL(opts.forwardTo).protocol !== 'https:')) throw new UsageError('--skip-verify applies only to an https --forward-to');
  // Notifies from `iotpay mock` are its usual test traffic: the hint names the mock's sandbox key.
  const [key] = await requireCredentials(ctx, [['key', 'to verify notifies']], { local: true });
  // What arrived, said when the listener stops: the count a test session ends with.
  const tally = new Map<string, number>();
  let repeats = 0;
  let listener;
  try {
    listener = await startListener({
      key,
      otherKeys: await otherProfileKeys(ctx, key, 'run listen'),
      port,
      host: opts.host,
      ...(opts.forwardTo ? { forwardTo: opts.forwardTo } : {}),
      ...(opts.skipVerify ? { skipVerify: true } : {}),
      ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
      ...(ctx.verbose ? { exchanges: true } : {}),
      log: (e) => {
        tally.set(e.verdict, (tally.get(e.verdict) ?? 0) + 1);
        if (e.repeat) repeats++;
        ctx.out(notifyEventLine(ctx, e));
      },
    });
  } catch (err) {
    throw describeListenError(err, opts.host, port);
  }
  if (ctx.json) ctx.out(JSON.stringify({ event: 'listening', url: listener.url, notifyUrl: `${listener.url}/notify`, forwardTo: opts.forwardTo ?? null }));
  else {
    ctx.out(`${ctx.color.green('●')} listening for notifies on ${ctx.color.bold(listener.url)}${opts.forwardTo ? ` → forwarding valid ones to ${opts.forwardTo}${opts.skipVerify ? ' (its certificate not checked: --skip-verify)' : ''}` : ''}`);
    // What to give an order, as the mock's banner says what to point the CLI at; any path is taken.
    ctx.out(ctx.color.dim(`  give orders this notify URL: --notify-url ${listener.url}/notify (iotpay mock calls it; a gateway elsewhere needs a tunnel to it)`));
    ctx.out(ctx.color.dim('  answers "success" to verified notifies and "fail" to forged or malformed ones; Ctrl-C stops'));
  }
  await untilSignal();
  await listener.close();
  // --json: the same counts as the last line, for a script that checks what its run received.
  if (ctx.json) ctx.out(JSON.stringify({ event: 'stopped', verdicts: Object.fromEntries(tally), repeats }));
  else ctx.out(ctx.color.dim(`listener stopped${summary(tally, repeats)}`));
}

/** ` after 12 notifies: 10 verified (2 repeats), 2 forged`, or that none arrived. */
function summary(tally: Map<string, number>, repeats: number): string {
  const total = [...tally.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return ': no notify arrived';
  const parts = [...tally].map(([verdict, n]) => `${n} ${verdict}${verdict === 'verified' && repeats > 0 ? ` (${count(repeats, 'repeat')})` : ''}`);
  return ` after ${count(total, 'notify', 'notifies')}: ${parts.join(', ')}`;
}
