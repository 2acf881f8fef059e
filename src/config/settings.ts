// The settings a profile can hold, their flags and env vars, and how each value is checked.
import { clientIpProblem } from '../core/client-ip.js';

export type SettingKey =
  | 'mchId'
  | 'key'
  | 'jobNo'
  | 'baseUrl'
  | 'timeout'
  | 'currency'
  | 'notifyUrl'
  | 'returnUrl'
  | 'clientIp'
  | 'device';

export interface SettingSpec {
  key: SettingKey;
  /** The name users type: `iotpay config set mch-id …`. */
  name: string;
  flag?: string;
  env?: string;
  defaultValue?: string;
  secret?: boolean;
  description: string;
  /** Returns an error message for a bad value, or undefined. */
  check?: (value: string) => string | undefined;
  /** The form a checked value is stored in (a currency code in capitals, as create sends it). */
  normalize?: (value: string) => string;
}

export const DEFAULT_BASE_URL = 'https://api.iotpaycloud.com/v1';

/** Credentials the mock uses when none are configured: documented, never valid anywhere else. */
export const SANDBOX = { mchId: '10000001', key: 'iotpay-sandbox-key-not-a-secret', jobNo: 'sandbox' } as const;

/** Loopback or a private (RFC 1918) IPv4 range: no server on the internet can call it. */
export function isUnreachableHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const privateIpv4 = /^(?:10(?:\.\d{1,3}){3}|192\.168(?:\.\d{1,3}){2}|172\.(?:1[6-9]|2\d|3[01])(?:\.\d{1,3}){2})$/;
  return isLoopbackHost(host) || privateIpv4.test(host) || host.endsWith('.local');
}

/** Whether a gateway at `baseUrl` can never call `notifyUrl`: on this machine or a private network, the gateway not local. */
export function notifyUnreachable(notifyUrl: string, baseUrl: string): boolean {
  if (!URL.canParse(notifyUrl) || !URL.canParse(baseUrl)) return false;
  return !isLoopbackHost(new URL(baseUrl).hostname) && isUnreachableHost(new URL(notifyUrl).hostname);
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * A duration written with a unit (`5s`, `2m`, `1500ms`) in the unit a flag takes, as ` (did you mean 5000?)`;
 * empty when the text has no such form, or the value would not be a whole number of that unit up to `max`.
 */
export function durationHint(text: string, unit: 'ms' | 's', max = Number.MAX_SAFE_INTEGER): string {
  const m = /^(\d{1,9})\s*(ms|s|sec|m|min|h)$/i.exec(text.trim());
  if (!m) return '';
  const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
  const value = unit === 'ms' ? ms : ms / 1000;
  return Number.isSafeInteger(value) && value > 0 && value <= max ? ` (did you mean ${value}?)` : '';
}

/** Whether a timeout setting is usable: whole milliseconds, 1 to 99,999,999 (about 28 hours). */
export function checkTimeout(v: string): string | undefined {
  return /^[1-9]\d{0,7}$/.test(v) ? undefined : `timeout must be a whole number of milliseconds from 1 to 99999999, got "${v}"${durationHint(v, 'ms', 99_999_999)}`;
}

/** Where quotes around a value most often come from. */
export const QUOTES_WHY = 'docker --env-file and some CI settings keep the quotes a .env file has';

/** A value wrapped in a pair of quotes: almost always quotes copied from a .env file, not part of the value. */
export function inQuotes(value: string): boolean {
  return value.length >= 2 && /^(["']).*\1$/s.test(value);
}

/** Why a base URL is refused, or undefined: https anywhere, plain http only on loopback. */
export function checkBaseUrl(value: string): string | undefined {
  if (inQuotes(value)) return `${value} is in quotes, which are part of the value: remove them (${QUOTES_WHY})`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not a URL (expected e.g. ${DEFAULT_BASE_URL})`;
  }
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return isLoopbackHost(url.hostname)
      ? undefined
      : `plain http:// is refused for ${url.hostname}: use https:// (http is allowed only on loopback)`;
  }
  return `"${value}" is not an http(s) URL`;
}

/** Why a URL the gateway or a browser must open is refused, or undefined: an http(s) URL. */
export function checkWebUrl(value: string): string | undefined {
  let problem: string;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return undefined;
    problem = `"${value}" is not an http(s) URL`;
  } catch {
    problem = `"${value}" is not a URL`;
  }
  // Written without its scheme (shop.example/notify, localhost:3000/n): the URL it surely meant.
  if (!value.includes('://') && !value.includes('@') && URL.canParse(`http://${value}`)) {
    const host = new URL(`http://${value}`).hostname;
    if (isLoopbackHost(host)) return `${problem} (did you mean http://${value}?)`;
    if (/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(host)) return `${problem} (did you mean https://${value}?)`;
  }
  return problem;
}

export const SETTINGS: readonly SettingSpec[] = [
  { key: 'mchId', name: 'mch-id', flag: '--mch-id', env: 'IOTPAY_MCH_ID', description: 'merchant id assigned by IOTPay' },
  {
    key: 'key',
    name: 'key',
    flag: '--key',
    env: 'IOTPAY_KEY',
    secret: true,
    description: 'merchant key used to sign (never displayed)',
    check: (v) => (v.length === 0 ? 'the key is empty' : undefined),
  },
  { key: 'jobNo', name: 'job-no', flag: '--job-no', env: 'IOTPAY_JOB_NO', description: 'merchant login name (jobNo)' },
  {
    key: 'baseUrl',
    name: 'base-url',
    flag: '--base-url',
    env: 'IOTPAY_BASE_URL',
    defaultValue: DEFAULT_BASE_URL,
    description: 'API base URL',
    check: checkBaseUrl,
  },
  {
    key: 'timeout',
    name: 'timeout',
    flag: '--timeout',
    env: 'IOTPAY_TIMEOUT',
    defaultValue: '15000',
    description: 'request timeout in milliseconds',
    check: checkTimeout,
  },
  {
    key: 'currency',
    name: 'currency',
    defaultValue: 'CAD',
    description: 'default currency (3 letters)',
    check: (v) => (/^[A-Za-z]{3}$/.test(v) ? undefined : `currency must be 3 letters, got "${v}"`),
    normalize: (v) => v.toUpperCase(),
  },
  { key: 'notifyUrl', name: 'notify-url', description: 'default notifyUrl for create', check: checkWebUrl },
  { key: 'returnUrl', name: 'return-url', description: 'default returnUrl for create', check: checkWebUrl },
  { key: 'clientIp', name: 'client-ip', description: 'default clientIp for create', check: clientIpProblem },
  { key: 'device', name: 'device', description: 'default device for create' },
];

/** Finds a setting by its name (`mch-id`) or its field name (`mchId`), case-insensitively. */
export function findSetting(name: string): SettingSpec | undefined {
  const wanted = name.toLowerCase().replace(/[-_]/g, '');
  return SETTINGS.find((s) => s.key.toLowerCase() === wanted || s.name.replace(/-/g, '') === wanted);
}

export function settingSpec(key: SettingKey): SettingSpec {
  return SETTINGS.find((s) => s.key === key)!;
}
