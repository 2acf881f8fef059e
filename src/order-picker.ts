// On a terminal, the order a command works on, picked from the last ones this machine created (history) or typed.
import type { Context } from './context.js';
import { formatMoney } from './core/money.js';
import { printable } from './core/printable.js';
import { gatewayBaseUrl } from './gateway/client.js';
import { readHistory, sameGateway, type HistoryEntry } from './history.js';
import { askChoice, askText } from './prompt.js';
import { localDateTime } from './render/time.js';

/** Which id of the order the command sends: query takes the mchOrderNo, refund the payOrderId. */
export type OrderId = 'mchOrderNo' | 'payOrderId';

const idOf = (e: HistoryEntry, id: OrderId): unknown => (id === 'mchOrderNo' ? e.request.mchOrderNo : e.response?.payOrderId);

/**
 * The last orders (at most ten, from the last 200 history lines) created on the gateway in use, newest first,
 * one per mchOrderNo, each with the id asked for. Sandbox orders only inside --sandbox, and only there.
 */
async function recentOrders(ctx: Context, id: OrderId): Promise<HistoryEntry[]> {
  const baseUrl = await gatewayBaseUrl(ctx);
  const recent: HistoryEntry[] = [];
  for (const e of (await readHistory(ctx, 200)).reverse()) {
    const no = e.request.mchOrderNo;
    if (e.type !== 'create' || typeof no !== 'string' || typeof idOf(e, id) !== 'string' || recent.some((r) => r.request.mchOrderNo === no)) continue;
    if (!sameGateway(ctx, e, baseUrl)) continue;
    recent.push(e);
    if (recent.length === 10) break;
  }
  return recent;
}

/** The `id` of the last order created on the gateway in use, for an error to name; none when unknown. */
export async function latestOrder(ctx: Context, id: OrderId): Promise<string | undefined> {
  const [last] = await recentOrders(ctx, id).catch(() => []);
  return last === undefined ? undefined : printable(String(idOf(last, id)));
}

/** Offers the recent orders and "another order", which is typed; returns the chosen order's `id`. */
export async function pickOrder(ctx: Context, id: OrderId): Promise<string> {
  const typed = () =>
    askText(ctx, `${id} of the order`, { validate: (v) => v.trim() !== '' || `the order's ${id} is needed (Ctrl-C to stop)` });
  const recent = await recentOrders(ctx, id);
  if (recent.length === 0) return typed();
  const another = '';
  const picked = await askChoice(ctx, 'Which order?', [
    ...recent.map((e) => ({
      value: String(idOf(e, id)),
      name: printable(
        [e.request.mchOrderNo, e.request.amount === undefined ? '' : formatMoney(String(e.request.amount), String(e.request.currency ?? '')), e.request.channelId ?? '']
          .map(String)
          .filter((cell) => cell !== '')
          .join('  '),
      ),
      description: `created ${localDateTime(e.time)}${e.response?.payOrderId ? ` · payOrderId ${printable(String(e.response.payOrderId))}` : ''}`,
    })),
    { value: another, name: `another order: type its ${id}` },
  ]);
  return picked === another ? typed() : picked;
}
