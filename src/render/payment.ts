// Human output for orders: the payment to scan or open, the order summary, and query results.
import type { Context } from '../context.js';
import { findChannel } from '../core/channels.js';
import { formatMoney } from '../core/money.js';
import { printable } from '../core/printable.js';
import { queryOrder, type PaymentPresentation, type Response, type SignatureVerdict } from '../core/response.js';
import { terminalQr } from './qr.js';
import { localDateTimeWithZone } from './time.js';

const WALLET_ACTION: Record<string, string> = {
  'WeChat Pay': 'Scan with WeChat to pay',
  Alipay: 'Scan with Alipay to pay',
  UnionPay: 'Scan with a UnionPay app to pay',
};

/** A value from the gateway's answer as terminal text (control characters escaped). */
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? printable(v) : typeof v === 'number' ? String(v) : undefined;
}

export function signatureLine(ctx: Context, verdict: SignatureVerdict, reason?: string): string {
  const c = ctx.color;
  switch (verdict) {
    case 'verified':
      return `${c.green('✓')} response sign verified`;
    case 'unverifiable':
      return `${c.yellow('?')} response sign not checked: ${reason ?? 'nested values'}`;
    case 'absent':
      return `${c.yellow('?')} the response carries no sign`;
    default:
      return `${c.red('✗')} response sign mismatch`;
  }
}

/** The QR (ANSI on a colour terminal, half blocks otherwise) or the URL/params to use. */
export async function renderPayment(ctx: Context, channelId: string, payment: PaymentPresentation): Promise<void> {
  const c = ctx.color;
  const wallet = findChannel(channelId)?.wallet ?? '';
  switch (payment.kind) {
    case 'qr':
      ctx.out('');
      ctx.out(await terminalQr(ctx, payment.value, ctx.color.level > 0));
      ctx.out(printable(payment.value));
      ctx.out(c.dim(`${WALLET_ACTION[wallet] ?? 'Scan to pay'} (${payment.source}).`));
      return;
    case 'redirect':
      ctx.out('');
      ctx.out(`Open to pay (${payment.source}):`);
      ctx.out(c.cyan(printable(payment.value)));
      return;
    case 'scheme':
      ctx.out('');
      ctx.out(`Open in the ${wallet || 'wallet'} app (${payment.source}):`);
      ctx.out(c.cyan(printable(payment.value)));
      return;
    case 'sdk':
    case 'card': {
      ctx.out('');
      ctx.out(payment.kind === 'sdk' ? `Parameters for the ${wallet} SDK (${payment.source}):` : `Card result (${payment.source}):`);
      let pretty = payment.value;
      try {
        pretty = JSON.stringify(JSON.parse(payment.value), null, 2);
      } catch {
        // not JSON: show as received
      }
      // Line by line: the indenting's line breaks stay, control characters inside values do not.
      ctx.out(pretty.split('\n').map(printable).join('\n'));
      return;
    }
    default:
      ctx.out(c.yellow(`The answer carries no payment data for ${channelId}.`));
  }
}

export function renderOrderSummary(
  ctx: Context,
  title: string,
  request: Record<string, unknown>,
  response: Response,
): void {
  const c = ctx.color;
  const amount = str(request.amount);
  const currency = str(request.currency) ?? '';
  const channel = str(request.channelId) ?? '';
  ctx.out(`${c.green('✓')} ${c.bold(title)}  ${amount ? formatMoney(amount, currency) : ''} · ${channel}`);
  ctx.out(`  mchOrderNo  ${str(response.mchOrderNo) ?? str(request.mchOrderNo) ?? ''}`);
  const payOrderId = str(response.payOrderId);
  if (payOrderId) ctx.out(`  payOrderId  ${payOrderId}`);
}

/** A query_order answer: status, amount, ids and payment time. */
export function renderQuery(ctx: Context, response: Response, status: string, paid: boolean): void {
  const c = ctx.color;
  const order = queryOrder(response);
  const amount = str(order.amount);
  const head = `${paid ? c.green('● ' + status) : c.yellow('● ' + status)}`;
  ctx.out(`${head}  ${amount ? formatMoney(amount, str(order.currency) ?? '') : ''}${str(order.channelId) ? ` · ${str(order.channelId)}` : ''}`);
  // Labels padded past the longest (channelOrderNo), so a value never runs into its label.
  const line = (label: string, value: string) => ctx.out(`  ${label.padEnd(16)}${value}`);
  for (const key of ['mchOrderNo', 'payOrderId', 'channelOrderNo', 'subject'] as const) {
    const v = str(order[key]);
    if (v) line(key, v);
  }
  const succ = str(order.paySuccTime);
  if (succ && /^\d+$/.test(succ)) line('paid at', localDateTimeWithZone(new Date(Number(succ))));
}
