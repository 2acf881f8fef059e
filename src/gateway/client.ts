// The HTTP client for the gateway (undici): params= form transport, one dispatcher, bounded bodies, mapped errors.
import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import type { Context } from '../context.js';
import type { Params } from '../core/order.js';
import type { Response } from '../core/response.js';
import { requireSetting } from '../credentials.js';
import { checkBaseUrl, checkTimeout, DEFAULT_BASE_URL, isLoopbackHost } from '../config/settings.js';
import { fileProblem, TransportError, UsageError } from '../errors.js';
import { clipped, printable } from '../core/printable.js';
import { VERSION } from '../version.js';

export type Endpoint = 'create_order' | 'query_order' | 'refund_order';

export const MAX_RESPONSE_BYTES = 1024 * 1024;

export interface GatewayAnswer {
  status: number;
  body: Response;
  /** The server's Date header, for clock-skew checks. */
  date?: string;
}

export interface GatewayClient {
  baseUrl: string;
  timeoutMs: number;
  /** `stop` aborts the request (Ctrl-C); the caller says what that means. */
  call: (endpoint: Endpoint, params: Params, stop?: AbortSignal) => Promise<GatewayAnswer>;
  close: () => Promise<void>;
}

/** The one `params=<json>` form field the gateway reads. */
export function formBody(params: Params): string {
  return new URLSearchParams({ params: JSON.stringify(params) }).toString();
}

function envFirst(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  for (const name of names) if (env[name]) return env[name];
  return undefined;
}

/**
 * A proxy variable's value as a URL. `proxy.corp:3128` (no scheme) is common and means http://, as curl
 * reads it; a value that is no URL at all is exit 2 naming the variable, not a crash at the first request.
 */
function proxyUrl(env: NodeJS.ProcessEnv, ...names: string[]): string | undefined {
  const name = names.find((n) => env[n]);
  const value = name ? env[name]!.trim() : undefined;
  if (!name || !value) return undefined;
  const url = value.includes('://') ? value : `http://${value}`;
  // undici speaks to http, https and SOCKS5 proxies.
  if (!URL.canParse(url) || !/^(?:https?|socks5?):$/.test(new URL(url).protocol) || new URL(url).hostname === '') {
    throw new UsageError(`${name} "${value}" is not a proxy URL`, `set it like http://proxy.example:3128, or unset it`);
  }
  return url;
}

/** The proxy the environment names for `url` (loopback hosts are reached directly); NO_PROXY is undici's to apply. */
export function proxyFor(env: NodeJS.ProcessEnv, url: URL): string | undefined {
  if (isLoopbackHost(url.hostname)) return undefined;
  return url.protocol === 'https:' ? proxyUrl(env, 'HTTPS_PROXY', 'https_proxy') : proxyUrl(env, 'HTTP_PROXY', 'http_proxy');
}

/**
 * One dispatcher for the requests to `baseUrl`: timeouts, the proxy the environment names for it (none for
 * loopback: a local mock is this machine's, which a proxy cannot reach), optional CA file.
 */
export async function createDispatcher(env: NodeJS.ProcessEnv, timeoutMs: number, caFile: string | undefined, baseUrl: URL): Promise<Dispatcher> {
  const { Agent, EnvHttpProxyAgent } = await import('./undici.js');
  let ca: Buffer | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile);
    } catch (err) {
      throw new UsageError(`cannot read --ca-file ${caFile}: ${fileProblem(err)}`);
    }
    // Node reads only PEM: a DER file (.cer, .der) would fail later, at the handshake, as an untrusted certificate.
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new UsageError(
        `--ca-file ${caFile} holds no PEM certificate (no -----BEGIN CERTIFICATE----- line)`,
        'give the CA certificate in PEM form; convert a DER one with: openssl x509 -inform der -in ca.cer -out ca.pem',
      );
    }
  }
  const connect = { timeout: timeoutMs, ...(ca ? { ca } : {}) };
  const common = { connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs };
  // Only the variable for the gateway's scheme is read: an odd HTTP_PROXY cannot break https requests.
  const proxy = proxyFor(env, baseUrl);
  if (proxy) {
    return new EnvHttpProxyAgent({
      ...common,
      // Through a proxy, `connect` reaches only the NO_PROXY hosts: the tunnelled connection to the gateway takes
      // its CA and timeout from requestTls, the one to the proxy its timeout from proxyTls.
      requestTls: connect,
      proxyTls: { timeout: timeoutMs },
      // Both set: undici would read any one left out from process.env itself (and throw on an odd value there).
      httpProxy: proxy,
      httpsProxy: proxy,
      noProxy: envFirst(env, 'NO_PROXY', 'no_proxy') ?? '',
    });
  }
  return new Agent(common);
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_NOT_YET_VALID',
]);

/** The TLS code of a certificate that was not trusted (self-signed, unknown issuer, expired, wrong name), if that is the failure. */
export function untrustedCertificate(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  return code !== undefined && TLS_CODES.has(code) ? code : undefined;
}

/**
 * Failures that happen before a byte of the request is written: the connection was refused,
 * the name did not resolve, or the certificate was refused during the handshake. Anything
 * else (a timeout, a reset) may have come after the server read the request.
 */
export function neverSent(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || untrustedCertificate(err) !== undefined;
}

/**
 * One line saying what went wrong on the wire; `caFile` is the --ca-file that was trusted, and `proxy` the
 * proxy the environment names for this URL, if any: a refusal or unknown name that is the proxy's says so.
 */
export function describeTransportError(err: unknown, url: URL, timeoutMs: number, caFile?: string, proxy?: string): string {
  const e = err as { code?: string; name?: string; message?: string; port?: number; hostname?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const host = url.host;
  if (proxy && (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')) {
    const p = new URL(proxy);
    const proxyPort = p.port || (p.protocol === 'https:' ? '443' : '80');
    const gatewayPort = url.port || (url.protocol === 'https:' ? '443' : '80');
    const theProxy = code === 'ECONNREFUSED' ? e.port !== undefined && String(e.port) === proxyPort && proxyPort !== gatewayPort : e.hostname === p.hostname;
    if (theProxy) {
      const from = url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY';
      return code === 'ECONNREFUSED' ? `connection to the proxy ${p.host} (from ${from}) refused` : `cannot resolve the proxy ${p.hostname} (from ${from}; DNS)`;
    }
  }
  if (e.name === 'TimeoutError' || e.name === 'AbortError' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return `no answer from ${host} within ${timeoutMs} ms (timeout)`;
  }
  if (code === 'ECONNREFUSED') return `connection to ${host} refused`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve ${url.hostname} (DNS)`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') return `connection to ${host} was reset`;
  if (code && TLS_CODES.has(code)) {
    return caFile
      ? `TLS certificate of ${host} is not trusted (${code}), not even with --ca-file ${caFile}: that file does not hold the CA that signed it`
      : `TLS certificate of ${host} is not trusted (${code}); pass --ca-file <pem> to trust a private CA`;
  }
  if (code?.startsWith('ERR_TLS') || code?.startsWith('ERR_SSL')) return `TLS handshake with ${host} failed (${code})`;
  return `request to ${host} failed: ${e.message ?? String(err)}${code ? ` (${code})` : ''}`;
}

async function readBounded(body: AsyncIterable<Buffer> & { destroy?: () => void }, host: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy?.();
      throw new TransportError(`the answer from ${host} is larger than 1 MiB: not a gateway response`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function snippet(text: string): string {
  return clipped(text.replace(/\s+/g, ' ').trim(), 60);
}

export interface PostOptions {
  timeoutMs: number;
  /** The proxy the environment names for this request's URL, named when it is the one that failed. */
  proxy?: string | undefined;
  /** Aborts the request (Ctrl-C). */
  stop?: AbortSignal | undefined;
  /** The --ca-file the dispatcher trusts, named when a certificate is still refused. */
  caFile?: string | undefined;
}

/** POSTs one signed params set and returns the JSON object the gateway answered. */
export async function postParams(
  dispatcher: Dispatcher,
  baseUrl: string,
  endpoint: Endpoint,
  params: Params,
  { timeoutMs, stop, caFile, proxy }: PostOptions,
): Promise<GatewayAnswer> {
  const url = new URL(`${baseUrl.replace(/\/+$/, '')}/${endpoint}`);
  const { request } = await import('./undici.js');
  let res: Dispatcher.ResponseData;
  try {
    res = await request(dispatcher, url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'user-agent': `iotpay-cli/${VERSION}`,
      },
      body: formBody(params),
      signal: stop ? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop]) : AbortSignal.timeout(timeoutMs),
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
  } catch (err) {
    throw new TransportError(describeTransportError(err, url, timeoutMs, caFile, proxy), undefined, !neverSent(err));
  }
  const { statusCode, headers } = res;
  // Destroying the body early (redirects, oversize answers) must not surface as an unhandled 'error'.
  res.body.on('error', () => {});
  let raw: string;
  try {
    if (statusCode >= 300 && statusCode < 400) {
      res.body.destroy();
      const location = headers.location ? ` to ${String(headers.location)}` : '';
      throw new TransportError(`${url.host} answered HTTP ${statusCode} (redirect${location}): not followed, the params were not re-sent`);
    }
    const length = Number(headers['content-length']);
    if (Number.isFinite(length) && length > MAX_RESPONSE_BYTES) {
      res.body.destroy();
      throw new TransportError(`the answer from ${url.host} is larger than 1 MiB: not a gateway response`);
    }
    raw = await readBounded(res.body, url.host);
  } catch (err) {
    if (err instanceof TransportError) throw err;
    throw new TransportError(describeTransportError(err, url, timeoutMs, caFile, proxy));
  }
  if (statusCode < 200 || statusCode >= 300) {
    // 404/405 say the address is wrong, most often a base URL without its /v1.
    const wrongAddress = statusCode === 404 || statusCode === 405;
    const base = baseUrl.replace(/\/+$/, '');
    const hint = !wrongAddress
      ? undefined
      : base.endsWith('/v1')
        ? `check the base URL (${base}): nothing there serves ${endpoint}`
        : `the base URL ${base} has no /v1 (as in ${DEFAULT_BASE_URL}): try ${base}/v1`;
    throw new TransportError(`${url.host} answered HTTP ${statusCode}${wrongAddress ? ` for ${url.pathname}` : ''}${raw ? `: ${snippet(raw)}` : ''}`, hint, true, wrongAddress);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new TransportError(`the answer from ${url.host} is not JSON${raw ? ` (it starts "${snippet(raw).slice(0, 30)}")` : ' (empty body)'}`);
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new TransportError(`the answer from ${url.host} is JSON but not an object`);
  }
  const date = headers.date;
  return { status: statusCode, body: body as Response, ...(typeof date === 'string' ? { date } : {}) };
}

export interface GatewayOptions {
  caFile?: string;
}

/** The base URL from the settings; a URL that is not one, or plain http off loopback, is exit 2. */
export async function gatewayBaseUrl(ctx: Context): Promise<string> {
  return checkedSetting(ctx, 'baseUrl', checkBaseUrl, (problem, origin) => `base URL (from ${origin}) refused: ${problem}`);
}

/** A setting the gateway needs, or exit 2 saying what is wrong with it and where it was read from. */
async function checkedSetting(
  ctx: Context,
  key: 'baseUrl' | 'timeout',
  check: (value: string) => string | undefined,
  say: (problem: string, origin: string) => string = (problem, origin) => `${problem} (from ${origin})`,
): Promise<string> {
  const value = await requireSetting(ctx, key, 'to reach the gateway');
  const problem = check(value);
  if (problem) throw new UsageError(say(problem, (await ctx.settings.resolve(key))?.origin ?? 'default'));
  return value;
}

/** Resolves base URL and timeout from the settings, refuses plain http off loopback, and opens the client. */
export async function openGateway(ctx: Context, opts: GatewayOptions = {}): Promise<GatewayClient> {
  const baseUrl = await gatewayBaseUrl(ctx);
  const timeoutMs = Number(await checkedSetting(ctx, 'timeout', checkTimeout));
  const dispatcher = ctx.dispatcher ?? (await createDispatcher(ctx.env, timeoutMs, opts.caFile, new URL(baseUrl)));
  const proxy = proxyFor(ctx.env, new URL(baseUrl));
  return {
    baseUrl,
    timeoutMs,
    call: async (endpoint, params, stop) => {
      // --verbose shows both sides of the exchange, as signed and as answered (the key is never in either).
      ctx.debug(`POST ${baseUrl.replace(/\/+$/, '')}/${endpoint}  params=${JSON.stringify(params)}`);
      const started = Date.now();
      const answer = await postParams(dispatcher, baseUrl, endpoint, params, { timeoutMs, stop, caFile: opts.caFile, proxy });
      ctx.debug(`← HTTP ${answer.status} in ${Date.now() - started} ms: ${printable(JSON.stringify(answer.body))}`);
      return answer;
    },
    close: async () => {
      if (!ctx.dispatcher) await dispatcher.close();
    },
  };
}
