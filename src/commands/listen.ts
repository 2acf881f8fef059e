// `iotpay listen`: receive notify calls, verify each sign, answer success/fail, optionally forward valid ones.
import type { Context } from '../context.js';
import { requireCredentials } from '../credentials.js';
import { UsageError } from '../errors.js';
import { notifyEventLine } from '../render/events.js';
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
  if (opts.forwardTo !== undefined) {
    let ok = false;
    try {
      const u = new URL(opts.forwardTo);
      ok = u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`--forward-to must be an http(s) URL, got "${opts.forwardTo}"`);
  }
  if (opts.skipVerify && (opts.forwardTo === undefined || new URL(opts.forwardTo).protocol !== 'https:')) throw new UsageError('--skip-verify applies only to an https --forward-to');
  // Notifies from `iotpay mock` are its usual test traffic: the hint names the mock's sandbox key.
  const [key] = await requireCredentials(ctx, [['key', 'to verify notifies']], { local: true });
  let listener;
  try {
    listener = await startListener({
      key,
      port,
      host: opts.host,
      ...(opts.forwardTo ? { forwardTo: opts.forwardTo } : {}),
      ...(opts.skipVerify ? { skipVerify: true } : {}),
      ...(ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {}),
      log: (e) => ctx.out(notifyEventLine(ctx, e)),
    });
  } catch (err) {
    throw describeListenError(err, opts.host, port);
  }
  if (ctx.json) ctx.out(JSON.stringify({ event: 'listening', url: listener.url, forwardTo: opts.forwardTo ?? null }));
  else {
    ctx.out(`${ctx.color.green('●')} listening for notifies on ${ctx.color.bold(listener.url)}${opts.forwardTo ? ` → forwarding valid ones to ${opts.forwardTo}` : ''}`);
    ctx.out(ctx.color.dim('  answers "success" to verified notifies and "fail" to forged or malformed ones; Ctrl-C stops'));
  }
  await untilSignal();
  await listener.close();
  if (!ctx.json) ctx.out(ctx.color.dim('listener stopped'));
}
