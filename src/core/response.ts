// Reading gateway answers: SUCCESS/FAIL, the response sign, the order inside a query, and the payment to present.
import type { FieldValue } from './canonical.js';
import { findChannel, type PaymentKind } from './channels.js';
import { verify } from './sign.js';
import { parseStatus } from './status.js';

export type Response = Record<string, FieldValue>;
export type SignatureVerdict = 'verified' | 'mismatch' | 'unverifiable' | 'absent';

export interface Outcome {
  ok: boolean;
  /** The gateway's own words for a FAIL: retMsg, errCode and errCodeDes. */
  message?: string;
}

function text(v: FieldValue): string | undefined {
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** SUCCESS needs retCode SUCCESS and, when present, resCode SUCCESS. */
export function outcome(response: Response): Outcome {
  const retCode = text(response.retCode);
  const resCode = text(response.resCode);
  if (retCode === 'SUCCESS' && (resCode === undefined || resCode === 'SUCCESS')) return { ok: true };
  const parts: string[] = [];
  const retMsg = text(response.retMsg);
  const errCode = text(response.errCode);
  const errCodeDes = text(response.errCodeDes);
  if (retMsg) parts.push(retMsg);
  if (errCode || errCodeDes) parts.push([errCode, errCodeDes].filter(Boolean).join(' '));
  if (parts.length === 0) parts.push(`retCode=${retCode ?? '(none)'}${resCode ? ` resCode=${resCode}` : ''}`);
  return { ok: false, message: parts.join(': ') };
}

/**
 * What a FAIL answer's words say went wrong, where the gateway's checks tell it (they run in the order
 * required fields, merchant, sign, order): an unknown merchant id or a sign it computed otherwise.
 */
export function failureCause(response: Response): 'unknown-merchant' | 'bad-sign' | undefined {
  const words = `${text(response.retMsg) ?? ''} ${text(response.errCodeDes) ?? ''}`.toLowerCase();
  // Narrow on purpose: "channelId X is not open for this merchant" is not an unknown merchant.
  if (/mchinfo|unknown merchant|merchant (?:does not exist|not found)|商户不存在|商户信息/.test(words)) return 'unknown-merchant';
  if (/\bsign\b|signature|签名/.test(words)) return 'bad-sign';
  return undefined;
}

export interface SignatureCheck {
  verdict: SignatureVerdict;
  reason?: string;
}

/** The response sign under the merchant key: verified, mismatch, unverifiable (nested values) or absent. */
export function checkResponseSign(response: Response, key: string): SignatureCheck {
  const result = verify(response, key);
  switch (result.status) {
    case 'valid':
      return { verdict: 'verified' };
    case 'mismatch':
      return { verdict: 'mismatch', reason: `expected ${result.expected}, received ${result.received}` };
    case 'unverifiable': {
      const flat = result.withoutNested;
      if (!flat) return { verdict: 'unverifiable', reason: result.reason };
      const hint = flat.matches ? 'the other fields match the sign' : 'the sign does not match the other fields either';
      return { verdict: 'unverifiable', reason: `nested values (${flat.nestedFields.join(', ')}); ${hint}` };
    }
    default:
      return { verdict: 'absent', reason: 'the response carries no sign' };
  }
}

/**
 * The first id in an answer that names another order than the one asked about (`mchOrderNo "B", asked about
 * "A"`), or undefined; ids the answer leaves out are not compared. A sign proves the gateway wrote an answer,
 * not that it answers this request: one replayed or mixed up from another order (a caching proxy, say) must
 * not pass for this one's. Case and surrounding spaces are not compared: a gateway whose database matches
 * ids that way (MySQL's default collation does) answers `iot123` with the order it stored as `IOT123`.
 */
export function otherOrder(answer: Response, asked: Readonly<Record<string, string | undefined>>): string | undefined {
  const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();
  for (const [field, want] of Object.entries(asked)) {
    const got = answer[field];
    if (want === undefined || got === undefined || got === null || got === '') continue;
    if (!same(String(got), want)) return `${field} ${JSON.stringify(String(got))}, asked about ${JSON.stringify(want)}`;
  }
  return undefined;
}

/** The order of a query_order answer: at the top level, or under `result` in some gateway versions. */
export function queryOrder(response: Response): Response {
  const nested = response.result;
  if (nested && typeof nested === 'object' && !Array.isArray(nested)) return nested as Response;
  if (typeof nested === 'string' && nested.trim().startsWith('{')) {
    try {
      const parsed = JSON.parse(nested) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Response;
    } catch {
      // not JSON: fall back to the top level
    }
  }
  return response;
}

export function orderStatus(response: Response): number | undefined {
  return parseStatus(queryOrder(response).status);
}

export interface PaymentPresentation {
  kind: PaymentKind;
  /** What to show, scan, open or hand to the SDK. */
  value: string;
  /** Where the value came from, e.g. `codeUrl` or `retParams.url`. */
  source?: string;
}

function objectOf(v: FieldValue): Record<string, FieldValue> | undefined {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, FieldValue>;
  if (typeof v === 'string' && v.trim().startsWith('{')) {
    try {
      const parsed = JSON.parse(v) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, FieldValue>;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const isUrl = (v: string) => /^https?:\/\//i.test(v);

/** The first candidate that holds a usable string: `retParams.url` looks inside retParams. */
function pick(response: Response, candidates: string[], accept: (v: string) => boolean = () => true) {
  const retParams = objectOf(response.retParams);
  for (const path of candidates) {
    const raw = path.startsWith('retParams.') ? retParams?.[path.slice('retParams.'.length)] : response[path];
    const value = text(raw ?? undefined);
    if (value !== undefined && accept(value)) return { value, source: path };
  }
  return undefined;
}

/** What the customer or the app needs for this channel's answer. */
export function paymentPresentation(channelId: string, response: Response): PaymentPresentation {
  const kind = findChannel(channelId)?.kind;
  const qr = () => pick(response, ['codeUrl', 'qr_code', 'qrCode', 'codeImgUrl', 'payUrl']);
  let found: { value: string; source: string } | undefined;
  switch (kind) {
    case 'qr':
      found = channelId === 'ALIPAY_QR' ? pick(response, ['qr_code', 'qrCode', 'codeUrl']) : qr();
      return found ? { kind: 'qr', ...found } : { kind: 'none', value: '' };
    case 'redirect':
      found =
        channelId === 'UPI_SEQ'
          ? pick(response, ['retParams.unionpayUrl', 'payUrl', 'retParams.url'], isUrl)
          : pick(response, ['retParams.url', 'retParams.alipayUrl', 'payUrl'], isUrl);
      return found ? { kind: 'redirect', ...found } : { kind: 'none', value: '' };
    case 'scheme':
      found = pick(response, ['payParams', 'retParams.schemeUrl'], (v) => /^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !isUrl(v));
      found ??= pick(response, ['retParams.url'], isUrl);
      return found ? { kind: found.source === 'retParams.url' ? 'redirect' : 'scheme', ...found } : { kind: 'none', value: '' };
    case 'sdk': {
      const params = response.payParams ?? response.retParams;
      if (params === undefined || params === null || params === '') return { kind: 'none', value: '' };
      return {
        kind: 'sdk',
        value: typeof params === 'string' ? params : JSON.stringify(params),
        source: response.payParams !== undefined ? 'payParams' : 'retParams',
      };
    }
    case 'card': {
      const extra = response.extra;
      if (extra === undefined || extra === null || extra === '') return { kind: 'none', value: '' };
      return { kind: 'card', value: typeof extra === 'string' ? extra : JSON.stringify(extra), source: 'extra' };
    }
    default:
      // An unknown channel: show whatever payment data the answer carries.
      found = pick(response, ['codeUrl', 'qr_code', 'qrCode']);
      if (found) return { kind: 'qr', ...found };
      found = pick(response, ['retParams.url', 'payUrl'], isUrl);
      return found ? { kind: 'redirect', ...found } : { kind: 'none', value: '' };
  }
}
