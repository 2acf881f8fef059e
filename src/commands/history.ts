// `iotpay history`: the orders and refunds this machine made, newest last.
import type { Context } from '../context.js';
import { formatMoney } from '../core/money.js';
import { UsageError } from '../errors.js';
import { readHistory, type HistoryEntry } from '../history.js';

export interface HistoryOptions {
  limit?: string;
}

function result(entry: HistoryEntry): string {
  if (entry.error) return `no answer: ${entry.error}`;
  const r = entry.response ?? {};
  if (r.retCode === 'SUCCESS' && (r.resCode === undefined || r.resCode === 'SUCCESS')) return `SUCCESS${entry.signature && entry.signature !== 'verified' ? ` (sign ${entry.signature})` : ''}`;
  return `FAIL ${String(r.retMsg ?? r.errCodeDes ?? '')}`.trim();
}

export async function runHistory(opts: HistoryOptions, ctx: Context): Promise<void> {
  const text = opts.limit ?? '20';
  if (!/^\d{1,6}$/.test(text) || Number(text) === 0) throw new UsageError(`-n must be a positive whole number, got "${text}"`);
  const entries = await readHistory(ctx, Number(text));
  if (ctx.json) {
    ctx.printJson(entries);
    return;
  }
  if (entries.length === 0) {
    ctx.out(ctx.color.dim('no orders yet: `iotpay create` records each one here'));
    return;
  }
  const c = ctx.color;
  for (const e of entries) {
    const req = e.request;
    const amount = req.amount ?? req.refundAmount;
    const money = amount === undefined ? '' : formatMoney(String(amount), String(req.currency ?? ''));
    const id = String(req.mchOrderNo ?? req.mchRefundNo ?? '');
    const payOrderId = String(e.response?.payOrderId ?? req.payOrderId ?? '');
    ctx.out(
      [c.dim(e.time.replace('T', ' ').slice(0, 19)), e.type.padEnd(6), String(req.channelId ?? '').padEnd(13), money.padStart(14), id, payOrderId, result(e)]
        .filter((x) => x !== '')
        .join('  '),
    );
  }
}
