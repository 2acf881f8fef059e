// A stateful local IOTPay gateway on node:http: create/query/refund over the params= transport, signed answers, payments and notify delivery.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { withoutNestedValues, type FieldValue } from '../core/canonical.js';
import { findChannel } from '../core/channels.js';
import { mismatchCauses } from '../core/diagnose.js';
import { parseQueryString } from '../core/input.js';
import { formatMoney } from '../core/money.js';
import { clipped } from '../core/printable.js';
import { validateCreate, type Params } from '../core/order.js';
import { sign, signsEqual } from '../core/sign.js';
import { isPayable, statusText } from '../core/status.js';
import { untrustedCertificate } from '../gateway/client.js';
import { ORDER_BOOK_CAPACITY, OrderBook } from './order-book.js';
import { checkoutPage, checkoutPath, indexPage, notAllowedPage, refusedPage, unknownOrderPage, webUrl } from './mock-pages.js';
import { BodyTooLarge, createHardenedServer, hostForUrl, listen, MAX_BODY_BYTES, onBody, sendJson, sendText } from './http-util.js';

export { SANDBOX } from '../config/settings.js';

export type MockFault = 'http500' | 'timeout' | 'badsign';

export interface MockEvent {
  time: string;
  event: 'request' | 'payment' | 'cancel' | 'notify' | 'refund' | 'shutdown';
  [field: string]: unknown;
}

export interface MockOptions {
  mchId: string;
  key: string;
  /** Keys a signer may have used instead of `key` (other profiles'), each with the likely cause to log for a sign made with it. */
  otherKeys?: ReadonlyMap<string, string>;
  port?: number;
  host?: string;
  /** Pay each order this many seconds after it is created. */
  autoPaySeconds?: number;
  /** Cancel each order still unpaid this many seconds after it is created (status 4), as the gateway does. */
  expireSeconds?: number;
  latencyMs?: number;
  fault?: MockFault;
  /** Notify attempts before giving up (default 5). */
  notifyAttempts?: number;
  /** First retry delay in ms, doubling each time (default 1000). */
  retryDelayMs?: number;
  /** Deliver notifies to https receivers without checking their certificate (`mock --skip-verify`). */
  notifySkipVerify?: boolean;
  /** Log each API request's params as received and the answer as sent (`mock --verbose`). */
  exchanges?: boolean;
  /** Keeps orders across runs (the --sandbox store). */
  stateFile?: string;
  /** Refund numbers remembered to refuse a repeat (default: as many as the order book holds orders). */
  refundMemory?: number;
  log?: (event: MockEvent) => void;
  now?: () => Date;
}

export interface MockOrder {
  payOrderId: string;
  mchId: string;
  mchOrderNo: string;
  channelId: string;
  currency: string;
  amount: number;
  clientIp: string;
  device: string;
  subject: string;
  body: string;
  notifyUrl: string;
  /** Where the checkout page sends the browser once paid (the redirect channels). */
  returnUrl?: string;
  param2: string;
  extra: string;
  status: number;
  createdAt: number;
  payAt?: number;
  expireAt?: number;
  paySuccTime?: number;
  channelOrderNo?: string;
  refunded: number;
  refunds: string[];
  notifyAttempts: number;
  notified: boolean;
}

export interface MockGateway {
  url: string;
  baseUrl: string;
  port: number;
  orders: () => MockOrder[];
  /** Pays an order now and starts its notify delivery; false when unknown or not payable. */
  pay: (payOrderId: string) => boolean;
  close: () => Promise<void>;
}

const CREATE_FIELDS = ['mchId', 'mchOrderNo', 'channelId', 'currency', 'amount', 'clientIp', 'notifyUrl', 'subject', 'body', 'jobNo', 'sign'];
const QUERY_FIELDS = ['mchId', 'sign'];
const REFUND_FIELDS = ['mchId', 'mchRefundNo', 'refundAmount', 'currency', 'clientIp', 'loginName', 'payOrderId', 'sign'];

const ENDPOINTS = new Map<string, 'create_order' | 'query_order' | 'refund_order'>([
  ['/v1/create_order', 'create_order'],
  ['/v1/query_order', 'query_order'],
  ['/v1/refund_order', 'refund_order'],
]);

const ENDPOINT_NAMES: ReadonlySet<string> = new Set(ENDPOINTS.values());

const fail = (retMsg: string, extra: Params = {}): Params => ({ retCode: 'FAIL', retMsg, ...extra });

/** Why a refused request's sign did not match, for the log line (never in the answer). */
const signCauses = new WeakMap<Params, string>();

// Mock ids need to be unique, not secret: a random start and a counter, instead of a
// randomBytes call per order (which was 8% of the mock's time under load).
let sequence = randomBytes(4).readUInt32BE(0);
function rand(n: number): string {
  sequence = (sequence + 0x9e3779b1) >>> 0;
  return sequence.toString(16).padStart(8, '0').repeat(Math.ceil((n * 2) / 8)).slice(0, n * 2);
}

let stampMs = -1;
let iso = '';
let stamp = '';
/** The ISO time and yyyyMMddHHmmssSSS, computed once per millisecond (the mock's hot path uses both). */
function times(now: Date): { iso: string; stamp: string } {
  if (now.getTime() !== stampMs) {
    stampMs = now.getTime();
    iso = now.toISOString();
    stamp = iso.replace(/\D/g, '').slice(0, 17);
  }
  return { iso, stamp };
}

function timeStamp(now: Date): string {
  return times(now).stamp;
}

function payOrderIdPrefix(channelId: string): string {
  return channelId.startsWith('ALIPAY') ? 'AP' : channelId.startsWith('UPI') ? 'UP' : channelId.startsWith('CC') ? 'CC' : 'P';
}

/** Channel payment fields shaped like the seed's samples (nested retParams for the Alipay web channels). */
function channelFields(order: MockOrder, base: string): Params {
  const token = rand(8);
  const payPage = `${base}/mock/pay/${order.payOrderId}`;
  switch (order.channelId) {
    case 'WX_NATIVE':
      return { codeUrl: `weixin://wxpay/bizpayurl?pr=${token.slice(0, 7)}`, prepayId: `wx${token}` };
    case 'ALIPAY_QR':
      return { qr_code: `https://qr.alipay.com/bax0${token}` };
    case 'UPI_QR':
      return { qrCode: `https://qr.95516.com/00010000/${token}` };
    case 'ALIPAY_PC':
    case 'ALIPAY_WAP': {
      const form = `<form id="alipaysubmit" name="alipaysubmit" action="${payPage}" method="get"></form><script>document.forms["alipaysubmit"].submit();</script>`;
      return {
        retParams: { url: payPage, tradeNo: `2026${token}`, ...(order.channelId === 'ALIPAY_WAP' ? { alipayUrl: `${payPage}?wap=1` } : {}) },
        payUrl: form,
        retDetail: form,
      };
    }
    case 'ALIPAY_MOBILE': {
      const scheme = `alipayconnect://platformapi/acwallet/alipayconnectcode?code=mock${token}`;
      return { retParams: { url: payPage, schemeUrl: scheme, tradeNo: `2026${token}` }, payParams: scheme, retDetail: payPage };
    }
    case 'UPI_SEQ':
      return { payUrl: payPage, retParams: { unionpayUrl: payPage } };
    case 'WX_APP':
    case 'WX_JSAPI':
      return {
        payParams: JSON.stringify({
          appId: extraText(order.extra, 'appId') ?? 'wxmock',
          timeStamp: String(Math.floor(order.createdAt / 1000)),
          nonceStr: token,
          package: `prepay_id=wx${token}`,
          signType: 'MD5',
          paySign: rand(16).toUpperCase(),
        }),
      };
    case 'UPI_APP':
      return { payParams: JSON.stringify({ tn: token }) };
    case 'CC_PAX':
      return { extra: JSON.stringify({ cardType: 'M', cardNum: 'XXXXXXXXXXXX1166', authNum: token.slice(0, 6).toUpperCase(), receiptDisp: '000 Approved 00 Thank You' }) };
    default:
      return { payUrl: payPage };
  }
}

/** A text field of the order's extra JSON, when there is one. */
function extraText(extra: string, name: string): string | undefined {
  try {
    const value = (JSON.parse(extra) as Record<string, unknown>)[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Signs an answer the way the gateway does; nested values (retParams) are left out, as no text form exists. */
function signedAnswer(answer: Params, key: string, fault?: MockFault): Params {
  const signature = sign(withoutNestedValues(answer), key);
  answer.sign = fault === 'badsign' ? signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) : signature;
  return answer;
}

/** The notify fields the gateway sends: every documented field, empty ones present but unsigned. */
export function notifyFields(order: MockOrder, key: string): Record<string, string> {
  const fields: Record<string, FieldValue> = {
    payOrderId: order.payOrderId,
    mchId: order.mchId,
    mchOrderNo: order.mchOrderNo,
    channelId: order.channelId,
    currency: order.currency,
    amount: order.amount,
    status: 2,
    clientIp: order.clientIp,
    device: order.device,
    subject: order.subject,
    body: order.body,
    channelOrderNo: order.channelOrderNo ?? '',
    param1: order.mchOrderNo,
    param2: order.param2,
    paySuccTime: order.paySuccTime ?? 0,
    backType: 2,
  };
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = String(v ?? '');
  out.sign = sign(fields, key);
  return out;
}

/**
 * The usual body, one field (`params=<encoded JSON>`): its JSON text, decoded directly (a URIError on broken
 * percent-encoding); undefined for any other body.
 */
function singleParamsField(body: string): string | undefined {
  if (!body.startsWith('params=') || body.includes('&')) return undefined;
  const value = body.slice(7);
  return decodeURIComponent(value.includes('+') ? value.replace(/\+/g, ' ') : value);
}

function formParams(body: string): Params | string {
  let raw: FieldValue;
  let single: string | undefined;
  try {
    single = singleParamsField(body);
  } catch {
    return 'field "params" has invalid percent-encoding';
  }
  if (single !== undefined) {
    raw = single;
  } else if (/^\s*[{[]/.test(body)) {
    // The usual mistake of a new client: JSON posted as the body itself.
    return 'the body is JSON; the gateway reads a form body: params=<the JSON, URL-encoded>, content-type application/x-www-form-urlencoded';
  } else {
    try {
      raw = parseQueryString(body).params;
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (typeof raw !== 'string') return 'the body has no params field (expected params={...})';
  try {
    const value = JSON.parse(raw) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Params;
  } catch {
    // fall through
  }
  return 'params is not a JSON object';
}

const str = (v: FieldValue): string => (v === undefined || v === null ? '' : String(v));

/**
 * What a client sent, for `mock --verbose`: the params JSON exactly as written (a number's form, the order of
 * names: what a sign is computed over), or the body's text when it is no params= form; cut at 2,000 characters.
 */
function receivedText(raw: Buffer): string {
  const body = raw.toString('utf8');
  try {
    return clipped(singleParamsField(body) ?? body);
  } catch {
    return clipped(body); // not percent-encoded correctly: the body as it came
  }
}

/** What a POST to `/mock/orders/<payOrderId>/<action>` does, for the answer to another method. */
const ACTION_WORDS: Record<string, string> = {
  pay: 'pays the order',
  notify: "sends a paid order's notify again",
  cancel: 'cancels an unpaid order as its customer would',
  expire: 'expires an unpaid order as the gateway would',
};

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Orders (and refund numbers) the --sandbox store keeps across runs. */
const STATE_ORDERS = 200;

/** The --sandbox store as saved; nothing when there is none or it is broken (it is only test data: start afresh). */
function readState(file: string | undefined): { orders: MockOrder[]; refundNos: string[] } {
  if (!file) return { orders: [], refundNos: [] };
  try {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8')) as { orders?: unknown; refundNos?: unknown };
    return {
      orders: Array.isArray(saved.orders) ? saved.orders.filter((o): o is MockOrder => typeof (o as MockOrder | null)?.payOrderId === 'string') : [],
      refundNos: Array.isArray(saved.refundNos) ? saved.refundNos.filter((r): r is string => typeof r === 'string') : [],
    };
  } catch {
    return { orders: [], refundNos: [] };
  }
}

export async function startMock(opts: MockOptions): Promise<MockGateway> {
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => {});
  const attempts = opts.notifyAttempts ?? 5;
  const retryDelay = opts.retryDelayMs ?? 1000;
  const orders = new OrderBook<MockOrder>(opts.mchId);
  const refundNos = new Set<string>();
  const refundMemory = opts.refundMemory ?? ORDER_BOOK_CAPACITY;
  const timers = new Set<NodeJS.Timeout>();
  const deliveries = new Set<Promise<void>>();
  /** Orders with a notify attempt scheduled but not started: dropped if the mock stops first. */
  const waitingNotify = new Set<string>();
  let closing = false;

  const saved = readState(opts.stateFile);
  for (const o of saved.orders) orders.load(o);
  for (const r of saved.refundNos) refundNos.add(r);
  const save = () => {
    if (!opts.stateFile) return;
    // Another --sandbox run may have saved since this one loaded: its orders and refund numbers stay.
    const theirs = readState(opts.stateFile);
    const kept = [...theirs.orders.filter((o) => orders.get(o.payOrderId) === undefined), ...orders.latest(STATE_ORDERS)];
    kept.sort((x, y) => x.createdAt - y.createdAt);
    const data = JSON.stringify({ orders: kept.slice(-STATE_ORDERS), refundNos: [...new Set([...theirs.refundNos, ...refundNos])].slice(-STATE_ORDERS) });
    // Written beside it and renamed over it, so a run reading it at the same moment never sees half a file.
    const temp = `${opts.stateFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      fs.writeFileSync(temp, data, { mode: 0o600 });
      fs.renameSync(temp, opts.stateFile);
    } finally {
      fs.rmSync(temp, { force: true });
    }
  };
  const event = (name: MockEvent['event'], fields: Record<string, unknown>) => log({ time: now().toISOString(), event: name, ...fields });

  const later = (ms: number, fn: () => void) => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  function deliverOnce(order: MockOrder): Promise<{ ok: boolean; detail: string }> {
    const query = new URLSearchParams(notifyFields(order, opts.key)).toString();
    let target: URL;
    try {
      target = new URL(order.notifyUrl);
      target.search = target.search ? `${target.search}&${query}` : `?${query}`;
    } catch {
      return Promise.resolve({ ok: false, detail: 'notifyUrl is not a URL' });
    }
    // Another client's order may carry any scheme (the CLI's own are http or https): not delivered, and the mock runs on.
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return Promise.resolve({ ok: false, detail: `notifyUrl is not an http or https URL (${target.protocol})` });
    }
    const client = target.protocol === 'https:' ? https : http;
    return new Promise((resolve) => {
      const tls = target.protocol === 'https:' && opts.notifySkipVerify ? { rejectUnauthorized: false } : {};
      const req = client.get(target, { timeout: 5000, headers: { 'user-agent': 'iotpay-mock' }, ...tls }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (text.length < 1024) text += d;
        });
        res.on('end', () => resolve({ ok: text.trim() === 'success', detail: `HTTP ${res.statusCode} ${JSON.stringify(text.trim().slice(0, 40))}` }));
        res.on('error', (err) => resolve({ ok: false, detail: err.message }));
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
      req.on('error', (err) => {
        // A dev server's own certificate: say how to deliver to it anyway, as listen does for --forward-to.
        const untrusted = untrustedCertificate(err);
        const code = (err as NodeJS.ErrnoException).code ?? err.message;
        resolve({ ok: false, detail: untrusted ? `TLS certificate of ${target.host} is not trusted (${untrusted}); mock --skip-verify delivers to it without checking` : code });
      });
    });
  }

  function scheduleNotify(order: MockOrder, delayMs: number): void {
    waitingNotify.add(order.payOrderId);
    later(delayMs, () => {
      waitingNotify.delete(order.payOrderId);
      if (closing) return;
      const run = (async () => {
        order.notifyAttempts++;
        const { ok, detail } = await deliverOnce(order);
        event('notify', { payOrderId: order.payOrderId, attempt: order.notifyAttempts, of: attempts, to: order.notifyUrl, ok, detail });
        if (ok) {
          order.notified = true;
          order.status = 3;
          save();
        } else if (order.notifyAttempts < attempts && !closing) {
          scheduleNotify(order, retryDelay * 2 ** (order.notifyAttempts - 1));
        }
      })();
      deliveries.add(run);
      void run.finally(() => deliveries.delete(run));
    });
  }

  /**
   * Delivers a paid order's notify again, retries and all, as a gateway that never saw the `success` would: a
   * handler that credits an order twice is the bug this finds. Why it cannot, or undefined when it is on its way.
   */
  function notifyAgain(order: MockOrder): string | undefined {
    settle(order);
    if (order.status !== 2 && order.status !== 3) return `order is ${statusText(order.status)}: only a paid order is notified`;
    if (!order.notifyUrl) return 'order has no notifyUrl';
    order.notifyAttempts = 0;
    scheduleNotify(order, 0);
    return undefined;
  }

  function pay(order: MockOrder): boolean {
    if (!isPayable(order.status)) return false;
    order.status = 2;
    order.paySuccTime = now().getTime();
    order.channelOrderNo = `${order.channelId.startsWith('WX') ? 'wx' : 'ch'}${now().toISOString().replace(/\D/g, '').slice(0, 14)}${rand(6)}`;
    save();
    event('payment', { payOrderId: order.payOrderId, mchOrderNo: order.mchOrderNo, amount: formatMoney(order.amount, order.currency) });
    if (order.notifyUrl) scheduleNotify(order, 0);
    return true;
  }

  /**
   * Ends an unpaid order as the customer (status 9) or the gateway, for an order left unpaid too long (status 4), would:
   * the path a shop's code takes when no payment comes. Why it cannot, or undefined when done.
   */
  function cancel(order: MockOrder, by: 'user' | 'system'): string | undefined {
    settle(order);
    return end(order, by) ? undefined : `order is ${statusText(order.status)}: only an unpaid order can be cancelled`;
  }

  /** Ends an unpaid order, cancelled by the customer (9) or the gateway (4); false when it is not unpaid. */
  function end(order: MockOrder, by: 'user' | 'system'): boolean {
    if (!isPayable(order.status)) return false;
    order.status = by === 'user' ? 9 : 4;
    save();
    event('cancel', { payOrderId: order.payOrderId, mchOrderNo: order.mchOrderNo, status: order.status });
    return true;
  }

  /**
   * Orders whose auto-pay or expiry time has passed are paid or expired when next looked at (a store reloaded
   * later), whichever came first.
   */
  function settle(order: MockOrder): void {
    if (!isPayable(order.status)) return;
    const t = now().getTime();
    const payAt = order.payAt !== undefined && t >= order.payAt ? order.payAt : Infinity;
    const expireAt = order.expireAt !== undefined && t >= order.expireAt ? order.expireAt : Infinity;
    if (payAt <= expireAt && payAt !== Infinity) pay(order);
    else if (expireAt !== Infinity) end(order, 'system');
  }

  function checkCaller(params: Params, required: readonly string[]): Params | undefined {
    for (const field of required) {
      const v = params[field];
      if (v === undefined || v === null || v === '') {
        const missing = required.filter((f) => params[f] === undefined || params[f] === null || params[f] === '');
        return fail(`${missing.join(', ')} is required`);
      }
    }
    if (str(params.mchId) !== opts.mchId) return fail(`Can't found mchInfo[mchId=${str(params.mchId)}] record in db`);
    // The bare check (no field list, no diagnosis): this runs for every request under load.
    const received = params.sign;
    let expected: string;
    try {
      expected = sign(params, opts.key);
    } catch {
      return fail('Verify XX pay sign failed');
    }
    if (typeof received !== 'string' || !signsEqual(expected, received)) {
      // The gateway's words only; the likely cause goes to the mock's log, for the developer of the client.
      const refused = fail('Verify XX pay sign failed');
      const why = typeof received === 'string' ? mismatchCauses(params, opts.key, received, opts.otherKeys)[0] : 'the sign is not text: it is 32 hex characters in quotes';
      if (why) signCauses.set(refused, why);
      return refused;
    }
    return undefined;
  }

  function createOrder(params: Params, base: string): Params {
    const denied = checkCaller(params, CREATE_FIELDS);
    if (denied) return denied;
    const problem = validateCreate(params, { warnings: false }).find((f) => f.severity === 'error');
    if (problem) return fail(problem.message);
    const channelId = str(params.channelId);
    if (!findChannel(channelId)) return fail(`channelId ${channelId} is not open for this merchant`);
    const mchOrderNo = str(params.mchOrderNo);
    if (orders.find(mchOrderNo)) return fail(`mchOrderNo ${mchOrderNo} already exists`);
    const created = now();
    const order: MockOrder = {
      payOrderId: orders.nextId(payOrderIdPrefix(channelId), timeStamp(created)),
      mchId: opts.mchId,
      mchOrderNo,
      channelId,
      currency: str(params.currency),
      amount: Number(params.amount),
      clientIp: str(params.clientIp),
      device: str(params.device),
      subject: str(params.subject),
      body: str(params.body),
      notifyUrl: str(params.notifyUrl),
      param2: str(params.param2),
      extra: str(params.extra),
      status: 0,
      createdAt: created.getTime(),
      refunded: 0,
      refunds: [],
      notifyAttempts: 0,
      notified: false,
    };
    if (params.returnUrl) order.returnUrl = str(params.returnUrl);
    if (opts.autoPaySeconds !== undefined) order.payAt = created.getTime() + opts.autoPaySeconds * 1000;
    orders.add(order);
    save();
    if (opts.autoPaySeconds !== undefined) later(opts.autoPaySeconds * 1000, () => pay(order));
    if (opts.expireSeconds !== undefined) {
      order.expireAt = created.getTime() + opts.expireSeconds * 1000;
      later(opts.expireSeconds * 1000, () => end(order, 'system'));
    }
    return Object.assign({ retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: order.payOrderId, mchOrderNo: order.mchOrderNo }, channelFields(order, base));
  }

  function findOrder(params: Params): MockOrder | undefined {
    const id = str(params.payOrderId);
    const order = id ? orders.get(id) : orders.find(str(params.mchOrderNo));
    if (order) settle(order);
    return order;
  }

  function queryOrder(params: Params): Params {
    if (!params.payOrderId && !params.mchOrderNo) return fail('payOrderId or mchOrderNo is required');
    const denied = checkCaller(params, QUERY_FIELDS);
    if (denied) return denied;
    const order = findOrder(params);
    if (!order) return fail('order does not exist');
    return {
      retCode: 'SUCCESS',
      resCode: 'SUCCESS',
      mchId: order.mchId,
      payOrderId: order.payOrderId,
      mchOrderNo: order.mchOrderNo,
      channelId: order.channelId,
      currency: order.currency,
      amount: order.amount,
      clientIp: order.clientIp,
      device: order.device,
      notifyUrl: order.notifyUrl,
      subject: order.subject,
      body: order.body,
      param1: order.mchOrderNo,
      param2: order.param2,
      extra: order.extra,
      paySuccTime: order.paySuccTime ?? '',
      channelOrderNo: order.channelOrderNo ?? '',
      status: order.status,
    };
  }

  function refundOrder(params: Params): Params {
    const denied = checkCaller(params, REFUND_FIELDS);
    if (denied) return denied;
    const order = findOrder(params);
    if (!order) return fail('order does not exist');
    const refundNo = `${opts.mchId}/${str(params.mchRefundNo)}`;
    if (refundNos.has(refundNo)) return fail(`mchRefundNo ${str(params.mchRefundNo)} already exists`);
    if (order.status !== 2 && order.status !== 3) return fail(`order is not paid (status ${order.status}: ${statusText(order.status)})`);
    const amount = Number(params.refundAmount);
    if (!Number.isInteger(amount) || amount <= 0) return fail('refundAmount must be a positive whole number of cents');
    const left = order.amount - order.refunded;
    if (amount > left) return fail(`refundAmount ${amount} is more than what remains refundable (${left})`);
    order.refunded += amount;
    order.refunds.push(str(params.mchRefundNo));
    refundNos.add(refundNo);
    // Bounded as the order book is: the oldest number goes first (a Set iterates in insertion order).
    if (refundNos.size > refundMemory) refundNos.delete(refundNos.values().next().value!);
    save();
    event('refund', { payOrderId: order.payOrderId, mchRefundNo: str(params.mchRefundNo), amount: formatMoney(amount, order.currency), refunded: order.refunded });
    return {
      retCode: 'SUCCESS',
      resCode: 'SUCCESS',
      payOrderId: order.payOrderId,
      mchRefundNo: str(params.mchRefundNo),
      refundAmount: amount,
      refundOrderId: `R${order.payOrderId}${order.refunds.length}`,
    };
  }

  const { server, closeAll } = createHardenedServer((req, res) => {
    try {
      handle(req, res);
    } catch (err) {
      failed(req, res, err);
    }
  });
  /** A bug in the mock answers 500 and is logged; the mock keeps serving. */
  function failed(req: http.IncomingMessage, res: http.ServerResponse, err: unknown): void {
    event('request', { method: req.method, path: req.url, error: (err as Error).message });
    sendJson(res, 500, fail('internal error in the mock'));
  }
  const port = await listen(server, opts.port ?? 4010, host);
  const url = `http://${hostForUrl(host)}:${port}`;

  /** The order a path segment names (percent-decoded); bad encoding names none. */
  function orderAt(segment: string): MockOrder | undefined {
    const id = decodeSegment(segment);
    return id === undefined ? undefined : orders.get(id);
  }

  /**
   * The checkout page a redirect channel's URL opens (mock-pages.ts draws it): GET shows the order, POST pays it,
   * POST to `/mock/pay/<payOrderId>/cancel` cancels it as the customer would; once paid, POST to
   * `/mock/pay/<payOrderId>/notify` sends the notify again.
   */
  function checkoutRoute(method: string | undefined, rest: string, res: http.ServerResponse): void {
    const [segment = '', action, ...more] = rest.split('/');
    const order = orderAt(segment);
    if (!order || more.length > 0 || (action !== undefined && action !== 'notify' && action !== 'cancel')) {
      return sendText(res, 404, unknownOrderPage(decodeSegment(segment) ?? segment), 'text/html');
    }
    settle(order);
    const here = checkoutPath(order);
    if (action !== undefined) {
      if (method !== 'POST') return sendText(res, 405, notAllowedPage(action === 'notify' ? 'POST sends the notify again.' : 'POST cancels the order.'), 'text/html');
      const refused = action === 'notify' ? notifyAgain(order) : cancel(order, 'user');
      if (refused) return sendText(res, 409, refusedPage(action === 'notify' ? 'Not sent' : 'Not cancelled', refused, here), 'text/html');
      res.writeHead(303, { location: here, 'content-length': 0 });
      res.end();
      return;
    }
    if (method === 'POST') {
      pay(order);
      // Paid: back to the merchant, as the wallet's page does; without a returnUrl, to this page.
      const back = order.status >= 2 && webUrl(order.returnUrl) ? order.returnUrl! : here;
      res.writeHead(303, { location: back, 'content-length': 0 });
      res.end();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') return sendText(res, 405, notAllowedPage('GET shows the order; POST pays it.'), 'text/html');
    sendText(res, 200, checkoutPage(order), 'text/html');
  }

  /** What a browser opening the mock's address sees: where to point a client, and the newest orders to pay. */
  function indexRoute(res: http.ServerResponse): void {
    const latest = orders.latest(50).reverse();
    for (const o of latest) settle(o);
    sendText(res, 200, indexPage(url, latest), 'text/html');
  }

  /** `GET /mock/orders[?limit=N]`: every order held, or the newest N, oldest first. */
  function listRoute(search: string, res: http.ServerResponse): void {
    const limit = new URLSearchParams(search).get('limit');
    if (limit !== null && (!/^\d{1,6}$/.test(limit) || Number(limit) === 0)) {
      return sendJson(res, 400, { error: `limit must be a whole number of orders from 1 to ${ORDER_BOOK_CAPACITY}, got ${JSON.stringify(limit)}` });
    }
    const listed = limit === null ? orders.all() : orders.latest(Number(limit));
    for (const o of listed) settle(o);
    sendJson(res, 200, listed);
  }

  /** The mock's own routes: an index page, list the orders, show one, pay one, notify one again, the checkout page. */
  function mockRoute(method: string | undefined, path: string, search: string, res: http.ServerResponse): void {
    if ((method === 'GET' || method === 'HEAD') && (path === '/' || path === '/mock' || path === '/mock/')) {
      indexRoute(res);
      return;
    }
    if (path.startsWith('/mock/pay/')) {
      checkoutRoute(method, path.slice('/mock/pay/'.length), res);
      return;
    }
    if (method === 'GET' && path === '/mock/orders') return listRoute(search, res);
    // One order, as a script checks it: `curl …/mock/orders/<payOrderId> | jq .status`.
    const one = /^\/mock\/orders\/([^/]+)$/.exec(path);
    if (method === 'GET' && one) {
      const order = orderAt(one[1]!);
      if (!order) return sendJson(res, 404, { error: 'unknown payOrderId' });
      settle(order);
      return sendJson(res, 200, order);
    }
    const action = /^\/mock\/orders\/([^/]+)\/(pay|notify|cancel|expire)$/.exec(path);
    if (action && method !== 'POST') {
      return sendJson(res, 405, { error: `POST only: POST ${path} ${ACTION_WORDS[action[2]!]}` });
    }
    if (action) {
      const order = orderAt(action[1]!);
      if (!order) return sendJson(res, 404, { error: 'unknown payOrderId' });
      const act: Record<string, () => string | undefined> = {
        pay: () => (pay(order) ? undefined : `order is ${statusText(order.status)}`),
        notify: () => notifyAgain(order),
        cancel: () => cancel(order, 'user'),
        expire: () => cancel(order, 'system'),
      };
      const refused = act[action[2]!]!();
      sendJson(res, refused ? 409 : 200, refused ? { error: refused, order } : order);
      return;
    }
    // A client pointed at the wrong path is told where the API is, and the mock's log shows it (a browser's
    // favicon is not logged: only requests that look like API calls).
    const name = path.slice(path.lastIndexOf('/') + 1);
    const endpoint = ENDPOINT_NAMES.has(name) ? `/v1/${name}` : undefined;
    const where = endpoint ? `; the API is at ${endpoint} (a base URL ends in /v1)` : '';
    if (endpoint || (method !== 'GET' && method !== 'HEAD')) event('request', { method, path, http: 404, error: `no such endpoint${where}` });
    sendJson(res, 404, { error: `no such endpoint: ${method} ${path}${where}` });
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const target = req.url ?? '/';
    const query = target.indexOf('?');
    const path = query < 0 ? target : target.slice(0, query);
    const endpoint = ENDPOINTS.get(path);
    if (endpoint === undefined) {
      mockRoute(req.method, path, query < 0 ? '' : target.slice(query + 1), res);
      return;
    }
    if (req.method !== 'POST') {
      event('request', { method: req.method, path, http: 405, retCode: 'FAIL', retMsg: 'POST only' });
      sendJson(res, 405, fail('POST only'));
      return;
    }
    // Callbacks, not async/await: under load the promise hops cost more than they read.
    onBody(req, MAX_BODY_BYTES, (err, raw) => {
      if (err) {
        if (err instanceof BodyTooLarge) sendJson(res, 413, fail('request body over 1 MiB'));
        else failed(req, res, err);
        return;
      }
      if (opts.fault === 'timeout') {
        event('request', { method: 'POST', path, fault: 'timeout' });
        return; // never answered; closed with the server
      }
      const reply = () => {
        try {
          answer(endpoint, path, raw!, res);
        } catch (error) {
          failed(req, res, error);
        }
      };
      if (opts.latencyMs) later(opts.latencyMs, reply);
      else reply();
    });
  }

  function answer(endpoint: 'create_order' | 'query_order' | 'refund_order', path: string, raw: Buffer, res: http.ServerResponse): void {
    if (opts.fault === 'http500') {
      event('request', { method: 'POST', path, status: 500, fault: 'http500' });
      sendJson(res, 500, { error: 'simulated HTTP 500' });
      return;
    }
    const params = formParams(raw.toString('utf8'));
    let result: Params;
    if (typeof params === 'string') result = fail(params);
    else if (endpoint === 'create_order') result = createOrder(params, url);
    else if (endpoint === 'query_order') result = queryOrder(params);
    else result = refundOrder(params);
    const signed = result.retCode === 'SUCCESS' ? signedAnswer(result, opts.key, opts.fault) : result;
    // Written at once: end() uncorks the socket itself, before the log line below is built.
    // (Holding a turn's answers to write them together measured no faster; see the README.)
    sendJson(res, 200, signed);
    // One literal of one shape (absent values are undefined, which JSON leaves out).
    const asked = typeof params === 'object' ? params : undefined;
    log({
      time: times(now()).iso,
      event: 'request',
      method: 'POST',
      path,
      channelId: asked?.channelId,
      mchOrderNo: asked?.mchOrderNo,
      amount: asked?.amount,
      retCode: result.retCode,
      retMsg: result.retMsg || undefined,
      likelyCause: result.retCode === 'SUCCESS' ? undefined : signCauses.get(result),
      payOrderId: result.payOrderId || undefined,
      status: result.status,
      received: opts.exchanges ? receivedText(raw) : undefined,
      answered: opts.exchanges ? signed : undefined,
    });
  }

  return {
    url,
    baseUrl: `${url}/v1`,
    port,
    orders: () => orders.all(),
    pay: (id) => {
      const order = orders.get(id);
      return order ? pay(order) : false;
    },
    close: async () => {
      closing = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const inFlight = deliveries.size;
      if (inFlight > 0) await Promise.race([Promise.allSettled([...deliveries]), new Promise((r) => setTimeout(r, 2000).unref())]);
      if (inFlight > 0 || waitingNotify.size > 0) {
        event('shutdown', { notifiesFinished: inFlight - deliveries.size, notifiesCut: deliveries.size, retriesDropped: [...waitingNotify] });
      }
      await closeAll();
    },
  };
}
