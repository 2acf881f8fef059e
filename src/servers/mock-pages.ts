// The mock gateway's HTML pages for a browser: its index (where to point a client, the newest orders) and an order's checkout.
import { formatMoney } from '../core/money.js';
import { isPaid, isPayable, statusText } from '../core/status.js';
import { count } from '../render/words.js';
import type { MockOrder } from './mock.js';

const html = (text: string): string =>
  text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);

/** An http(s) URL a browser may be sent to (a returnUrl of javascript: is not followed). */
export function webUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

/** The path of an order's checkout page, which a redirect channel's payment URL opens. */
export function checkoutPath(order: MockOrder): string {
  return `/mock/pay/${encodeURIComponent(order.payOrderId)}`;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${html(title)} · IOTPay mock</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem">
<h1>${html(title)}</h1>
${body}
</body></html>
`;
}

export function unknownOrderPage(payOrderId: string): string {
  return page('Unknown order', `<p>The mock holds no order <code>${html(payOrderId)}</code>.</p>`);
}

export function notAllowedPage(what: string): string {
  return page('Not allowed', `<p>${html(what)}</p>`);
}

/** An action on an order that could not be done (a notify sent again, a cancel), and the way back to the order. */
export function refusedPage(title: string, why: string, orderPath: string): string {
  return page(title, `<p>${html(why)}.</p><p><a href="${html(orderPath)}">Back to the order</a></p>`);
}

/** Where the order's notify stands. */
function notifyState(order: MockOrder): string {
  if (!order.notifyUrl) return 'no notifyUrl';
  if (order.notified) return `delivered to ${order.notifyUrl}`;
  return order.notifyAttempts === 0 ? `on its way to ${order.notifyUrl}` : `not delivered yet to ${order.notifyUrl} (${count(order.notifyAttempts, 'attempt')})`;
}

/** The order, and a button that pays it; once paid, where its notify stands and a button that sends it again. */
export function checkoutPage(order: MockOrder): string {
  const money = formatMoney(order.amount, order.currency);
  const paid = isPaid(order.status);
  const rows = [
    ['Amount', money],
    ['Channel', order.channelId],
    ['Subject', order.subject],
    ['mchOrderNo', order.mchOrderNo],
    ['payOrderId', order.payOrderId],
    ['Status', `${order.status} (${statusText(order.status)})`],
    ...(paid ? [['Notify', notifyState(order)]] : []),
  ];
  const body = [
    '<p>The local mock gateway\'s checkout: no wallet, no money moves.</p>',
    `<dl>${rows.map(([k, v]) => `<dt>${k}</dt><dd>${html(v!)}</dd>`).join('')}</dl>`,
    isPayable(order.status)
      ? `<form method="post"><button type="submit">Pay ${html(money)}</button></form><form method="post" action="${html(checkoutPath(order))}/cancel"><button type="submit">Cancel</button></form>`
      : '',
    !isPayable(order.status) && webUrl(order.returnUrl) ? `<p><a href="${html(order.returnUrl!)}">Back to the merchant</a></p>` : '',
    paid && order.notifyUrl ? `<form method="post" action="${html(checkoutPath(order))}/notify"><button type="submit">Send the notify again</button></form>` : '',
  ].join('\n');
  return page(`Pay ${money}`, body);
}

/** What a browser opening the mock's address sees: where to point a client (`url`), and the newest orders to pay. */
export function indexPage(url: string, latest: readonly MockOrder[]): string {
  const rows = latest.map(
    (o) =>
      `<tr><td><a href="${html(checkoutPath(o))}">${html(o.mchOrderNo)}</a></td><td>${html(formatMoney(o.amount, o.currency))}</td><td>${html(o.channelId)}</td><td>${html(statusText(o.status))}</td></tr>`,
  );
  const body = [
    `<p>A local gateway for development: no wallet, no money moves. Point a client at <code>${html(`${url}/v1`)}</code>.</p>`,
    '<p>Endpoints: <code>POST /v1/create_order</code>, <code>/v1/query_order</code>, <code>/v1/refund_order</code>; <code>GET /mock/orders</code> (JSON; <code>?limit=N</code> for the newest N) and <code>/mock/orders/&lt;payOrderId&gt;</code>, <code>POST /mock/orders/&lt;payOrderId&gt;/pay</code>, <code>POST /mock/orders/&lt;payOrderId&gt;/notify</code> (the notify again), <code>POST /mock/orders/&lt;payOrderId&gt;/cancel</code> (by the customer: status 9) and <code>/expire</code> (by the gateway: status 4).</p>',
    latest.length === 0
      ? '<p>No orders yet.</p>'
      : `<table><thead><tr><th>mchOrderNo</th><th>Amount</th><th>Channel</th><th>Status</th></tr></thead><tbody>${rows.join('')}</tbody></table><p>Open an order to pay it.</p>`,
  ].join('\n');
  return page('Mock gateway', body);
}
