// The notify receiver: accepts the gateway's notify as GET query, urlencoded form or JSON, verifies it, answers, forwards valid ones.
import type http from 'node:http';
import type { Dispatcher } from 'undici';
import type { FieldValue } from '../core/canonical.js';
import { decodeInputBytes, InputError, parseJsonObject, parseQueryString } from '../core/input.js';
import { mismatchCauses } from '../core/diagnose.js';
import { NOTIFY_FIELDS } from '../core/order.js';
import { clipped } from '../core/printable.js';
import { verify } from '../core/sign.js';
import { describeTransportError, untrustedCertificate } from '../gateway/client.js';
import { BodyTooLarge, createHardenedServer, hostForUrl, listen, readBody, sendText } from './http-util.js';

export interface NotifyEvent {
  time: string;
  verdict: 'verified' | 'forged' | 'malformed' | 'too-large';
  method: string;
  encoding?: 'query' | 'form' | 'json';
  payOrderId?: string;
  mchOrderNo?: string;
  amount?: string;
  currency?: string;
  status?: string;
  repeat?: boolean;
  reason?: string;
  /** The merchant handler's answer when forwarding. */
  forward?: { status?: number; body?: string; error?: string; message?: string };
  answer: { status: number; body: string };
  /** The notify as it came, its query string or body (`listen --verbose`), cut at 2,000 characters. */
  received?: string;
}

export interface ListenerOptions {
  key: string;
  /** Keys a signer may have used instead of `key` (other profiles'), each with the likely cause to log for a sign made with it. */
  otherKeys?: ReadonlyMap<string, string>;
  port?: number;
  host?: string;
  forwardTo?: string;
  /** Forward to an https handler without checking its certificate (a self-signed one on a developer's machine). */
  skipVerify?: boolean;
  dispatcher?: Dispatcher;
  forwardTimeoutMs?: number;
  /** Log each notify as it came, its query string or body (`listen --verbose`). */
  exchanges?: boolean;
  /** How many notifies are remembered to mark a repeat (default 10,000): a listener left running stays bounded. */
  repeatMemory?: number;
  log?: (event: NotifyEvent) => void;
  now?: () => Date;
}

export interface Listener {
  url: string;
  port: number;
  close: () => Promise<void>;
}

interface ParsedNotify {
  fields: Record<string, FieldValue>;
  encoding: 'query' | 'form' | 'json';
  /** The bytes to forward: the query string or the body. */
  raw: string;
  contentType?: string;
}

function parseNotify(method: string, url: URL, body: string, contentType: string): ParsedNotify {
  if (method === 'GET' || (method === 'POST' && body.trim() === '' && url.search !== '')) {
    return { fields: parseQueryString(url.search), encoding: 'query', raw: url.search.slice(1) };
  }
  if (method !== 'POST') throw new InputError(`method ${method} is not a notify`);
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const text = body.replace(/^\uFEFF/, '');
  if (type === 'application/json' || (type === '' && text.trim().startsWith('{'))) {
    return { fields: parseJsonObject(text, 'the JSON body'), encoding: 'json', raw: body, contentType };
  }
  const form = parseQueryString(text.trim());
  const params = form.params;
  if (typeof params === 'string' && Object.keys(form).length === 1) {
    return { fields: parseJsonObject(params, 'the params field'), encoding: 'form', raw: body, contentType };
  }
  return { fields: form, encoding: 'form', raw: body, contentType: contentType || 'application/x-www-form-urlencoded' };
}

const text = (v: FieldValue): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));

export async function startListener(opts: ListenerOptions): Promise<Listener> {
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? (() => new Date());
  const log = opts.log ?? (() => {});
  const seen = new Set<string>();
  let forwardDispatcher: Dispatcher | undefined;

  async function forward(parsed: ParsedNotify, method: string): Promise<NonNullable<NotifyEvent['forward']>> {
    const target = new URL(opts.forwardTo!);
    const timeoutMs = opts.forwardTimeoutMs ?? 10_000;
    if (parsed.encoding === 'query') target.search = target.search ? `${target.search}&${parsed.raw}` : `?${parsed.raw}`;
    const { Agent, request } = await import('../gateway/undici.js');
    forwardDispatcher ??= opts.dispatcher ?? new Agent(opts.skipVerify ? { connect: { rejectUnauthorized: false } } : {});
    try {
      const res = await request(forwardDispatcher, target, {
        method: method === 'GET' ? 'GET' : 'POST',
        headers: { 'user-agent': 'iotpay-cli listen', ...(parsed.contentType ? { 'content-type': parsed.contentType } : {}) },
        ...(method === 'GET' ? {} : { body: parsed.raw }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      res.body.on('error', () => {});
      let body = '';
      for await (const chunk of res.body) {
        if (body.length < 4096) body += (chunk as Buffer).toString('utf8');
      }
      return { status: res.statusCode, body: body.slice(0, 4096) };
    } catch (err) {
      const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string } };
      // `error` is the code a script matches on; `message` says it in words, as the CLI's transport errors do.
      // A handler on https with a certificate of its own (a dev server's): say how to forward to it anyway.
      const untrusted = untrustedCertificate(err);
      const message = untrusted
        ? `TLS certificate of ${target.host} is not trusted (${untrusted}); --skip-verify forwards to it without checking`
        : describeTransportError(err, target, timeoutMs);
      return { error: e.code ?? e.cause?.code ?? e.name ?? 'forward failed', message };
    }
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://listener.local');
    const base: Pick<NotifyEvent, 'time' | 'method' | 'received'> = { time: now().toISOString(), method };
    let bytes: Buffer;
    try {
      bytes = await readBody(req);
    } catch (err) {
      if (!(err instanceof BodyTooLarge)) throw err;
      const answer = { status: 413, body: 'fail' };
      res.setHeader('connection', 'close');
      sendText(res, answer.status, answer.body);
      log({ ...base, verdict: 'too-large', reason: 'body over 1 MiB', answer });
      return;
    }
    if (opts.exchanges) {
      // A POST with an empty body carries its fields in the query string, as a GET does.
      base.received = clipped(bytes.length > 0 ? bytes.toString('utf8') : url.search.slice(1));
    }
    let parsed: ParsedNotify;
    try {
      const body = decodeInputBytes(bytes, 'the body');
      parsed = parseNotify(method, url, body, String(req.headers['content-type'] ?? ''));
      if (Object.keys(parsed.fields).length === 0) throw new InputError('no fields');
      // A body with neither a sign nor any notify field is not a notify (a probe, a misrouted request): not "forged".
      if (!('sign' in parsed.fields) && !NOTIFY_FIELDS.some((name) => name in parsed.fields)) {
        const names = Object.keys(parsed.fields);
        const shown = names.slice(0, 3).map((name) => clipped(name, 40));
        throw new InputError(`not a notify: none of its fields (payOrderId, mchOrderNo, amount, status, sign…), only ${shown.join(', ')}${names.length > 3 ? ', …' : ''}`);
      }
    } catch (err) {
      const answer = { status: 400, body: 'fail' };
      sendText(res, answer.status, answer.body);
      log({ ...base, verdict: 'malformed', reason: (err as Error).message, answer });
      return;
    }
    const f = parsed.fields;
    const facts = {
      encoding: parsed.encoding,
      ...(text(f.payOrderId) ? { payOrderId: text(f.payOrderId) } : {}),
      ...(text(f.mchOrderNo) ? { mchOrderNo: text(f.mchOrderNo) } : {}),
      ...(text(f.amount) ? { amount: text(f.amount) } : {}),
      ...(text(f.currency) ? { currency: text(f.currency) } : {}),
      ...(text(f.status) ? { status: text(f.status) } : {}),
    };
    const check = verify(f, opts.key);
    if (check.status !== 'valid') {
      const answer = { status: 400, body: 'fail' };
      sendText(res, answer.status, answer.body);
      // The likely cause, as verify names it (a malformed sign, a value that arrived URL-encoded, …).
      const cause = check.status === 'mismatch' ? mismatchCauses(f, opts.key, check.received!, opts.otherKeys)[0] : undefined;
      const reason =
        check.status === 'absent' ? 'no sign' : check.status === 'unverifiable' ? check.reason : `sign ${check.received} does not match${cause ? `: ${cause}` : ''}`;
      log({ ...base, ...facts, verdict: 'forged', reason, answer });
      return;
    }
    const id = `${text(f.payOrderId) ?? ''}/${text(f.sign) ?? ''}`;
    const repeat = seen.has(id);
    seen.delete(id);
    seen.add(id);
    // The oldest first out (a Set iterates in insertion order; a repeat was just moved to the end).
    if (seen.size > (opts.repeatMemory ?? 10_000)) seen.delete(seen.values().next().value!);
    if (!opts.forwardTo) {
      const answer = { status: 200, body: 'success' };
      sendText(res, answer.status, answer.body);
      log({ ...base, ...facts, verdict: 'verified', repeat, answer });
      return;
    }
    // Pass the handler's answer back, so the gateway retries exactly when production would.
    const result = await forward(parsed, method);
    const answer = result.error ? { status: 502, body: 'fail' } : { status: result.status ?? 502, body: result.body ?? '' };
    if (!res.headersSent) {
      res.writeHead(answer.status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(answer.body);
    }
    log({ ...base, ...facts, verdict: 'verified', repeat, forward: result, answer });
  }

  const { server, closeAll } = createHardenedServer((req, res) => {
    void handle(req, res).catch(() => sendText(res, 500, 'fail'));
  });
  const port = await listen(server, opts.port ?? 4242, host);
  return {
    url: `http://${hostForUrl(host)}:${port}`,
    port,
    close: async () => {
      await closeAll();
      if (forwardDispatcher && forwardDispatcher !== opts.dispatcher) await forwardDispatcher.close();
    },
  };
}
