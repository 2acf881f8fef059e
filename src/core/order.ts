// create_order and query_order parameter sets: building them from inputs and checking them against the documented rules.
import type { FieldValue } from './canonical.js';
import { channelSuggestion, CREATE_CHANNELS, findChannel } from './channels.js';
import { clientIpProblem } from './client-ip.js';
import { MAX_AMOUNT } from './money.js';

export type Params = Record<string, FieldValue>;

/** Documented String(n) limits of create_order fields, in UTF-16 units as the Java gateway counts. */
export const FIELD_LIMITS: Readonly<Record<string, number>> = {
  mchId: 30,
  mchOrderNo: 30,
  channelId: 24,
  currency: 3,
  clientIp: 32,
  device: 64,
  osType: 10,
  notifyUrl: 200,
  subject: 64,
  body: 255,
  param1: 64,
  param2: 64,
  extra: 512,
  returnUrl: 200,
  jobNo: 50,
  remarks: 200,
};

const FIELD_LIMIT_ENTRIES = Object.entries(FIELD_LIMITS);

export const CREATE_REQUIRED = ['mchId', 'mchOrderNo', 'channelId', 'currency', 'amount', 'clientIp', 'notifyUrl', 'subject', 'body', 'jobNo'] as const;

/** The fields of the gateway's asynchronous notify, sign aside (the API page's list). */
export const NOTIFY_FIELDS = [
  'payOrderId', 'mchId', 'mchOrderNo', 'channelId', 'currency', 'amount', 'status', 'clientIp', 'device',
  'subject', 'body', 'channelOrderNo', 'param1', 'param2', 'paySuccTime', 'backType',
] as const;

export interface Finding {
  field: string;
  message: string;
  /** Errors stop the request; warnings are printed (errors too with --strict). */
  severity: 'error' | 'warning';
  /** The value is missing (rather than wrong): the fix is to give one. */
  missing?: true;
  /** Said after a warning's message, what is done with the value anyway (`sent as given`); not said of an error. */
  anyway?: string;
}

export interface CreateInput {
  mchId: string;
  mchOrderNo: string;
  channelId: string;
  amount: number;
  currency: string;
  clientIp: string;
  device?: string;
  osType?: string;
  notifyUrl: string;
  returnUrl?: string;
  subject: string;
  body: string;
  jobNo: string;
  extra?: Record<string, unknown>;
  param2?: string;
  remarks?: string;
}

/**
 * The create_order params in the seed's order. `extra` becomes a compact JSON
 * string; `param1` is never sent (the gateway puts mchOrderNo there in the notify).
 */
export function buildCreateParams(input: CreateInput): Params {
  const params: Params = {
    mchId: input.mchId,
    mchOrderNo: input.mchOrderNo,
    channelId: input.channelId,
    currency: input.currency,
    amount: input.amount,
    clientIp: input.clientIp,
    device: input.device,
    osType: input.osType,
    notifyUrl: input.notifyUrl,
    returnUrl: input.returnUrl,
    subject: input.subject,
    body: input.body,
    param2: input.param2,
    extra: input.extra && Object.keys(input.extra).length > 0 ? JSON.stringify(input.extra) : undefined,
    jobNo: input.jobNo,
    remarks: input.remarks,
  };
  for (const name of Object.keys(params)) if (params[name] === undefined) delete params[name];
  return params;
}

function isBlank(v: FieldValue): boolean {
  return v === undefined || v === null || v === '';
}

/** The parsed `extra` object, or a finding saying why it is not one. */
export function parseExtra(extra: FieldValue): { value?: Record<string, unknown>; problem?: string } {
  if (isBlank(extra)) return {};
  if (typeof extra !== 'string') return { problem: 'extra must be a JSON string inside params, not a nested object' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(extra);
  } catch {
    return { problem: 'extra is not valid JSON' };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { problem: 'extra must be a JSON object' };
  return { value: parsed as Record<string, unknown> };
}

/** Checks create_order params as the gateway would, before anything is sent. The mock skips the warnings. */
export function validateCreate(params: Params, options: { warnings?: boolean } = {}): Finding[] {
  const findings: Finding[] = [];
  const error = (field: string, message: string) => findings.push({ field, message, severity: 'error' });
  const warning = (field: string, message: string) => findings.push({ field, message, severity: 'warning' });
  const missing = (field: string, message: string) => findings.push({ field, message, severity: 'error', missing: true });

  for (const field of CREATE_REQUIRED) if (isBlank(params[field])) missing(field, `${field} is required`);

  const amount = params.amount;
  if (!isBlank(amount)) {
    const n = typeof amount === 'number' ? amount : typeof amount === 'string' && /^\d+$/.test(amount) ? Number(amount) : NaN;
    if (!Number.isInteger(n) || n <= 0 || n > MAX_AMOUNT) {
      error('amount', `amount must be a whole number of cents from 1 to ${MAX_AMOUNT}, got ${JSON.stringify(amount)}`);
    }
  }
  const currency = params.currency;
  if (typeof currency === 'string' && currency !== '' && !/^[A-Z]{3}$/.test(currency)) {
    error('currency', `currency must be 3 capital letters such as CAD, got "${currency}"`);
  }

  const channelId = typeof params.channelId === 'string' ? params.channelId : '';
  const channel = findChannel(channelId);
  if (channelId !== '' && !channel) {
    const meant = channelSuggestion(channelId);
    findings.push({ field: 'channelId', message: `unknown channel ${channelId}${meant ? ` (${meant})` : ''}`, severity: 'warning', anyway: 'sent as given' });
  }
  if (channel?.otherEndpoint) {
    error('channelId', `${channelId} is not served by create_order (it uses another endpoint); create_order serves ${CREATE_CHANNELS.map((c) => c.id).join(', ')}`);
  }

  const osType = params.osType;
  if (!isBlank(osType) && osType !== 'IOS' && osType !== 'ANDROID') error('osType', `osType must be IOS or ANDROID, got "${String(osType)}"`);
  if (channel?.needsOsType && isBlank(osType)) missing('osType', `osType (IOS or ANDROID) is required for ${channelId}`);
  if (channel?.needsReturnUrl && isBlank(params.returnUrl)) missing('returnUrl', `returnUrl is required for ${channelId}`);

  const extra = parseExtra(params.extra);
  if (extra.problem) error('extra', extra.problem);
  for (const key of channel?.extraKeys ?? []) {
    const value = extra.value?.[key];
    if (value === undefined || value === null || value === '') missing(`extra.${key}`, `extra.${key} is required for ${channelId}`);
  }

  if (!isBlank(params.param1)) warning('param1', 'param1 is filled by the gateway with mchOrderNo in the notify; leave it empty');

  if (options.warnings === false) return findings;
  const ipProblem = typeof params.clientIp === 'string' && params.clientIp !== '' ? clientIpProblem(params.clientIp) : undefined;
  if (ipProblem) warning('clientIp', ipProblem);
  for (const [field, limit] of FIELD_LIMIT_ENTRIES) {
    const value = params[field];
    if (typeof value === 'string' && value.length > limit) {
      warning(field, `${field} is ${value.length} characters, over the documented limit of ${limit}`);
    }
  }
  return findings;
}

const BASE32 = 'ABCDEFGHJKMNPQRSTVWXYZ0123456789';

/**
 * A new mchOrderNo: `IOT` + UTC time to the millisecond + 8 random characters,
 * 28 characters, sorting by time.
 */
export function generateOrderNo(now: Date, randomBytes: (n: number) => Uint8Array, prefix = 'IOT'): string {
  const iso = now.toISOString(); // 2026-11-29T18:55:48.123Z
  const stamp = iso.slice(0, 23).replace(/[-:T.]/g, '');
  const random = Array.from(randomBytes(8), (b) => BASE32[b % 32]).join('');
  return `${prefix}${stamp}${random}`;
}

export interface RefundInput {
  mchId: string;
  mchRefundNo: string;
  payOrderId: string;
  refundAmount: number;
  currency: string;
  clientIp: string;
  device?: string;
  /** The merchant login name: the same value as create_order's jobNo. */
  loginName: string;
}

/** refund_order params in the documented order. */
export function buildRefundParams(input: RefundInput): Params {
  const params: Params = {
    mchId: input.mchId,
    mchRefundNo: input.mchRefundNo,
    refundAmount: input.refundAmount,
    currency: input.currency,
    clientIp: input.clientIp,
    device: input.device,
    loginName: input.loginName,
    payOrderId: input.payOrderId,
  };
  if (params.device === undefined) delete params.device;
  return params;
}

/** query_order params: the merchant and exactly one of payOrderId / mchOrderNo. */
export function buildQueryParams(mchId: string, by: { payOrderId?: string; mchOrderNo?: string }): Params {
  return by.payOrderId ? { mchId, payOrderId: by.payOrderId } : { mchId, mchOrderNo: by.mchOrderNo };
}
