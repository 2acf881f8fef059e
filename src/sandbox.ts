// --sandbox: an in-process mock gateway and notify listener with sandbox credentials; no account, no network.
import path from 'node:path';
import { Settings } from './config/resolve.js';
import type { Context } from './context.js';
import { notifyEventLine } from './render/events.js';
import { startListener, type NotifyEvent } from './servers/listener.js';
import { SANDBOX, startMock } from './servers/mock.js';

export interface Sandbox {
  /** The context commands run with: sandbox credentials, nothing from env or flags. */
  ctx: Context;
  baseUrl: string;
  notifyUrl: string;
  /** Where a redirect channel's checkout sends the browser back: the mock's own page, its orders and their status. */
  returnUrl: string;
  /** Resolves when a verified notify for this payOrderId arrived, or after `timeoutMs`. */
  notifyArrived: (mchOrderNo: string, timeoutMs: number) => Promise<boolean>;
  close: () => Promise<void>;
}

/** How long after it is created a sandbox order pays itself. */
const SANDBOX_PAY_SECONDS = 3;

/** Runs `fn` with a sandbox open (create, query and refund --sandbox), closing it whatever happens. */
export async function withSandbox<T>(ctx: Context, fn: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await openSandbox(ctx, SANDBOX_PAY_SECONDS);
  try {
    return await fn(sandbox);
  } finally {
    await sandbox.close();
  }
}

/** Starts both servers on free loopback ports. Orders persist in the config folder, so a later `query --sandbox` finds them. */
export async function openSandbox(ctx: Context, autoPaySeconds: number): Promise<Sandbox> {
  const store = await ctx.settings.configStore();
  // Sandbox orders are kept for a later `query --sandbox`; where the config folder cannot be made, for this run only.
  let stateFile: string | undefined = path.join(store.dir, 'sandbox-orders.json');
  try {
    store.ensureFolder();
  } catch (err) {
    ctx.warn(`sandbox orders are kept for this run only: ${err instanceof Error ? err.message : String(err)}`);
    stateFile = undefined;
  }
  const received: NotifyEvent[] = [];
  const listener = await startListener({
    key: SANDBOX.key,
    port: 0,
    log: (e) => {
      received.push(e);
      const line = notifyEventLine(ctx, e);
      if (ctx.json) ctx.streams.stderr.write(`${line}\n`);
      else ctx.out(`${ctx.color.dim('notify')}  ${line}`);
    },
  });
  const mock = await startMock({
    mchId: SANDBOX.mchId,
    key: SANDBOX.key,
    port: 0,
    autoPaySeconds,
    retryDelayMs: 200,
    ...(stateFile ? { stateFile } : {}),
  });
  const settings = new Settings(
    { mchId: SANDBOX.mchId, key: SANDBOX.key, jobNo: SANDBOX.jobNo, baseUrl: mock.baseUrl },
    {},
    () => ctx.settings.configStore(),
    undefined,
    '--sandbox',
  );
  const sandboxCtx: Context = { ...ctx, settings, sandbox: true };
  if (!ctx.json) ctx.streams.stderr.write(ctx.errColor.dim(`sandbox: mock gateway ${mock.baseUrl}, notify listener ${listener.url} (mchId ${SANDBOX.mchId})\n`));
  return {
    ctx: sandboxCtx,
    baseUrl: mock.baseUrl,
    notifyUrl: `${listener.url}/notify`,
    returnUrl: `${new URL(mock.baseUrl).origin}/`,
    notifyArrived: async (mchOrderNo, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (received.some((e) => e.mchOrderNo === mchOrderNo && e.verdict === 'verified')) return true;
        await new Promise((r) => setTimeout(r, 25));
      }
      return false;
    },
    close: async () => {
      await mock.close();
      await listener.close();
    },
  };
}
