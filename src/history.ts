// history.jsonl in the config folder: one line for every order and refund this machine made, never the key.
import fs from 'node:fs';
import path from 'node:path';
import type { Context } from './context.js';
import type { Params } from './core/order.js';
import { checkResponseSign, outcome, type Response, type SignatureCheck } from './core/response.js';
import { CancelError, CliError, ExitCode, fileProblem, MissingSettingError, TransportError } from './errors.js';
import type { Endpoint, GatewayClient } from './gateway/client.js';
import { count } from './render/words.js';

export interface HistoryEntry {
  time: string;
  type: 'create' | 'refund';
  /** Base URL the request went to. */
  baseUrl: string;
  request: Record<string, unknown>;
  response?: Record<string, unknown>;
  signature?: string;
  /** Transport error text when no answer came. */
  error?: string;
  sandbox?: boolean;
}

async function historyPath(ctx: Context, writing = false): Promise<string> {
  const store = await ctx.settings.configStore();
  if (writing) store.ensureFolder();
  return path.join(store.dir, 'history.jsonl');
}

/**
 * Appends one line with a single O_APPEND write, so concurrent runs never
 * interleave. Failure to record is a warning, not a failed order.
 */
export async function recordHistory(ctx: Context, entry: HistoryEntry): Promise<void> {
  try {
    const file = await historyPath(ctx, true);
    const line = Buffer.from(ctx.redact(JSON.stringify(entry)) + '\n', 'utf8');
    const fd = fs.openSync(file, 'a', 0o600);
    try {
      fs.writeSync(fd, line);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    ctx.warn(`could not record this order in history: ${err instanceof CliError ? err.message : fileProblem(err, true)}`);
  }
}

/** A history line longer than this is not one the CLI wrote: it is skipped without being held in memory. */
const MAX_LINE_BYTES = 1024 * 1024;

/**
 * The last `limit` non-blank lines of a file, oldest first, read backwards from its end in blocks: a
 * history of any size costs what those lines do. A line over 1 MiB is `undefined` (unreadable).
 */
export function lastLines(file: string, limit: number): (string | undefined)[] {
  const fd = fs.openSync(file, 'r');
  try {
    const lines: (string | undefined)[] = [];
    const block = Buffer.allocUnsafe(64 * 1024);
    // The line being read, its pieces last first, as the file is read backwards.
    let pieces: Buffer[] = [];
    let size = 0;
    const take = (bytes: Buffer) => {
      size += bytes.length;
      if (size <= MAX_LINE_BYTES) pieces.push(Buffer.from(bytes));
      else pieces = [];
    };
    const endLine = () => {
      if (size > MAX_LINE_BYTES) lines.push(undefined);
      else {
        const text = Buffer.concat(pieces.reverse()).toString('utf8');
        if (text.trim() !== '') lines.push(text);
      }
      pieces = [];
      size = 0;
    };
    let at = fs.fstatSync(fd).size;
    while (at > 0 && lines.length < limit) {
      const n = Math.min(block.length, at);
      at -= n;
      fs.readSync(fd, block, 0, n, at);
      let end = n;
      for (let i = n - 1; i >= 0 && lines.length < limit; i--) {
        if (block[i] !== 0x0a) continue;
        take(block.subarray(i + 1, end));
        endLine();
        end = i;
      }
      if (lines.length < limit) take(block.subarray(0, end));
    }
    // The file's first line has no newline before it.
    if (lines.length < limit) endLine();
    return lines.reverse();
  } finally {
    fs.closeSync(fd);
  }
}

/** A line this CLI wrote (or one shaped like it): anything else in the file is unreadable, not a crash. */
function isHistoryEntry(value: unknown): value is HistoryEntry {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const e = value as Record<string, unknown>;
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  return (
    typeof e.time === 'string' &&
    (e.type === 'create' || e.type === 'refund') &&
    typeof e.baseUrl === 'string' &&
    isObject(e.request) &&
    (e.response === undefined || isObject(e.response))
  );
}

/** The last `limit` entries, oldest first; unreadable lines are skipped with a warning. */
export async function readHistory(ctx: Context, limit: number): Promise<HistoryEntry[]> {
  const file = await historyPath(ctx);
  if (!fs.existsSync(file)) return [];
  const entries: HistoryEntry[] = [];
  let bad = 0;
  for (const line of lastLines(file, limit)) {
    if (line === undefined) {
      bad++;
      continue;
    }
    try {
      const entry: unknown = JSON.parse(line);
      if (isHistoryEntry(entry)) entries.push(entry);
      else bad++;
    } catch {
      bad++;
    }
  }
  if (bad > 0) ctx.warn(`${count(bad, 'unreadable line')} in ${file} ${bad === 1 ? 'was' : 'were'} skipped`);
  return entries;
}

/**
 * Whether a history entry went to the gateway in use: for --sandbox, any sandbox entry (each run has its own
 * port); otherwise an entry for the same base URL (trailing slashes aside) that is not a sandbox one.
 */
export function sameGateway(ctx: Context, entry: HistoryEntry, baseUrl: string): boolean {
  const bare = (url: string) => url.replace(/\/+$/, '');
  return ctx.sandbox ? entry.sandbox === true : entry.sandbox !== true && bare(entry.baseUrl) === bare(baseUrl);
}

/**
 * What this machine refunded of an order, in cents, by the gateway's SUCCESS answers in history (the last 1,000
 * lines): a refund made elsewhere is not in it, so this is a floor of what was refunded, not the total.
 */
export async function refundedHere(ctx: Context, baseUrl: string, payOrderId: string): Promise<number> {
  let cents = 0;
  for (const e of await readHistory(ctx, 1000)) {
    if (e.type !== 'refund' || e.request.payOrderId !== payOrderId || !e.response || !sameGateway(ctx, e, baseUrl)) continue;
    const amount = e.request.refundAmount;
    if (outcome(e.response as Response).ok && e.signature !== 'mismatch' && typeof amount === 'number' && Number.isSafeInteger(amount)) cents += amount;
  }
  return cents;
}

/**
 * A FAIL (exit 1) about an order, with what this machine's history says of it: made with --sandbox from a command
 * run without it (the gateway never saw that order), or named by the wrong id (a mchOrderNo given as
 * --pay-order-id, a payOrderId as --mch-order-no). The same error, with a hint saying so; any other as it was.
 * A missing credential (exit 2) gets the sandbox hint alone: no merchant's credentials would find such an order.
 */
export async function hintFromHistory(ctx: Context, err: unknown, ref: { mchOrderNo?: string; payOrderId?: string }): Promise<unknown> {
  const missingCredential = err instanceof MissingSettingError;
  if (!(err instanceof CliError) || (err.exitCode !== ExitCode.GatewayFail && !missingCredential)) return err;
  const creates = (await readHistory(ctx, 200)).filter((e) => e.type === 'create');
  const made = creates.some((e) => e.sandbox === true && (ref.mchOrderNo ? e.request.mchOrderNo === ref.mchOrderNo : e.response?.payOrderId === ref.payOrderId));
  if (made && !ctx.sandbox) {
    return new CliError(err.message, err.exitCode, 'this machine made that order with --sandbox, and only the sandbox knows it: run the command again with --sandbox');
  }
  if (missingCredential) return err;
  // The other id of an order this machine created, given in the wrong flag (made in the sandbox: said too).
  const alsoSandbox = (e: HistoryEntry) => (e.sandbox === true && !ctx.sandbox ? ' --sandbox' : '');
  if (ref.payOrderId !== undefined) {
    const asMch = creates.find((e) => e.request.mchOrderNo === ref.payOrderId);
    if (asMch) {
      const payOrderId = asMch.response?.payOrderId;
      const use = typeof payOrderId === 'string' && payOrderId !== '' ? `its payOrderId is ${payOrderId}: use --pay-order-id ${payOrderId}` : 'query it with --mch-order-no';
      return new CliError(err.message, err.exitCode, `${ref.payOrderId} is the mchOrderNo of an order this machine created, not a payOrderId; ${use}${alsoSandbox(asMch)}`);
    }
  } else if (ref.mchOrderNo !== undefined) {
    const asPay = creates.find((e) => e.response?.payOrderId === ref.mchOrderNo);
    if (asPay) {
      return new CliError(err.message, err.exitCode, `${ref.mchOrderNo} is the payOrderId of an order this machine created, not a mchOrderNo: use --pay-order-id ${ref.mchOrderNo}${alsoSandbox(asPay)}`);
    }
  }
  return err;
}

/**
 * Sends a signed request that creates something (an order, a refund) and records it in
 * history whatever happens. A transport error is recorded, then rethrown as `explain` words
 * it, since the thing may exist at the gateway.
 */
export async function callAndRecord(
  ctx: Context,
  client: GatewayClient,
  endpoint: Endpoint,
  type: HistoryEntry['type'],
  request: Params,
  key: string,
  explain: (err: TransportError) => TransportError,
): Promise<{ response: Params; signature: SignatureCheck }> {
  const base = { time: ctx.now().toISOString(), type, baseUrl: client.baseUrl, request, ...(ctx.sandbox ? { sandbox: true } : {}) };
  // Ctrl-C or SIGTERM while the request is out: stop at once, and say the thing may exist, as for a timeout.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let response: Params;
  try {
    response = (await client.call(endpoint, request, stop.signal)).body;
  } catch (err) {
    if (stop.signal.aborted) {
      const interrupted = 'interrupted before the gateway answered';
      await recordHistory(ctx, { ...base, error: interrupted });
      const explained = explain(new TransportError(interrupted));
      throw new CancelError(explained.message, explained.hint);
    }
    if (!(err instanceof TransportError)) throw err;
    await recordHistory(ctx, { ...base, error: err.message });
    throw explain(err);
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
  const signature = checkResponseSign(response, key);
  await recordHistory(ctx, { ...base, response, signature: signature.verdict });
  return { response, signature };
}
