// `iotpay refund`: give money back on a paid order, after checking the amount and asking for confirmation.
import type { Context } from '../context.js';
import { clientIpProblem } from '../core/client-ip.js';
import { formatMoney, parseCents } from '../core/money.js';
import { buildRefundParams, generateOrderNo } from '../core/order.js';
import { otherOrder, outcome, queryOrder } from '../core/response.js';
import { withSign } from '../core/sign.js';
import { isPaid, statusText } from '../core/status.js';
import { namingKeyOverride, optionalSetting, requireCredentials } from '../credentials.js';
import { CancelError, CliError, SignatureError, TransportError, UsageError } from '../errors.js';
import { openGateway } from '../gateway/client.js';
import { foreignAnswer, gatewayFailure } from '../gateway/failure.js';
import { queryOnce } from '../gateway/query.js';
import { callAndRecord, hintFromHistory, refundedHere } from '../history.js';
import { askConfirm, askText, givenOrAsked, missingValue } from '../prompt.js';

export interface RefundOptions {
  payOrderId?: string;
  amount?: string;
  mchRefundNo?: string;
  currency?: string;
  clientIp?: string;
  device?: string;
  yes: boolean;
  check: boolean;
  caFile?: string;
  sandbox?: boolean;
}

function refundCents(text: string): number {
  const parsed = parseCents(text, 'refund amount');
  if (!parsed.ok) throw new UsageError(parsed.message);
  return parsed.cents;
}

/** What the check found: the paid amount, and what this machine's history says was refunded of it already. */
interface Paid {
  cents: number;
  refundedHere: number;
}

/** "9.00 CAD paid, 2.50 CAD of it refunded from this machine", or just the paid amount. */
function paidWords(paid: Paid, currency: string): string {
  return `${formatMoney(paid.cents, currency)} paid${paid.refundedHere > 0 ? `, ${formatMoney(paid.refundedHere, currency)} of it refunded from this machine` : ''}`;
}

/** The amount, asked on a terminal: what remains is the default, and more is refused there. */
async function askRefundAmount(ctx: Context, paid: Paid | undefined, currency: string): Promise<number> {
  const left = paid === undefined ? undefined : paid.cents - paid.refundedHere;
  const text = await askText(ctx, `Refund amount in cents${paid === undefined ? '' : ` (${paidWords(paid, currency)})`}`, {
    ...(left === undefined ? {} : { default: String(left) }),
    validate: (v) => {
      const parsed = parseCents(v, 'refund amount');
      if (!parsed.ok) return parsed.message;
      return left === undefined || parsed.cents <= left || `more than the ${formatMoney(left, currency)} that remains`;
    },
  });
  return refundCents(text);
}

export async function runRefund(opts: RefundOptions, ctx: Context): Promise<void> {
  if (!opts.sandbox) return refundOrder(opts, ctx);
  checkUsage(opts, ctx); // before the sandbox's servers start
  const { withSandbox } = await import('../sandbox.js');
  await withSandbox(ctx, (sandbox) => refundOrder(opts, sandbox.ctx));
}

/**
 * The flags' own errors, exit 2 before anything else: missing values are asked on a terminal, after the
 * credentials are known to be there (the order, then the amount once the check has said what was paid);
 * without one they are errors here. Returns the amount given, in cents.
 */
function checkUsage(opts: RefundOptions, ctx: Context): number | undefined {
  if (!opts.payOrderId && !ctx.canPrompt) throw missingValue(ctx, '--pay-order-id <id>');
  if (opts.amount === undefined && !ctx.canPrompt) throw missingValue(ctx, '--amount <cents>');
  const refundAmount = opts.amount === undefined ? undefined : refundCents(opts.amount);
  if (opts.mchRefundNo !== undefined && (opts.mchRefundNo === '' || opts.mchRefundNo.length > 30)) {
    throw new UsageError('--mch-refund-no must be 1 to 30 characters');
  }
  // Money moves: decide about confirmation before anything is sent.
  if (!opts.yes && !ctx.canPrompt) {
    throw new UsageError('refund moves money and needs confirmation', 'pass --yes to confirm without a terminal');
  }
  return refundAmount;
}

async function refundOrder(opts: RefundOptions, ctx: Context): Promise<void> {
  let refundAmount = checkUsage(opts, ctx);
  const [mchId, key, loginName] = await requireCredentials(ctx, [
    ['mchId', 'to refund'],
    ['key', 'to sign the refund'],
    ['jobNo', 'by refund_order (loginName, the merchant login name)'],
  ]).catch(async (err: unknown) => {
    // Credentials missing for an order only the sandbox knows: --sandbox is what is missing.
    throw opts.payOrderId ? await hintFromHistory(ctx, err, { payOrderId: opts.payOrderId }) : err;
  });
  // On a terminal: picked from the orders this machine created on this gateway, or typed.
  const payOrderId = await givenOrAsked(ctx, opts.payOrderId, '--pay-order-id <id>', async () => (await import('../order-picker.js')).pickOrder(ctx, 'payOrderId'));
  const client = await openGateway(ctx, opts.caFile ? { caFile: opts.caFile } : {});
  try {
    let currency = opts.currency ?? (await optionalSetting(ctx, 'currency'));
    /** What the order was paid, from the check, and refunded from this machine already. */
    let paid: Paid | undefined;
    if (opts.check) {
      // The check's own failure (unknown order, transport, forged answer) keeps its exit code and says no refund was sent.
      const checked = await queryOnce(client, mchId, key, { payOrderId }).catch(async (failure: unknown) => {
        const err = await hintFromHistory(ctx, failure, { payOrderId });
        if (!(err instanceof CliError)) throw err;
        throw new CliError(`checking order ${payOrderId} before the refund: ${err.message}; no refund was sent`, err.exitCode, err.hint);
      });
      const order = queryOrder(checked.response);
      const status = typeof order.status === 'number' ? order.status : Number(order.status);
      if (!isPaid(status)) throw new UsageError(`order ${payOrderId} is ${statusText(status)}, not paid: nothing to refund`);
      if (opts.currency === undefined && typeof order.currency === 'string' && order.currency) currency = order.currency;
      const amount = Number(order.amount);
      if (Number.isSafeInteger(amount)) paid = { cents: amount, refundedHere: await refundedHere(ctx, client.baseUrl, payOrderId) };
    }
    currency = (currency ?? 'CAD').toUpperCase();
    if (paid !== undefined && refundAmount === undefined && paid.refundedHere >= paid.cents) {
      throw new UsageError(`order ${payOrderId} was refunded in full from this machine (${paidWords(paid, currency)}); no refund was sent`, '--no-check skips this check');
    }
    refundAmount ??= await askRefundAmount(ctx, paid, currency);
    if (paid !== undefined && refundAmount > paid.cents - paid.refundedHere) {
      throw new UsageError(
        paid.refundedHere > 0
          ? `refund ${formatMoney(refundAmount, currency)} is more than the ${formatMoney(paid.cents - paid.refundedHere, currency)} that remains of ${payOrderId} (${paidWords(paid, currency)}); no refund was sent`
          : `refund ${formatMoney(refundAmount, currency)} is more than the ${formatMoney(paid.cents, currency)} paid for ${payOrderId}`,
        paid.refundedHere > 0 ? 'history counts the refunds made from this machine; --no-check skips this check' : 'earlier partial refunds count too; --no-check skips this check',
      );
    }
    const mchRefundNo = opts.mchRefundNo ?? generateOrderNo(ctx.now(), (n) => process.getBuiltinModule('node:crypto').randomBytes(n), 'RFD');
    const device = opts.device ?? (await optionalSetting(ctx, 'device'));
    const clientIp = opts.clientIp ?? (await optionalSetting(ctx, 'clientIp')) ?? '127.0.0.1';
    const ipProblem = clientIpProblem(clientIp);
    if (ipProblem) ctx.warn(ipProblem);
    const request = withSign(
      buildRefundParams({
        mchId,
        mchRefundNo,
        payOrderId: payOrderId,
        refundAmount,
        currency,
        clientIp,
        ...(device ? { device } : {}),
        loginName,
      }),
      key,
    );
    if (!opts.yes) {
      const ok = await askConfirm(ctx, `Refund ${formatMoney(refundAmount, currency)} of order ${payOrderId}?`, false);
      if (!ok) throw new CancelError('refund not confirmed; nothing was sent');
    }
    const { response, signature } = await callAndRecord(ctx, client, 'refund_order', 'refund', request, key, (err) =>
      !err.sent
        ? new TransportError(`${err.message}; nothing was sent, so no refund was made`, err.hint, false)
        : err.notServed
          ? new TransportError(`${err.message}; nothing there makes refunds, so none was made`, err.hint, true, true)
          : new TransportError(
              `${err.message}; the refund may have been made (mchRefundNo ${mchRefundNo})`,
              `retry with the same --mch-refund-no ${mchRefundNo}, never a new one: the gateway refuses a number it already used`,
            ),
    );
    const result = outcome(response);
    if (ctx.json) ctx.printJson({ request, response, signature: signature.verdict });
    if (signature.verdict === 'mismatch') throw new SignatureError('the refund_order answer has a forged or wrong sign: do not trust it', 'check the refund in the merchant console');
    const foreign = result.ok ? otherOrder(response, { mchId, payOrderId, mchRefundNo }) : undefined;
    if (foreign) throw foreignAnswer('refund_order', foreign, 'not trusting it; check the refund in the merchant console');
    if (!result.ok) throw await hintFromHistory(ctx, await namingKeyOverride(ctx, gatewayFailure('refund_order', response, mchId)), { payOrderId });
    if (!ctx.json) {
      ctx.out(`${ctx.color.green('✓')} refunded ${formatMoney(refundAmount, currency)} of ${payOrderId}`);
      // Labels padded past the longest (refundOrderId), so the values line up.
      ctx.out(`  ${'mchRefundNo'.padEnd(15)}${mchRefundNo}`);
      if (response.refundOrderId) ctx.out(`  ${'refundOrderId'.padEnd(15)}${String(response.refundOrderId)}`);
    }
  } finally {
    await client.close();
  }
}
