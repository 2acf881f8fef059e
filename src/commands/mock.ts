// `iotpay mock`: a local gateway for offline development and CI, until SIGINT or SIGTERM.
import type { Context } from '../context.js';
import { durationHint } from '../config/settings.js';
import { maskKey } from '../core/mask.js';
import { otherProfileKeys } from '../credentials.js';
import { UsageError } from '../errors.js';
import { mockEventLine } from '../render/events.js';
import { count } from '../render/words.js';
import { SANDBOX, startMock, type MockEvent, type MockFault } from '../servers/mock.js';
import { untilSignal } from '../servers/signals.js';
import { describeListenError, parsePort } from './serve-options.js';

export interface MockCommandOptions {
  port?: string;
  host: string;
  autoPay?: string;
  expireAfter?: string;
  latency?: string;
  fault?: string;
  notifyAttempts?: string;
  retryDelay?: string;
  skipVerify?: boolean;
}

/** What each --fault makes the mock do, for its banner; its keys are the faults there are. */
const FAULT_WORDS: Record<MockFault, string> = {
  http500: 'answers every gateway call with HTTP 500 (--fault http500)',
  timeout: 'never answers a gateway call (--fault timeout)',
  badsign: 'signs every answer wrongly (--fault badsign)',
};
const FAULTS = Object.keys(FAULT_WORDS) as MockFault[];

/** A flag's whole number; `unit` (seconds or milliseconds) names it in the message, and a `5s` given to it is read back. */
function wholeNumber(text: string | undefined, flag: string, max: number, unit?: 's' | 'ms'): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text) || Number(text) > max) {
    const what = unit === 's' ? 'a whole number of seconds' : unit === 'ms' ? 'a whole number of milliseconds' : 'a whole number';
    throw new UsageError(`${flag} must be ${what} up to ${max}, got "${text}"${unit ? durationHint(text, unit, max) : ''}`);
  }
  return Number(text);
}

/** The configured merchant id and key, or the documented sandbox pair when no key is configured. */
export async function mockCredentials(ctx: Context): Promise<{ mchId: string; key: string; sandbox: boolean }> {
  const key = await ctx.settings.resolve('key');
  const mchId = await ctx.settings.resolve('mchId');
  if (!key) return { mchId: mchId?.value ?? SANDBOX.mchId, key: SANDBOX.key, sandbox: true };
  ctx.addSecret(key.value);
  return { mchId: mchId?.value ?? SANDBOX.mchId, key: key.value, sandbox: false };
}

export async function runMock(opts: MockCommandOptions, ctx: Context): Promise<void> {
  ctx.streams.useAsyncStdout?.();
  const port = parsePort(opts.port, 4010);
  if (opts.fault !== undefined && !FAULTS.includes(opts.fault as MockFault)) {
    throw new UsageError(`--fault must be one of ${FAULTS.join(', ')}, got "${opts.fault}"`);
  }
  const autoPay = wholeNumber(opts.autoPay, '--auto-pay', 86400, 's');
  const expireAfter = wholeNumber(opts.expireAfter, '--expire-after', 86400, 's');
  const latency = wholeNumber(opts.latency, '--latency', 600000, 'ms');
  const attempts = wholeNumber(opts.notifyAttempts, '--notify-attempts', 100);
  const retryDelay = wholeNumber(opts.retryDelay, '--retry-delay', 3600000, 'ms');
  const creds = await mockCredentials(ctx);
  // Under load a write per request costs more than the request itself: lines are gathered and
  // written together, at most 10 ms after the first of them or once 32 KB are waiting.
  let pending: string[] = [];
  let waiting = 0;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length > 0) ctx.out(pending.join('\n'));
    pending = [];
    waiting = 0;
  };
  const log = (line: string) => {
    pending.push(line);
    waiting += line.length;
    if (waiting >= 32 * 1024) flush();
    else timer ??= setTimeout(flush, 10);
  };
  // What happened, said when the mock stops.
  const seen: Seen = { requests: 0, failed: 0, faulted: 0, noEndpoint: 0, payments: 0, cancelled: 0, delivered: 0, undelivered: 0, refunds: 0 };
  let mock;
  try {
    mock = await startMock({
      mchId: creds.mchId,
      key: creds.key,
      otherKeys: await otherProfileKeys(ctx, creds.key, 'start the mock'),
      port,
      host: opts.host,
      ...(autoPay !== undefined ? { autoPaySeconds: autoPay } : {}),
      ...(expireAfter !== undefined ? { expireSeconds: expireAfter } : {}),
      ...(latency !== undefined ? { latencyMs: latency } : {}),
      ...(opts.fault ? { fault: opts.fault as MockFault } : {}),
      ...(attempts !== undefined ? { notifyAttempts: attempts } : {}),
      ...(retryDelay !== undefined ? { retryDelayMs: retryDelay } : {}),
      ...(opts.skipVerify ? { notifySkipVerify: true } : {}),
      ...(ctx.verbose ? { exchanges: true } : {}),
      log: (e) => {
        tally(seen, e);
        log(mockEventLine(ctx, e));
      },
    });
  } catch (err) {
    throw describeListenError(err, opts.host, port);
  }
  const shownKey = creds.sandbox ? creds.key : maskKey(creds.key);
  // What it was started to do differently (only what was given): a field of the --json listening line, and words of
  // the human banner.
  const startedWith = [
    autoPay !== undefined && { field: 'autoPaySeconds', value: autoPay, words: `pays each order ${autoPay} s after it is created` },
    expireAfter !== undefined && { field: 'expireAfterSeconds', value: expireAfter, words: `expires each order still unpaid ${expireAfter} s after it is created` },
    latency !== undefined && { field: 'latencyMs', value: latency, words: `answers after ${latency} ms` },
    opts.fault !== undefined && { field: 'fault', value: opts.fault, words: FAULT_WORDS[opts.fault as MockFault] },
    opts.skipVerify === true && { field: 'skipVerify', value: true, words: 'delivers notifies to https receivers without checking their certificate' },
  ].filter((b) => b !== false);
  if (ctx.json) {
    ctx.out(
      JSON.stringify({
        event: 'listening',
        baseUrl: mock.baseUrl,
        mchId: creds.mchId,
        sandbox: creds.sandbox,
        ...(creds.sandbox ? { key: creds.key } : {}),
        ...Object.fromEntries(startedWith.map((b) => [b.field, b.value])),
      }),
    );
  } else {
    ctx.out(`${ctx.color.green('●')} mock gateway on ${ctx.color.bold(mock.baseUrl)}  (mchId ${creds.mchId}, key ${shownKey})`);
    if (creds.sandbox) ctx.out(ctx.color.dim('  no key configured: using the sandbox credentials above (they work only here)'));
    ctx.out(ctx.color.dim(`  point the CLI at it: IOTPAY_BASE_URL=${mock.baseUrl}   orders, to pay by hand: ${mock.url}/ in a browser, or POST ${mock.url}/mock/orders/<payOrderId>/pay`));
    // Said where a terminal left running shows it: a forgotten --fault is otherwise a mystery of failing requests.
    if (startedWith.length > 0) ctx.out(ctx.color.yellow(`  ${startedWith.map((b) => b.words).join('; ')}`));
  }
  const signal = await untilSignal();
  ctx.debug(`${signal}: shutting down`);
  await mock.close();
  flush();
  // --json: the same counts as the last line, for a script that checks what its run did.
  if (ctx.json) ctx.out(JSON.stringify({ event: 'stopped', ...seen }));
  else ctx.out(ctx.color.dim(`mock stopped${summary(seen)}`));
}

interface Seen {
  requests: number;
  /** Requests answered FAIL. */
  failed: number;
  /** Requests given a simulated fault (--fault): an HTTP 500, or no answer. */
  faulted: number;
  /** Requests that look like API calls to a path that is none (404): a client with the wrong base URL. */
  noEndpoint: number;
  payments: number;
  /** Orders cancelled through /mock/orders/<id>/cancel or /expire, or the checkout page. */
  cancelled: number;
  delivered: number;
  undelivered: number;
  refunds: number;
}

function tally(seen: Seen, e: MockEvent): void {
  if (e.event === 'request') {
    seen.requests++;
    if (e.fault !== undefined) seen.faulted++;
    else if (e.http === 404) seen.noEndpoint++;
    else if (e.retCode !== 'SUCCESS') seen.failed++;
  } else if (e.event === 'payment') seen.payments++;
  else if (e.event === 'cancel') seen.cancelled++;
  else if (e.event === 'notify') {
    if (e.ok === true) seen.delivered++;
    else seen.undelivered++;
  } else if (e.event === 'refund') seen.refunds++;
}

/** ` after 120 requests (2 answered FAIL), 40 payments, 38 notifies delivered (3 attempts failed), 3 refunds`. */
function summary(seen: Seen): string {
  if (seen.requests === 0) return ': no request arrived';
  const oddOnes = [seen.failed > 0 ? `${seen.failed} answered FAIL` : '', seen.faulted > 0 ? `${seen.faulted} given the --fault` : '', seen.noEndpoint > 0 ? `${seen.noEndpoint} sent to no endpoint` : ''].filter((p) => p !== '');
  const parts = [
    `${count(seen.requests, 'request')}${oddOnes.length > 0 ? ` (${oddOnes.join(', ')})` : ''}`,
    seen.payments > 0 ? count(seen.payments, 'payment') : '',
    seen.cancelled > 0 ? `${seen.cancelled} cancelled` : '',
    seen.delivered + seen.undelivered > 0
      ? `${count(seen.delivered, 'notify', 'notifies')} delivered${seen.undelivered > 0 ? ` (${count(seen.undelivered, 'attempt')} failed)` : ''}`
      : '',
    seen.refunds > 0 ? count(seen.refunds, 'refund') : '',
  ];
  return ` after ${parts.filter((p) => p !== '').join(', ')}`;
}
