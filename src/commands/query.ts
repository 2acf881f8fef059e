// `iotpay query`: an order's status by mchOrderNo or payOrderId, optionally waiting until it is paid or cancelled.
import type { Context } from '../context.js';
import { durationHint } from '../config/settings.js';
import { namingKeyOverride, requireCredentials } from '../credentials.js';
import { hintFromHistory, refundedHere } from '../history.js';
import { CliError, UsageError } from '../errors.js';
import { formatMoney } from '../core/money.js';
import { queryOrder } from '../core/response.js';
import { openGateway, type GatewayClient } from '../gateway/client.js';
import { lastAnswer, queryAnswer, unpaidError, waitFields, waitForFinal, type OrderRef, type QueryResult } from '../gateway/query.js';
import { renderQuery, signatureLine } from '../render/payment.js';
import { startSpinner } from '../render/spinner.js';

export interface QueryOptions {
  mchOrderNo?: string;
  payOrderId?: string;
  wait: boolean;
  waitTimeout?: string;
  caFile?: string;
  sandbox?: boolean;
}

/** The order the flags name; undefined when they name none (it is then asked for, or refused without a terminal). */
function orderRef(opts: { mchOrderNo?: string; payOrderId?: string }): OrderRef | undefined {
  if (opts.mchOrderNo && opts.payOrderId) throw new UsageError('give --mch-order-no or --pay-order-id, not both');
  if (opts.payOrderId) return { payOrderId: opts.payOrderId };
  if (opts.mchOrderNo) return { mchOrderNo: opts.mchOrderNo };
  return undefined;
}

function jsonDocument(result: QueryResult): Record<string, unknown> {
  return { response: result.response, signature: result.signature, ...waitFields(result) };
}

/** --wait: polls until paid or cancelled, with a spinner line on a terminal's stderr. */
export async function waitForPayment(
  ctx: Context,
  client: GatewayClient,
  mchId: string,
  key: string,
  ref: OrderRef,
  timeoutSeconds: number,
): Promise<QueryResult> {
  const spinner = startSpinner(ctx, 'waiting for payment…');
  try {
    return await waitForFinal(ctx, client, mchId, key, ref, {
      timeoutSeconds,
      onPoll: (r, ms) => spinner.update(`waiting for payment… ${r?.statusText ?? 'no answer yet'} (${Math.round(ms / 1000)} s)`),
    });
  } finally {
    spinner.stop();
  }
}

/** parseWaitTimeout for the run that uses it: a timeout given where nothing waits is said to do nothing. */
export function waitTimeout(ctx: Context, text: string | undefined, waits: boolean): number {
  const seconds = parseWaitTimeout(text);
  if (text !== undefined && !waits) ctx.warn('--wait-timeout does nothing without --wait');
  return seconds;
}

export function parseWaitTimeout(text: string | undefined): number {
  if (text === undefined) return 300;
  if (!/^\d{1,6}$/.test(text) || Number(text) === 0) throw new UsageError(`--wait-timeout must be a whole number of seconds from 1 to 999999, got "${text}"${durationHint(text, 's', 999_999)}`);
  return Number(text);
}

/**
 * Without a terminal the order comes from the flags: a missing one is exit 2 naming the last order this machine
 * created on the gateway in use (`iotpay query --json | jq …` has no terminal to pick one on).
 */
async function givenOrder(opts: QueryOptions, ctx: Context): Promise<OrderRef> {
  const ref = orderRef(opts);
  if (ref) return ref;
  const { latestOrder } = await import('../order-picker.js');
  const last = await latestOrder(ctx, 'mchOrderNo');
  throw new UsageError(
    'which order? pass --mch-order-no <no> or --pay-order-id <id>',
    last === undefined ? undefined : `the last ${ctx.sandbox ? 'sandbox order' : 'order'} this machine created: --mch-order-no ${last}`,
  );
}

export async function runQuery(opts: QueryOptions, ctx: Context): Promise<void> {
  if (!opts.sandbox) return showOrder(opts, ctx);
  // The flags' own errors before the sandbox's servers start.
  if (!ctx.canPrompt) await givenOrder(opts, { ...ctx, sandbox: true });
  parseWaitTimeout(opts.waitTimeout);
  const { withSandbox } = await import('../sandbox.js');
  await withSandbox(ctx, (sandbox) => showOrder(opts, sandbox.ctx));
}

async function waitedAnswer(
  ctx: Context,
  client: GatewayClient,
  mchId: string,
  key: string,
  ref: OrderRef,
  timeoutSeconds: number,
): Promise<{ result: QueryResult; problem?: CliError }> {
  try {
    return { result: await waitForPayment(ctx, client, mchId, key, ref, timeoutSeconds) };
  } catch (err) {
    const last = lastAnswer(err);
    if (last && err instanceof CliError) return { result: last, problem: err };
    throw err;
  }
}

/** The order to query on a terminal: from the flags, or picked from the recent ones, or typed. */
async function chosenOrder(opts: QueryOptions, ctx: Context): Promise<OrderRef> {
  const ref = orderRef(opts);
  if (ref) return ref;
  const { pickOrder } = await import('../order-picker.js');
  return { mchOrderNo: await pickOrder(ctx, 'mchOrderNo') };
}

async function showOrder(opts: QueryOptions, ctx: Context): Promise<void> {
  // Without a terminal the order comes from the flags (a missing or doubled one is exit 2 before anything else);
  // on one, a missing order is asked for once the credentials are known to be there.
  const given = ctx.canPrompt ? undefined : await givenOrder(opts, ctx);
  const timeoutSeconds = waitTimeout(ctx, opts.waitTimeout, opts.wait);
  const [mchId, key] = await requireCredentials(ctx, [
    ['mchId', 'to query an order'],
    ['key', 'to sign the query'],
  ]).catch(async (err: unknown) => {
    // Credentials missing for an order only the sandbox knows: --sandbox is what is missing.
    throw given ? await hintFromHistory(ctx, err, given) : err;
  });
  const ref = given ?? (await chosenOrder(opts, ctx));
  const client = await openGateway(ctx, opts.caFile ? { caFile: opts.caFile } : {});
  try {
    // An answer that is FAIL or forged still gives --json its document (as create does), then its exit code;
    // so does a wait stopped by Ctrl-C or SIGTERM, with the last answer it had.
    const { result, problem } = opts.wait ? await waitedAnswer(ctx, client, mchId, key, ref, timeoutSeconds) : await queryAnswer(client, mchId, key, ref);
    if (ctx.json) ctx.printJson(jsonDocument(result));
    if (problem) throw await hintFromHistory(ctx, await namingKeyOverride(ctx, problem), ref);
    if (!ctx.json) {
      renderQuery(ctx, result.response, result.statusText, result.paid);
      // The gateway's answer says nothing of refunds; this machine's history knows the ones made from here.
      const order = queryOrder(result.response);
      const payOrderId = typeof order.payOrderId === 'string' ? order.payOrderId : undefined;
      const refunded = result.paid && payOrderId ? await refundedHere(ctx, client.baseUrl, payOrderId) : 0;
      if (refunded > 0) ctx.out(`  ${'refunded'.padEnd(16)}${formatMoney(refunded, typeof order.currency === 'string' ? order.currency : '')} ${ctx.color.dim('(from this machine, by its history)')}`);
      ctx.out(`  ${signatureLine(ctx, result.signature)}`);
    }
    if (opts.wait && !result.paid) throw unpaidError(result, ref, timeoutSeconds, ctx.sandbox);
  } finally {
    await client.close();
  }
}
