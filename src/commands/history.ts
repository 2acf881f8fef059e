// `iotpay history`: the orders and refunds this machine made, newest last.
import type { Context } from '../context.js';
import { formatMoney } from '../core/money.js';
import { printable } from '../core/printable.js';
import { UsageError } from '../errors.js';
import { readHistory, type HistoryEntry } from '../history.js';
import { localDateTime } from '../render/time.js';

export interface HistoryOptions {
  limit?: string;
  /** Only the lines of this order (its mchOrderNo or payOrderId): its create and its refunds. */
  order?: string;
}

/** History lines searched for one order's: the last this many. */
const ORDER_SEARCH_LINES = 10_000;

/** One order's lines by its mchOrderNo or payOrderId; refunds name only the payOrderId, found from the create. */
function orderLines(entries: HistoryEntry[], id: string): HistoryEntry[] {
  const payOrderIds = new Set([id]);
  for (const e of entries) if (e.request.mchOrderNo === id && typeof e.response?.payOrderId === 'string') payOrderIds.add(e.response.payOrderId);
  const ofOrder = (value: unknown) => typeof value === 'string' && payOrderIds.has(value);
  return entries.filter((e) => e.request.mchOrderNo === id || ofOrder(e.request.payOrderId) || ofOrder(e.response?.payOrderId));
}

function result(entry: HistoryEntry): string {
  if (entry.error) return `no answer: ${printable(entry.error)}`;
  const r = entry.response ?? {};
  if (r.retCode === 'SUCCESS' && (r.resCode === undefined || r.resCode === 'SUCCESS')) return `SUCCESS${entry.signature && entry.signature !== 'verified' ? ` (sign ${entry.signature})` : ''}`;
  return `FAIL ${printable(String(r.retMsg ?? r.errCodeDes ?? ''))}`.trim();
}

export async function runHistory(opts: HistoryOptions, ctx: Context): Promise<void> {
  const text = opts.limit ?? '20';
  if (!/^\d{1,6}$/.test(text) || Number(text) === 0) throw new UsageError(`-n must be a positive whole number, got "${text}"`);
  const entries = opts.order === undefined ? await readHistory(ctx, Number(text)) : orderLines(await readHistory(ctx, ORDER_SEARCH_LINES), opts.order).slice(-Number(text));
  if (ctx.json) {
    ctx.printJson(entries);
    return;
  }
  if (entries.length === 0) {
    ctx.out(ctx.color.dim(opts.order === undefined ? 'no orders yet: `iotpay create` records each one here' : `nothing about ${printable(opts.order)} in the last ${ORDER_SEARCH_LINES.toLocaleString('en-US')} history lines`));
    return;
  }
  const c = ctx.color;
  const rows = entries.map((e) => {
    const req = e.request;
    const amount = req.amount ?? req.refundAmount;
    return {
      time: localDateTime(e.time),
      type: e.type,
      channel: String(req.channelId ?? ''),
      money: amount === undefined ? '' : formatMoney(String(amount), String(req.currency ?? '')),
      id: String(req.mchOrderNo ?? req.mchRefundNo ?? ''),
      payOrderId: printable(String(e.response?.payOrderId ?? req.payOrderId ?? '')),
      // Sandbox orders exist only in the local sandbox store: said so, never mistaken for real ones.
      result: `${result(e)}${e.sandbox ? ' (sandbox)' : ''}`,
    };
  });
  // Columns as wide as their widest value among the rows shown, so ids of any length line up.
  const width = (key: 'channel' | 'money' | 'id' | 'payOrderId') => rows.reduce((w, r) => Math.max(w, r[key].length), 0);
  const w = { channel: width('channel'), money: width('money'), id: width('id'), payOrderId: width('payOrderId') };
  for (const r of rows) {
    // A column empty in every row has width 0: its cells are '' and are left out.
    const middle = [r.channel.padEnd(w.channel), r.money.padStart(w.money), r.id.padEnd(w.id), r.payOrderId.padEnd(w.payOrderId)].filter((cell) => cell !== '');
    ctx.out([c.dim(r.time), r.type.padEnd(6), ...middle, r.result].join('  '));
  }
}
