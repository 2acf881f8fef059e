// `iotpay create`: build, check, sign and post a create_order, verify the answer, show the payment, optionally wait.
import { checkWebUrl, DEFAULT_BASE_URL, notifyUnreachable } from '../config/settings.js';
import type { Context } from '../context.js';
import { canonicalString } from '../core/canonical.js';
import { likelyJsonSlip, lostInParsing, numberLost } from '../core/input.js';
import { CREATE_CHANNELS, findChannel, type PaymentKind } from '../core/channels.js';
import { maskKey } from '../core/mask.js';
import { parseCents } from '../core/money.js';
import { printable } from '../core/printable.js';
import { buildCreateParams, generateOrderNo, validateCreate, type Finding, type Params } from '../core/order.js';
import { otherOrder, outcome, paymentPresentation, type PaymentPresentation, type SignatureVerdict } from '../core/response.js';
import { withSign } from '../core/sign.js';
import { namingKeyOverride, optionalSetting, requireCredentials } from '../credentials.js';
import { CliError, SignatureError, TransportError, UsageError } from '../errors.js';
import { formBody, gatewayBaseUrl, openGateway, type GatewayClient } from '../gateway/client.js';
import { foreignAnswer, gatewayFailure } from '../gateway/failure.js';
import { lastAnswer, queryCommand, unpaidError, waitFields, type QueryResult } from '../gateway/query.js';
import { callAndRecord } from '../history.js';
import { parseWaitTimeout, waitForPayment, waitTimeout } from './query.js';
import { askChoice, askText, givenOrAsked, missingValue } from '../prompt.js';
import type { Sandbox } from '../sandbox.js';
import { renderOrderSummary, renderPayment, signatureLine } from '../render/payment.js';

export interface CreateOptions {
  channel?: string;
  amount?: string;
  currency?: string;
  subject?: string;
  body?: string;
  notifyUrl?: string;
  returnUrl?: string;
  mchOrderNo?: string;
  clientIp?: string;
  device?: string;
  osType?: string;
  extra?: string;
  productId?: string;
  openId?: string;
  appId?: string;
  param2?: string;
  remarks?: string;
  dryRun: boolean;
  wait: boolean;
  waitTimeout?: string;
  strict: boolean;
  caFile?: string;
  sandbox?: boolean;
  /** Open a redirect channel's payment page in the browser. */
  web?: boolean;
}

/** How `create` asks for a channel's required extra key on a terminal. */
const EXTRA_QUESTIONS: Record<string, string> = {
  openId: "Payer's WeChat openId",
  appId: 'Your WeChat appId',
  productId: 'Product id',
};

/** Where each create_order field is set from the command line, for error hints. */
const FIELD_FLAGS: Record<string, string> = {
  channelId: '--channel',
  amount: '--amount',
  currency: '--currency',
  subject: '--subject',
  body: '--body',
  notifyUrl: '--notify-url (or iotpay config set notify-url)',
  returnUrl: '--return-url (or iotpay config set return-url)',
  mchOrderNo: '--mch-order-no',
  clientIp: '--client-ip',
  device: '--device',
  osType: '--os-type IOS|ANDROID',
  extra: '--extra',
  'extra.productId': '--product-id (or --extra)',
  'extra.openId': '--open-id (or --extra)',
  'extra.appId': '--app-id (or --extra)',
  param2: '--param2',
  remarks: '--remarks',
  jobNo: '--job-no, IOTPAY_JOB_NO or iotpay config set job-no',
  mchId: '--mch-id, IOTPAY_MCH_ID or iotpay config set mch-id',
};

async function resolveChannel(ctx: Context, given: string | undefined): Promise<string> {
  const channel = await givenOrAsked(ctx, given, '--channel <ID>', () =>
    askChoice(
      ctx,
      'Channel',
      CREATE_CHANNELS.map((c) => ({ value: c.id, name: `${c.id.padEnd(14)} ${c.wallet}`, description: c.description })),
    ),
  );
  return channel.trim().toUpperCase();
}

async function resolveAmount(ctx: Context, given: string | undefined): Promise<number> {
  const text = await givenOrAsked(ctx, given, '--amount <cents>', () =>
    askText(ctx, 'Amount in cents (2865 = $28.65)', {
      validate: (v) => {
        const parsed = parseCents(v);
        return parsed.ok ? true : parsed.message;
      },
    }),
  );
  return amountCents(text);
}

function amountCents(text: string): number {
  const parsed = parseCents(text);
  if (!parsed.ok) throw new UsageError(parsed.message);
  return parsed.cents;
}

/** The flags' own errors, before the sandbox's servers start (buildRequest meets them again, among the rest). */
function checkFlags(opts: CreateOptions, ctx: Context): void {
  parseWaitTimeout(opts.waitTimeout);
  if (!opts.channel && !ctx.canPrompt) throw missingValue(ctx, '--channel <ID>');
  if (opts.amount === undefined && !ctx.canPrompt) throw missingValue(ctx, '--amount <cents>');
  if (opts.amount !== undefined) amountCents(opts.amount);
  parseExtraFlag(opts.extra);
}

function parseExtraFlag(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const slip = likelyJsonSlip(text);
    throw new UsageError(`--extra is not valid JSON: ${text.slice(0, 60)}${slip ? `: ${slip}` : ''}`, `e.g. --extra '{"productId":"120989823"}'`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('--extra must be a JSON object');
  // extra is sent as its parsed object written out again: a number parsing changes (a long id) would go out changed.
  const lost = lostInParsing(text, true);
  if (lost && 'duplicate' in lost) throw new UsageError(`--extra has "${lost.name}" twice: only one of them would be sent`);
  if (lost) throw new UsageError(`--extra "${lost.name}" ${numberLost(lost.number, 'that is what would be sent')}`);
  return value as Record<string, unknown>;
}

/** Turns findings into warnings (stderr) and the first error into exit 2; --strict makes warnings errors. */
export function enforceFindings(ctx: Context, findings: Finding[], strict: boolean): void {
  const errors = findings.filter((f) => f.severity === 'error' || strict);
  // A field that is wrong is not also warned about (a 7-letter currency is not also "over 3").
  const wrong = new Set(findings.filter((f) => f.severity === 'error').map((f) => f.field));
  for (const f of findings) if (f.severity === 'warning' && !strict && !wrong.has(f.field)) ctx.warn(f.anyway ? `${f.message}: ${f.anyway}` : f.message);
  const first = errors[0];
  if (!first) return;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more: ${errors.slice(1).map((e) => e.field).join(', ')})` : '';
  const flag = FIELD_FLAGS[first.field];
  // A value that was given but is wrong needs another value, not "set it".
  const hint = flag && `${first.missing ? 'set' : 'change'} it with ${flag}`;
  throw new UsageError(`${first.message}${more}`, hint);
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export function curlCommand(url: string, params: Params): string {
  return [
    `curl -sS -X POST ${shellQuote(url)}`,
    `-H 'Content-Type: application/x-www-form-urlencoded'`,
    `--data-urlencode ${shellQuote(`params=${JSON.stringify(params)}`)}`,
  ].join(' \\\n  ');
}

interface CreateResult {
  request: Params;
  response: Params;
  signature: SignatureVerdict;
  /** What the signature line adds to the verdict (which nested values, whether the rest match). */
  signatureReason?: string;
  /** Set when the answer names another order or merchant than the request (see otherOrder). */
  foreign?: string;
  payment: PaymentPresentation;
}

async function buildRequest(opts: CreateOptions, ctx: Context, sandbox?: Sandbox): Promise<{ params: Params; key: string; mchId: string }> {
  // Credentials first: a missing key is said before any prompt, not after the user has answered them.
  const [mchId, key, jobNo] = await requireCredentials(ctx, [
    ['mchId', 'to create an order'],
    ['key', 'to sign the order'],
    ['jobNo', 'by create_order (the merchant login name)'],
  ], { elsewhere: 'or try it with no account at all: add --sandbox' });
  const channelId = await resolveChannel(ctx, opts.channel);
  const amount = await resolveAmount(ctx, opts.amount);
  const channel = findChannel(channelId);
  const notifyUrl = await givenOrAsked(ctx, opts.notifyUrl ?? (await optionalSetting(ctx, 'notifyUrl')), FIELD_FLAGS.notifyUrl!, () =>
    askText(ctx, 'Notify URL (the gateway posts the result here)', { validate: (v) => checkWebUrl(v) ?? true }),
  );
  // The sandbox has a page to come back to (no shop is needed to try a redirect channel there).
  let returnUrl = opts.returnUrl ?? (await optionalSetting(ctx, 'returnUrl')) ?? (channel?.needsReturnUrl ? sandbox?.returnUrl : undefined);
  if (channel?.needsReturnUrl && !returnUrl && ctx.canPrompt) {
    returnUrl = await askText(ctx, `Return URL (${channelId} redirects here after payment)`, { validate: (v) => checkWebUrl(v) ?? true });
  }
  let osType = opts.osType?.toUpperCase();
  if (channel?.needsOsType && !osType && ctx.canPrompt) {
    osType = await askChoice(ctx, `Customer's OS (required by ${channelId})`, [{ value: 'IOS' }, { value: 'ANDROID' }]);
  }
  const mchOrderNo = opts.mchOrderNo ?? generateOrderNo(ctx.now(), (n) => process.getBuiltinModule('node:crypto').randomBytes(n));
  const extra = parseExtraFlag(opts.extra);
  if (opts.productId !== undefined) extra.productId = opts.productId;
  if (opts.openId !== undefined) extra.openId = opts.openId;
  if (opts.appId !== undefined) extra.appId = opts.appId;
  for (const [k, v] of Object.entries(channel?.extraDefaults ?? {})) extra[k] ??= v;
  if (channelId === 'WX_NATIVE' && opts.extra === undefined && extra.productId === undefined) {
    // WeChat needs some product id for a NATIVE QR; the order number is unique and meaningful.
    extra.productId = mchOrderNo;
  }
  // On a terminal the channel's required extra keys are asked for, as its return URL and OS are.
  for (const name of ctx.canPrompt ? (channel?.extraKeys ?? []) : []) {
    if (extra[name] !== undefined && extra[name] !== null && extra[name] !== '') continue;
    extra[name] = await askText(ctx, `${EXTRA_QUESTIONS[name] ?? name} (extra.${name}, required by ${channelId})`, {
      validate: (v) => v.trim() !== '' || `${channelId} needs extra.${name}; ${FIELD_FLAGS[`extra.${name}`] ?? '--extra'} gives it without asking`,
    });
  }
  const subject = opts.subject ?? 'iotpay-cli order';
  const params = buildCreateParams({
    mchId,
    mchOrderNo,
    channelId,
    amount,
    currency: (opts.currency ?? (await optionalSetting(ctx, 'currency')) ?? 'CAD').toUpperCase(),
    clientIp: opts.clientIp ?? (await optionalSetting(ctx, 'clientIp')) ?? '127.0.0.1',
    device: opts.device ?? (await optionalSetting(ctx, 'device')) ?? 'WEB',
    ...(osType ? { osType } : {}),
    notifyUrl,
    ...(returnUrl ? { returnUrl } : {}),
    subject,
    body: opts.body ?? subject,
    jobNo,
    extra,
    ...(opts.param2 !== undefined ? { param2: opts.param2 } : {}),
    ...(opts.remarks !== undefined ? { remarks: opts.remarks } : {}),
  });
  await checkOrderUrls(ctx, notifyUrl, returnUrl);
  // A body copied from the subject is over its limit only when the subject is over its smaller one: said once.
  const findings = validateCreate(params).filter((f) => !(opts.body === undefined && f.field === 'body' && f.severity === 'warning'));
  enforceFindings(ctx, findings, opts.strict);
  return { params: withSign(params, key), key, mchId };
}

/**
 * notifyUrl and returnUrl are opened by the gateway and the customer's browser: http(s) URLs only.
 * A notifyUrl on this machine or a private network is warned about when the gateway is not local.
 */
async function checkOrderUrls(ctx: Context, notifyUrl: string, returnUrl: string | undefined): Promise<void> {
  for (const [field, value] of [['notifyUrl', notifyUrl], ['returnUrl', returnUrl]] as const) {
    const problem = value === undefined ? undefined : checkWebUrl(value);
    if (problem) throw new UsageError(`${field} ${problem}`, `change it with ${FIELD_FLAGS[field]}`);
  }
  // A base URL that is not a URL is reported where it is used; here it only decides the warning.
  const base = (await optionalSetting(ctx, 'baseUrl')) ?? DEFAULT_BASE_URL;
  if (notifyUnreachable(notifyUrl, base)) {
    ctx.warn(
      `notifyUrl ${notifyUrl} is on this machine or a private network: ${new URL(base).host} cannot call it, so no notify will arrive; expose your handler with a tunnel, or try the flow locally with iotpay mock and iotpay listen`,
    );
  }
}

async function send(ctx: Context, client: GatewayClient, request: Params, key: string): Promise<CreateResult> {
  const mchOrderNo = String(request.mchOrderNo);
  const { response, signature } = await callAndRecord(ctx, client, 'create_order', 'create', request, key, (err) =>
    !err.sent
      ? new TransportError(`${err.message}; nothing was sent, so no order was created (mchOrderNo ${mchOrderNo} is unused)`, err.hint, false)
      : err.notServed
        ? new TransportError(`${err.message}; nothing there creates orders, so none was created (mchOrderNo ${mchOrderNo} is unused)`, err.hint, true, true)
        : new TransportError(`${err.message}; the order may exist at the gateway (mchOrderNo ${mchOrderNo})`, `check with: ${queryCommand({ mchOrderNo }, ctx.sandbox)}`),
  );
  const foreign = outcome(response).ok ? otherOrder(response, { mchId: String(request.mchId), mchOrderNo }) : undefined;
  const result: CreateResult = {
    request,
    response,
    signature: signature.verdict,
    ...(signature.verdict === 'unverifiable' && signature.reason ? { signatureReason: signature.reason } : {}),
    ...(foreign ? { foreign } : {}),
    // A forged answer's payment data, or one about another order, is never presented.
    payment: signature.verdict === 'mismatch' || foreign ? { kind: 'none', value: '' } : paymentPresentation(String(request.channelId), response),
  };
  if (signature.verdict === 'absent' && outcome(response).ok) ctx.warn('the response carries no sign: it cannot be checked');
  return result;
}

/** With `wait`, the status fields of --wait: the final status, or the last seen when the wait was stopped. */
function jsonDocument(result: CreateResult, wait?: { last?: QueryResult }): Record<string, unknown> {
  return {
    request: result.request,
    response: result.response,
    signature: result.signature,
    payment: { kind: result.payment.kind, value: result.payment.value },
    ...(wait ? waitFields(wait.last) : {}),
  };
}

const NOT_A_PAGE: Record<Exclude<PaymentKind, 'redirect'>, string> = {
  qr: 'a QR code to scan',
  scheme: 'a link for the wallet app',
  sdk: "parameters for the wallet's SDK",
  card: "a card terminal's result",
  none: 'not shown',
};

/** --web: the payment page in the browser; a payment that is no page (a QR, an SDK's parameters) is said to be so. */
async function openPayment(ctx: Context, channelId: string, payment: PaymentPresentation): Promise<void> {
  if (payment.kind !== 'redirect') {
    ctx.warn(`--web: ${channelId}'s payment is ${NOT_A_PAGE[payment.kind]}, not a web page: nothing to open`);
    return;
  }
  const { openInBrowser } = await import('../browser.js');
  const problem = await openInBrowser(ctx.env, payment.value);
  if (problem) ctx.warn(`--web: the payment page was not opened (${problem}); open its URL yourself`);
  else if (!ctx.json) ctx.out(ctx.color.dim('opened in your browser'));
}

export async function runCreate(opts: CreateOptions, ctx: Context): Promise<void> {
  if (!opts.sandbox) return createOrder(opts, ctx);
  checkFlags(opts, ctx);
  const { withSandbox } = await import('../sandbox.js');
  await withSandbox(ctx, (sandbox) => createOrder({ ...opts, notifyUrl: sandbox.notifyUrl }, sandbox.ctx, sandbox));
}

async function createOrder(opts: CreateOptions, ctx: Context, sandbox?: Sandbox): Promise<void> {
  // The sandbox's checkout page is served only while the command runs: opened with --web, it is waited on (on a
  // redirect channel, known once answered), so a timeout given with --web is used.
  const webWaits = sandbox !== undefined && opts.web === true;
  const timeoutSeconds = waitTimeout(ctx, opts.waitTimeout, opts.wait || webWaits);
  const { params: request, key, mchId } = await buildRequest(opts, ctx, sandbox);

  if (opts.dryRun) {
    // Said, not refused: a script may add --dry-run to its usual flags to test itself.
    const idle = [...(opts.wait ? ['--wait'] : []), ...(opts.web ? ['--web'] : [])];
    if (idle.length > 0) ctx.warn(`${idle.join(' and ')} ${idle.length > 1 ? 'do' : 'does'} nothing with --dry-run: no order is made`);
    const baseUrl = await gatewayBaseUrl(ctx);
    const url = `${baseUrl.replace(/\/+$/, '')}/create_order`;
    const curl = curlCommand(url, request);
    if (ctx.json) {
      ctx.printJson({ request, curl });
      return;
    }
    ctx.out(ctx.color.bold('Signed request (nothing sent):'));
    ctx.out(JSON.stringify(request, null, 2));
    ctx.out('');
    ctx.out(ctx.color.dim(`# signed with key ${maskKey(key)}; form body: ${formBody(request).length} bytes`));
    // The exact text that was hashed, to hold against another client's when the gateway says "sign fail".
    ctx.out(ctx.color.dim(`# canonical: ${printable(canonicalString(request))}key=${maskKey(key)}`));
    ctx.out(curl);
    return;
  }

  const client = await openGateway(ctx, opts.caFile ? { caFile: opts.caFile } : {});
  try {
    const result = await send(ctx, client, request, key);
    const verdict = outcome(result.response);
    const mismatch = result.signature === 'mismatch';
    const wait = opts.wait || (webWaits && result.payment.kind === 'redirect');
    if (!verdict.ok || mismatch || result.foreign || !wait) {
      if (ctx.json) ctx.printJson(jsonDocument(result));
    }
    if (result.foreign) throw foreignAnswer('create_order', result.foreign, `its payment data is not shown; check with: ${queryCommand({ mchOrderNo: String(request.mchOrderNo) }, ctx.sandbox)}`);
    if (mismatch) {
      throw new SignatureError(
        'the create_order answer has a forged or wrong sign: its payment data is not shown',
        `check the merchant key, then ${queryCommand({ mchOrderNo: String(request.mchOrderNo) }, ctx.sandbox)}`,
      );
    }
    if (!verdict.ok) throw await namingKeyOverride(ctx, gatewayFailure('create_order', result.response, mchId));

    const channelId = String(request.channelId);
    if (!ctx.json) {
      renderOrderSummary(ctx, 'order created', request, result.response);
      ctx.out(`  ${signatureLine(ctx, result.signature, result.signatureReason)}`);
      await renderPayment(ctx, channelId, result.payment);
    }
    if (opts.web) await openPayment(ctx, channelId, result.payment);
    if (!ctx.json) {
      // The sandbox's checkout page lives on a port of this run only.
      if (sandbox && !wait && result.payment.kind === 'redirect') {
        ctx.out(ctx.color.dim('that page is served only while this command runs: add --wait to open it, or --web to have it opened (the sandbox pays the order after 3 s)'));
      }
      // What to run next, as gh and stripe print it: the order's status, waiting for the payment.
      if (!wait) ctx.out(ctx.color.dim(`follow it: ${queryCommand({ mchOrderNo: String(request.mchOrderNo) }, ctx.sandbox)} --wait`));
    }
    if (!wait) return;

    const ref = { mchOrderNo: String(request.mchOrderNo) };
    let waited: QueryResult;
    try {
      waited = await waitForPayment(ctx, client, mchId, key, ref, timeoutSeconds);
    } catch (err) {
      // Stopped (Ctrl-C, SIGTERM) or ended by an answer it cannot use: the order exists, so a script still gets its
      // document (its ids, its payment data), with the last status seen.
      if (ctx.json && err instanceof CliError) ctx.printJson(jsonDocument(result, { last: lastAnswer(err) }));
      throw err;
    }
    if (waited.paid && sandbox) await sandbox.notifyArrived(String(request.mchOrderNo), 3000);
    if (ctx.json) ctx.printJson(jsonDocument(result, { last: waited }));
    else ctx.out(waited.paid ? `${ctx.color.green('✓ paid')}  ${waited.statusText}` : `${ctx.color.yellow('●')} ${waited.statusText}`);
    if (!waited.paid) throw unpaidError(waited, ref, timeoutSeconds, ctx.sandbox);
  } finally {
    await client.close();
  }
}
