// mock and listen as real processes on loopback: CLI against mock, notify delivery with retries, listen under bad input, forwarding, sandbox.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sign, verify } from '../../src/core/sign.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { startMerchantHandler } from '../helpers/merchant-handler.js';
import { jsonLines, killAll, startIotpay, type Running } from '../helpers/process.js';

const KEY = 'CANARY-k3y-0123456789-zz';
let dir: string;
const started: Running[] = [];

beforeEach(() => {
  dir = tempDir();
});
afterEach(async () => {
  for (const p of started.splice(0)) await p.stop('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});
afterAll(() => killAll());

function baseEnv(extra: Record<string, string> = {}) {
  return { IOTPAY_CONFIG_DIR: dir, IOTPAY_KEY: KEY, IOTPAY_MCH_ID: '20001222', IOTPAY_JOB_NO: 'alice', ...extra };
}

/** The mock with --json log lines, or (human) with the text a person reads, its URL taken from the banner. */
async function startMock(args: string[] = [], env = baseEnv(), human = false): Promise<{ proc: Running; baseUrl: string; url: string }> {
  const proc = startIotpay(['mock', '--port', '0', ...(human ? [] : ['--json']), ...args], env);
  started.push(proc);
  const line = await proc.waitForLine((l) => (human ? l.includes('mock gateway on ') : l.includes('"listening"')));
  const baseUrl = human ? /mock gateway on (\S+)/.exec(line)![1]! : (JSON.parse(line).baseUrl as string);
  return { proc, baseUrl, url: baseUrl.replace(/\/v1$/, '') };
}

async function startListen(args: string[] = [], env = baseEnv()): Promise<{ proc: Running; url: string }> {
  const proc = startIotpay(['listen', '--port', '0', '--json', ...args], env);
  started.push(proc);
  const line = await proc.waitForLine((l) => l.includes('"listening"'));
  const { url, notifyUrl } = JSON.parse(line) as { url: string; notifyUrl: string };
  expect(notifyUrl).toBe(`${url}/notify`);
  return { proc, url };
}

async function waitFor<T>(get: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function post(url: string, body: string | Buffer, contentType: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': contentType } });
  return { status: res.status, text: await res.text() };
}

describe('the CLI against iotpay mock', () => {
  it('--verbose logs what each API request received (its params JSON as written) and what it answered; never the key', async () => {
    const human = await startMock(['--verbose'], baseEnv(), true);
    const sent = '{"mchId":"20001222", "mchOrderNo":"V1\\u001b[2J","amount":1.50,"sign":"BAD"}';
    await post(`${human.baseUrl}/query_order`, new URLSearchParams({ params: sent }).toString(), 'application/x-www-form-urlencoded');
    await post(`${human.baseUrl}/query_order`, 'garbage', 'application/x-www-form-urlencoded');
    await human.proc.waitForLine((l) => l.includes('received  garbage'));
    const lines = human.proc.lines();
    const at = lines.findIndex((l) => l.includes('POST /v1/query_order'));
    // The amount is no whole number of cents: shown as it is, not as 0.01. The received JSON is as written (its
    // spacing, 1.50), its escape sequence still escaped.
    expect(lines[at]).toMatch(/ {2}POST \/v1\/query_order {2}1\.5 \(cents\) {2}→ {2}FAIL /);
    expect(lines[at + 1]).toBe(`          received  ${sent}`);
    expect(lines[at + 2]).toMatch(/^ {10}answered {2}\{"retCode":"FAIL","retMsg":"[^"]+"\}$/);
    expect(lines.join('\n')).not.toContain('\u001b');
    // --json: the same as fields of the request line; the key in neither form.
    const json = await startMock(['--verbose']);
    const made = await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n', '--json'], { env: baseEnv({ IOTPAY_BASE_URL: json.baseUrl }) });
    expect(made.code, made.stderr).toBe(0);
    const doc = JSON.parse(made.stdout);
    const request = await waitFor(() => jsonLines(json.proc.lines()).find((e) => e.event === 'request'), 'the request line');
    expect(JSON.parse(request.received as string)).toEqual(doc.request);
    expect(request.answered).toEqual(doc.response);
    for (const proc of [human.proc, json.proc]) expect(`${proc.lines().join('\n')}${proc.stderr()}`).not.toContain(KEY);
    // Without --verbose, neither.
    const quiet = await startMock();
    await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n'], { env: baseEnv({ IOTPAY_BASE_URL: quiet.baseUrl }) });
    const plain = await waitFor(() => jsonLines(quiet.proc.lines()).find((e) => e.event === 'request'), 'the request line');
    expect(plain).not.toHaveProperty('received');
    expect(plain).not.toHaveProperty('answered');
  });

  it('create, query by both ids, pay through /mock/orders, query paid; a reused mchOrderNo is FAIL', async () => {
    const mock = await startMock();
    const env = baseEnv({ IOTPAY_BASE_URL: mock.baseUrl });
    const created = await runCli(['create', '-c', 'WX_NATIVE', '-a', '2865', '--notify-url', 'http://127.0.0.1:9/none', '--mch-order-no', 'M-1', '--json'], { env });
    expect(created.code, created.stderr).toBe(0);
    const doc = JSON.parse(created.stdout);
    expect(doc.signature).toBe('verified');
    expect(doc.payment.kind).toBe('qr');
    expect(doc.payment.value).toMatch(/^weixin:\/\/wxpay\/bizpayurl\?pr=/);
    const payOrderId = doc.response.payOrderId as string;

    const q1 = JSON.parse((await runCli(['query', '--mch-order-no', 'M-1', '--json'], { env })).stdout);
    expect(q1).toMatchObject({ status: 0, statusText: 'created', paid: false, signature: 'verified' });
    expect(q1.response.amount).toBe(2865);

    const pay = await fetch(`${mock.url}/mock/orders/${payOrderId}/pay`, { method: 'POST' });
    expect(pay.status).toBe(200);
    const q2 = await runCli(['query', '--pay-order-id', payOrderId, '--json'], { env });
    expect(JSON.parse(q2.stdout)).toMatchObject({ status: 2, paid: true });

    const again = await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n', '--mch-order-no', 'M-1'], { env });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/mchOrderNo M-1 already exists/);

    const unknown = await runCli(['query', '--mch-order-no', 'nope'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/order does not exist/);

    const list = (await (await fetch(`${mock.url}/mock/orders`)).json()) as Array<Record<string, unknown>>;
    expect(list.map((o) => o.mchOrderNo)).toEqual(['M-1']);
    // One order by its payOrderId, as a script checks it; the newest N; what another method than POST gets.
    const one = await fetch(`${mock.url}/mock/orders/${payOrderId}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ payOrderId, mchOrderNo: 'M-1', amount: 2865, status: 2 });
    expect(await (await fetch(`${mock.url}/mock/orders/P404`)).json()).toEqual({ error: 'unknown payOrderId' });
    expect((await fetch(`${mock.url}/mock/orders/P404`)).status).toBe(404);
    const second = await runCli(['create', '-c', 'ALIPAY_QR', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n', '--mch-order-no', 'M-2', '--json'], { env });
    expect(second.code, second.stderr).toBe(0);
    const newest = async (query: string) => ((await (await fetch(`${mock.url}/mock/orders${query}`)).json()) as Array<Record<string, unknown>>).map((o) => o.mchOrderNo);
    expect(await newest('?limit=1')).toEqual(['M-2']);
    expect(await newest('?limit=5')).toEqual(['M-1', 'M-2']);
    expect(await newest('')).toEqual(['M-1', 'M-2']);
    const badLimit = await fetch(`${mock.url}/mock/orders?limit=0`);
    expect(badLimit.status).toBe(400);
    expect(await badLimit.json()).toEqual({ error: 'limit must be a whole number of orders from 1 to 100000, got "0"' });
    const getPay = await fetch(`${mock.url}/mock/orders/${payOrderId}/pay`);
    expect(getPay.status).toBe(405);
    expect(await getPay.json()).toEqual({ error: `POST only: POST /mock/orders/${payOrderId}/pay pays the order` });

    // Log lines reach the pipe a little after the answers: wait for them with a deadline.
    const requests = () => jsonLines(mock.proc.lines()).filter((e) => e.event === 'request');
    const log = await waitFor(() => (requests().length >= 5 ? requests() : undefined), 'five request log lines');
    expect(log[0]).toMatchObject({ path: '/v1/create_order', retCode: 'SUCCESS', channelId: 'WX_NATIVE' });
  });

  it("answers like the gateway: unknown merchant, bad sign, missing fields, per-channel checks", async () => {
    const mock = await startMock();
    const call = async (params: Record<string, unknown>) => {
      const body = new URLSearchParams({ params: JSON.stringify(params) }).toString();
      return JSON.parse((await post(`${mock.baseUrl}/create_order`, body, 'application/x-www-form-urlencoded')).text);
    };
    const order = { mchId: '20001222', mchOrderNo: 'C-1', channelId: 'ALIPAY_WAP', currency: 'CAD', amount: 4, clientIp: '1.2.3.4', notifyUrl: 'http://127.0.0.1:9/', subject: 's', body: 'b', jobNo: 'j', returnUrl: 'https://r.example' };
    expect((await call({ ...order, sign: sign(order, KEY) })).retMsg).toMatch(/osType/);
    expect((await call({ ...order, mchId: '1', sign: sign({ ...order, mchId: '1' }, KEY) })).retMsg).toMatch(/Can't found mchInfo/);
    expect((await call({ ...order, osType: 'IOS', sign: 'BAD' })).retMsg).toMatch(/sign failed/);
    expect((await call({ mchId: '20001222' })).retMsg).toMatch(/is required/);
    const ok = await call({ ...order, osType: 'IOS', sign: sign({ ...order, osType: 'IOS' }, KEY) });
    expect(ok).toMatchObject({ retCode: 'SUCCESS', resCode: 'SUCCESS' });
    expect(ok.retParams.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mock\/pay\//);
    // A wrong sign gets the gateway's words only; the mock's log line says the likely cause.
    const lower = { ...order, mchOrderNo: 'C-LOWER', osType: 'IOS' };
    expect(await call({ ...lower, sign: sign(lower, KEY).toLowerCase() })).toEqual({ retCode: 'FAIL', retMsg: 'Verify XX pay sign failed' });
    const logged = await waitFor(() => jsonLines(mock.proc.lines()).find((e) => e.mchOrderNo === 'C-LOWER'), 'the log line');
    expect(logged).toMatchObject({ retMsg: 'Verify XX pay sign failed', likelyCause: 'the sign is lower-case: the gateway expects upper-case hex (the value is otherwise right)' });
    // A client that posts the JSON itself is told how the gateway reads a body.
    const asJson = JSON.parse((await post(`${mock.baseUrl}/create_order`, JSON.stringify({ ...order, sign: 'X' }), 'application/json')).text);
    expect(asJson).toEqual({
      retCode: 'FAIL',
      retMsg: 'the body is JSON; the gateway reads a form body: params=<the JSON, URL-encoded>, content-type application/x-www-form-urlencoded',
    });
  });

  it('cancels an unpaid order as the customer (status 9) or expires it as the gateway (status 4): query --wait ends unpaid', async () => {
    const mock = await startMock([], baseEnv(), true);
    const env = baseEnv({ IOTPAY_BASE_URL: mock.baseUrl });
    const create = async () =>
      JSON.parse((await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n', '--json'], { env })).stdout).response as { payOrderId: string; mchOrderNo: string };
    const order = await create();
    // A wait already running sees the cancel: exit 1, not paid.
    const waiting = runCli(['query', '--pay-order-id', order.payOrderId, '--wait', '--wait-timeout', '20', '--json'], { env, timeoutMs: 25_000 });
    await mock.proc.waitForLine((l) => l.includes('/v1/query_order'));
    const cancelled = await fetch(`${mock.url}/mock/orders/${order.payOrderId}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ payOrderId: order.payOrderId, status: 9 });
    const waited = await waiting;
    expect(waited.code, waited.stderr).toBe(1);
    expect(JSON.parse(waited.stdout)).toMatchObject({ status: 9, statusText: 'cancelled by the user', paid: false });
    expect(waited.stderr).toBe('error: order cancelled by the user: not paid\n');
    // Only an unpaid order: a cancelled (or paid) one is 409, an unknown one 404; a cancelled order cannot be paid.
    const twice = await fetch(`${mock.url}/mock/orders/${order.payOrderId}/cancel`, { method: 'POST' });
    expect(twice.status).toBe(409);
    expect(await twice.json()).toMatchObject({ error: 'order is cancelled by the user: only an unpaid order can be cancelled' });
    expect((await fetch(`${mock.url}/mock/orders/${order.payOrderId}/pay`, { method: 'POST' })).status).toBe(409);
    expect((await fetch(`${mock.url}/mock/orders/P404/expire`, { method: 'POST' })).status).toBe(404);
    const expired = await create();
    expect((await fetch(`${mock.url}/mock/orders/${expired.payOrderId}/expire`, { method: 'POST' })).status).toBe(200);
    const q = await runCli(['query', '--mch-order-no', expired.mchOrderNo, '--json'], { env });
    expect(JSON.parse(q.stdout)).toMatchObject({ status: 4, statusText: 'cancelled by the system', paid: false });
    // The customer's Cancel button on the checkout page.
    const third = await create();
    const page = `${mock.url}/mock/pay/${third.payOrderId}`;
    expect(await (await fetch(page)).text()).toContain(`<form method="post" action="/mock/pay/${third.payOrderId}/cancel"><button type="submit">Cancel</button></form>`);
    const button = await fetch(`${page}/cancel`, { method: 'POST', redirect: 'manual' });
    expect(button.status).toBe(303);
    expect(button.headers.get('location')).toBe(`/mock/pay/${third.payOrderId}`);
    const after = await (await fetch(page)).text();
    expect(after).toContain('<dd>9 (cancelled by the user)</dd>');
    expect(after).not.toContain('Cancel</button>');
    expect((await fetch(`${page}/cancel`, { method: 'POST' })).status).toBe(409);
    expect(await mock.proc.stop('SIGINT')).toBe(0);
    const lines = mock.proc.lines();
    expect(lines.filter((l) => l.includes('  cancelled  ')).map((l) => l.slice(10))).toEqual([
      `cancelled  ${order.payOrderId}  ${order.mchOrderNo}  status 9 (cancelled by the user)`,
      `cancelled  ${expired.payOrderId}  ${expired.mchOrderNo}  status 4 (cancelled by the system)`,
      `cancelled  ${third.payOrderId}  ${third.mchOrderNo}  status 9 (cancelled by the user)`,
    ]);
    expect(lines.filter((l) => l !== '').at(-1)).toMatch(/^mock stopped after \d+ requests, 3 cancelled$/);
  });

  it('--expire-after cancels an order left unpaid (status 4), and leaves one paid in time alone', async () => {
    const mock = await startMock(['--expire-after', '1']);
    const env = baseEnv({ IOTPAY_BASE_URL: mock.baseUrl });
    const create = async () =>
      JSON.parse((await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n', '--json'], { env })).stdout).response.payOrderId as string;
    const [left, paid] = [await create(), await create()];
    expect((await fetch(`${mock.url}/mock/orders/${paid}/pay`, { method: 'POST' })).status).toBe(200);
    const waited = await runCli(['query', '--pay-order-id', left, '--wait', '--wait-timeout', '20', '--json'], { env, timeoutMs: 25_000 });
    expect(waited.code, waited.stderr).toBe(1);
    expect(JSON.parse(waited.stdout)).toMatchObject({ status: 4, statusText: 'cancelled by the system', paid: false });
    // Past its own expiry time (the mock's clock is this machine's), the paid one is still paid.
    const orders = (await (await fetch(`${mock.url}/mock/orders`)).json()) as Array<{ payOrderId: string; expireAt: number }>;
    const expireAt = orders.find((o) => o.payOrderId === paid)!.expireAt;
    await waitFor(() => Date.now() > expireAt + 100 || undefined, 'the paid order\'s expiry time');
    const still = await runCli(['query', '--pay-order-id', paid, '--json'], { env });
    expect(JSON.parse(still.stdout)).toMatchObject({ status: 2, paid: true });
    expect(jsonLines(mock.proc.lines()).filter((e) => e.event === 'cancel')).toEqual([expect.objectContaining({ payOrderId: left, status: 4 })]);
  });

  it('signs flat answers so the signing core verifies them', async () => {
    const mock = await startMock();
    for (const channelId of ['WX_NATIVE', 'ALIPAY_QR', 'UPI_QR', 'WX_APP', 'UPI_APP', 'CC_PAX']) {
      const order = { mchId: '20001222', mchOrderNo: `S-${channelId}`, channelId, currency: 'CAD', amount: 100, clientIp: '1.2.3.4', notifyUrl: 'http://127.0.0.1:9/', subject: 's', body: 'b', jobNo: 'j', ...(channelId === 'WX_NATIVE' ? { extra: '{"productId":"1"}' } : channelId === 'WX_APP' ? { extra: '{"appId":"a"}' } : {}) };
      const body = new URLSearchParams({ params: JSON.stringify({ ...order, sign: sign(order, KEY) }) }).toString();
      const answer = JSON.parse((await post(`${mock.baseUrl}/create_order`, body, 'application/x-www-form-urlencoded')).text);
      expect(answer.retCode, `${channelId}: ${answer.retMsg}`).toBe('SUCCESS');
      expect(verify(answer, KEY).status, channelId).toBe('valid');
      // The wallet SDK parameters carry the app the order named.
      if (channelId === 'WX_APP') expect(JSON.parse(answer.payParams).appId).toBe('a');
    }
  });

  it('answers each of 200 concurrent keep-alive requests with its own order, pipelined ones in order', async () => {
    // Many answers in flight on shared keep-alive sockets: none may reach the wrong request.
    const mock = await startMock();
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const order = (no: string) => ({ mchId: '20001222', mchOrderNo: no, channelId: 'WX_NATIVE', currency: 'CAD', amount: 100, clientIp: '1.2.3.4', notifyUrl: 'http://127.0.0.1:9/', subject: 's', body: 'b', extra: '{"productId":"1"}', jobNo: 'j' });
    const form = (no: string, badSign: boolean) => new URLSearchParams({ params: JSON.stringify({ ...order(no), sign: badSign ? 'BAD' : sign(order(no), KEY) }) }).toString();
    const send = (no: string, badSign: boolean) =>
      new Promise<Record<string, string>>((resolve, reject) => {
        const body = form(no, badSign);
        const req = http.request(`${mock.baseUrl}/create_order`, { method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve(JSON.parse(text)));
        });
        req.on('error', reject);
        req.end(body);
      });
    const numbers = Array.from({ length: 200 }, (_, i) => `K-${i}`);
    const answers = await Promise.all(numbers.map((no, i) => send(no, i % 10 === 9)));
    agent.destroy();
    answers.forEach((answer, i) => {
      if (i % 10 === 9) return expect(answer.retMsg, numbers[i]).toMatch(/sign failed/);
      expect(answer.mchOrderNo, numbers[i]).toBe(numbers[i]);
      expect(verify(answer, KEY).status, numbers[i]).toBe('valid');
    });
    expect(new Set(answers.map((a) => a.payOrderId).filter(Boolean)).size).toBe(180);

    // Three requests in one write on one connection: three answers, in the order asked.
    const raw = ['P-1', 'P-2', 'P-3']
      .map((no) => {
        const body = form(no, false);
        return `POST /v1/create_order HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
      })
      .join('');
    const port = Number(new URL(mock.url).port);
    const received = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write(raw));
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => {
        text += d;
        if ((text.match(/"sign":"/g) ?? []).length === 3) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.on('error', reject);
      socket.setTimeout(5000, () => reject(new Error(`no three answers: ${text}`)));
    });
    expect([...received.matchAll(/"mchOrderNo":"(P-\d)"/g)].map((m) => m[1])).toEqual(['P-1', 'P-2', 'P-3']);
  });

  it('--fault badsign makes the CLI exit 4; http500 exit 3', async () => {
    const bad = await startMock(['--fault', 'badsign']);
    const r = await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n'], { env: baseEnv({ IOTPAY_BASE_URL: bad.baseUrl }) });
    expect(r.code).toBe(4);
    const broken = await startMock(['--fault', 'http500']);
    const r2 = await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n', '--mch-order-no', 'F-1'], { env: baseEnv({ IOTPAY_BASE_URL: broken.baseUrl }) });
    expect(r2.code).toBe(3);
    expect(r2.stderr).toMatch(/HTTP 500.*mchOrderNo F-1/);
  });

  it('--latency holds each answer that long; --fault timeout never answers, so the CLI times out (exit 3)', async () => {
    const slow = await startMock(['--latency', '400']);
    const started = Date.now();
    const r = await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n', '--json'], { env: baseEnv({ IOTPAY_BASE_URL: slow.baseUrl }) });
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    const silent = await startMock(['--fault', 'timeout']);
    const t = await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n', '--timeout', '500'], { env: baseEnv({ IOTPAY_BASE_URL: silent.baseUrl }) });
    expect(t.code).toBe(3);
    expect(t.stderr.trim().split('\n')).toHaveLength(1);
    const logged = await waitFor(() => jsonLines(silent.proc.lines()).find((e) => e.event === 'request' && e.fault === 'timeout'), 'the timeout fault log line');
    expect(logged).toMatchObject({ event: 'request', path: '/v1/create_order' });
  });

  it('without a configured key it uses the sandbox credentials and says so', async () => {
    const proc = startIotpay(['mock', '--port', '0'], { IOTPAY_CONFIG_DIR: dir });
    started.push(proc);
    // The notice is the line after the banner: wait for it, not only for the banner (lines arrive in chunks).
    await proc.waitForLine((l) => l.includes('no key configured: using the sandbox credentials'));
    expect(proc.lines().join('\n')).toMatch(/mock gateway on .*mchId 10000001, key iotpay-sandbox-key-not-a-secret[^]*no key configured/);
  });

  it('listening on all interfaces, mock and listen give loopback URLs, which the CLI accepts', async () => {
    const mock = await startMock(['--host', '0.0.0.0']);
    expect(mock.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const listen = await startListen(['--host', '0.0.0.0']);
    expect(listen.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', `${listen.url}/n`, '--json'], { env: baseEnv({ IOTPAY_BASE_URL: mock.baseUrl }) });
    expect(r.code, r.stderr).toBe(0);
    // (It printed http://0.0.0.0:…/v1, which the CLI refuses: plain http off loopback.)
    const refused = await runCli(['query', '--mch-order-no', 'X'], { env: baseEnv({ IOTPAY_BASE_URL: mock.baseUrl.replace('127.0.0.1', '0.0.0.0') }) });
    expect(refused.code).toBe(2);
  });

  it('with nothing configured, create and listen name the values the mock uses, and those values work', async () => {
    const bare = { IOTPAY_CONFIG_DIR: dir };
    const mock = await startMock([], bare);
    /** The exports a missing-credential line ends with, as an environment. */
    const exportsOf = (r: { code: number | null; stderr: string }) => {
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      const m = /; a local iotpay mock uses sandbox values where none are configured: export ((?:\w+=\S+ ?)+)$/.exec(r.stderr.trim());
      expect(m, r.stderr).not.toBeNull();
      return Object.fromEntries(m![1]!.trim().split(' ').map((kv) => kv.split('=') as [string, string]));
    };
    const createArgs = (notifyUrl: string) => ['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', notifyUrl, '--json'];
    const created = await runCli(createArgs('http://127.0.0.1:9/n'), { env: { ...bare, IOTPAY_BASE_URL: mock.baseUrl } });
    expect(created.stderr).toMatch(/^error: mch-id is required to create an order; set it with --mch-id, IOTPAY_MCH_ID, or `iotpay config set mch-id`; /);
    const forCreate = exportsOf(created);
    expect(Object.keys(forCreate)).toEqual(['IOTPAY_MCH_ID', 'IOTPAY_KEY', 'IOTPAY_JOB_NO']);
    // Only what is missing is named.
    expect(exportsOf(await runCli(createArgs('http://127.0.0.1:9/n'), { env: { ...bare, IOTPAY_BASE_URL: mock.baseUrl, IOTPAY_MCH_ID: '10000001' } }))).toEqual({
      IOTPAY_KEY: forCreate.IOTPAY_KEY,
      IOTPAY_JOB_NO: forCreate.IOTPAY_JOB_NO,
    });
    const forListen = exportsOf(await runCli(['listen', '--port', '0'], { env: bare }));
    expect(forListen).toEqual({ IOTPAY_KEY: forCreate.IOTPAY_KEY });

    // The values work: the order is accepted and signed, its notify verified by listen.
    const listen = await startListen([], { ...bare, ...forListen });
    const ok = await runCli(createArgs(`${listen.url}/n`), { env: { ...bare, ...forCreate, IOTPAY_BASE_URL: mock.baseUrl } });
    expect(ok.code, ok.stderr).toBe(0);
    const doc = JSON.parse(ok.stdout);
    expect(doc.signature).toBe('verified');
    expect(ok.stderr).not.toContain('sandbox key');
    // Left exported while pointing at a real gateway, the sandbox key is called out (that gateway would say "sign failed").
    const astray = await runCli([...createArgs('https://shop.example/n'), '--dry-run'], { env: { ...bare, ...forCreate, IOTPAY_BASE_URL: 'https://api.example.com/v1' } });
    expect(astray.code).toBe(0);
    expect(astray.stderr).toBe("warning: the key (from IOTPAY_KEY) is iotpay mock's sandbox key, which only a mock accepts, and the base URL is not on this machine\n");
    expect((await fetch(`${mock.url}/mock/orders/${doc.response.payOrderId}/pay`, { method: 'POST' })).status).toBe(200);
    await waitFor(() => jsonLines(listen.proc.lines()).find((e) => e.verdict === 'verified'), 'a verified notify');

    // A gateway that is not on this machine gets no word about the mock; create points a first try at --sandbox
    // (the headline `iotpay create --channel WX_NATIVE --amount 100` run with nothing configured ends here).
    const remote = await runCli(createArgs('https://shop.example/n'), { env: { ...bare, IOTPAY_BASE_URL: 'https://api.example.com/v1' } });
    expect(remote.code).toBe(2);
    expect(remote.stderr).toBe('error: mch-id is required to create an order; set it with --mch-id, IOTPAY_MCH_ID, or `iotpay config set mch-id`; or try it with no account at all: add --sandbox\n');
    const query = await runCli(['query', '--mch-order-no', 'X'], { env: { ...bare, IOTPAY_BASE_URL: 'https://api.example.com/v1' } });
    expect(query.stderr).toBe('error: mch-id is required to query an order; set it with --mch-id, IOTPAY_MCH_ID, or `iotpay config set mch-id`\n');
  });
});

describe("the mock's index page", () => {
  it('a browser opening the mock sees where to point a client and the newest orders, each linked to its checkout', async () => {
    const mock = await startMock();
    const empty = await fetch(`${mock.url}/`);
    expect(empty.status).toBe(200);
    expect(empty.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const before = await empty.text();
    expect(before).toContain(`Point a client at <code>${mock.baseUrl}</code>`);
    expect(before).toContain('<p>No orders yet.</p>');
    const env = baseEnv({ IOTPAY_BASE_URL: mock.baseUrl });
    for (const no of ['FIRST-1', 'A<b>&amp;"2']) {
      const r = await runCli(['create', '-c', 'WX_NATIVE', '-a', '250', '--notify-url', 'http://127.0.0.1:9/n', '--mch-order-no', no, '--json'], { env });
      expect(r.code, r.stderr).toBe(0);
    }
    const orders = (await (await fetch(`${mock.url}/mock/orders`)).json()) as Array<{ payOrderId: string }>;
    const page = await (await fetch(`${mock.url}/mock`)).text();
    // Newest first, values HTML-escaped, each row linking to the order's checkout page.
    expect(page).toContain(`<tr><td><a href="/mock/pay/${orders[1]!.payOrderId}">A&lt;b&gt;&amp;amp;&quot;2</a></td><td>2.50 CAD</td><td>WX_NATIVE</td><td>created</td></tr>`);
    expect(page.indexOf('A&lt;b&gt;')).toBeLessThan(page.indexOf('FIRST-1'));
    expect(page).not.toContain('<b>');
    expect((await fetch(`${mock.url}/nothing-here`)).status).toBe(404);
  });
});

describe("the mock's checkout page (the redirect channels' URL)", () => {
  it('shows the order, pays it on POST and sends the browser to the returnUrl; unknown ids are 404', async () => {
    const mock = await startMock();
    const env = baseEnv({ IOTPAY_BASE_URL: mock.baseUrl });
    const args = ['create', '-c', 'ALIPAY_PC', '-a', '1999', '--notify-url', 'http://127.0.0.1:9/n', '--subject', 'Tea <b>&</b> "cakes"', '--json'];
    const created = await runCli([...args, '--return-url', 'https://shop.example/done?o=1'], { env });
    expect(created.code, created.stderr).toBe(0);
    const doc = JSON.parse(created.stdout);
    expect(doc.payment.kind).toBe('redirect');
    const id = doc.response.payOrderId as string;
    expect(doc.payment.value).toBe(`${mock.url}/mock/pay/${id}`);

    const shown = await fetch(doc.payment.value);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await shown.text();
    expect(page).toContain('<dt>Amount</dt><dd>19.99 CAD</dd>');
    expect(page).toContain('<dt>Subject</dt><dd>Tea &lt;b&gt;&amp;&lt;/b&gt; &quot;cakes&quot;</dd>');
    expect(page).toContain('<dt>Status</dt><dd>0 (created)</dd>');
    expect(page).toContain('<form method="post"><button type="submit">Pay 19.99 CAD</button></form>');

    const paid = await fetch(doc.payment.value, { method: 'POST', redirect: 'manual' });
    expect(paid.status).toBe(303);
    expect(paid.headers.get('location')).toBe('https://shop.example/done?o=1');
    expect(JSON.parse((await runCli(['query', '--pay-order-id', id, '--json'], { env })).stdout)).toMatchObject({ status: 2, paid: true });
    const after = await (await fetch(doc.payment.value)).text();
    expect(after).toContain('<dt>Status</dt><dd>2 (paid)</dd>');
    // Paid: no Pay button; the notify (to a port nobody listens on) can be sent again.
    expect(after).not.toContain('<button type="submit">Pay');
    expect(after).toMatch(/<dt>Notify<\/dt><dd>(on its way|not delivered yet) to http:\/\/127\.0\.0\.1:9\/n/);
    expect(after).toContain('Send the notify again');
    expect(after).toContain('<a href="https://shop.example/done?o=1">Back to the merchant</a>');

    // A returnUrl that is not a web address is never followed: the browser comes back to the page.
    // (The CLI refuses to send one, so this order comes from another client.)
    const oddOrder = {
      mchId: '20001222', mchOrderNo: 'ODD-1', channelId: 'ALIPAY_PC', currency: 'CAD', amount: 1999, clientIp: '127.0.0.1', device: 'WEB',
      notifyUrl: 'http://127.0.0.1:9/n', returnUrl: 'javascript:alert(1)', subject: 'odd', body: 'odd', jobNo: 'alice',
    };
    const odd = await post(`${mock.baseUrl}/create_order`, new URLSearchParams({ params: JSON.stringify({ ...oddOrder, sign: sign(oddOrder, KEY) }) }).toString(), 'application/x-www-form-urlencoded');
    expect(JSON.parse(odd.text)).toMatchObject({ retCode: 'SUCCESS', mchOrderNo: 'ODD-1' });
    const oddId = JSON.parse(odd.text).payOrderId as string;
    const back = await fetch(`${mock.url}/mock/pay/${oddId}`, { method: 'POST', redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`/mock/pay/${oddId}`);
    expect(await (await fetch(`${mock.url}/mock/pay/${oddId}`)).text()).not.toContain('javascript:');

    // The human line for an answer with nested retParams: not checked, and whether the rest match.
    const human = await runCli(args.filter((a) => a !== '--json').concat('--return-url', 'https://shop.example/done'), { env });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('? response sign not checked: nested values (retParams); the other fields match the sign');

    const unknown = await fetch(`${mock.url}/mock/pay/P%3Cnope%3E`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('<code>P&lt;nope&gt;</code>');
  });
});

describe('notify delivery: mock → listen → merchant handler', () => {
  it('delivers a signed notify, retries while the handler fails, then the order is status 3', async () => {
    let calls = 0;
    const received: Array<{ method: string; url: string }> = [];
    const handler = http.createServer((req, res) => {
      calls++;
      received.push({ method: req.method!, url: req.url! });
      res.writeHead(calls <= 2 ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(calls <= 2 ? 'not yet' : 'success');
    });
    await new Promise<void>((r) => handler.listen(0, '127.0.0.1', r));
    const handlerUrl = `http://127.0.0.1:${(handler.address() as net.AddressInfo).port}/iotpay/notify`;
    try {
      const listen = await startListen(['--forward-to', handlerUrl]);
      const mock = await startMock(['--retry-delay', '100']);
      const env = baseEnv({ IOTPAY_BASE_URL: mock.baseUrl });
      const created = JSON.parse(
        (await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', `${listen.url}/notify`, '--param2', 'p-two', '--json'], { env })).stdout,
      );
      const payOrderId = created.response.payOrderId as string;
      expect((await fetch(`${mock.url}/mock/orders/${payOrderId}/pay`, { method: 'POST' })).status).toBe(200);

      const notifies = await waitFor(() => {
        const ok = jsonLines(mock.proc.lines()).filter((e) => e.event === 'notify');
        return ok.some((e) => e.ok === true) ? ok : undefined;
      }, 'a delivered notify');
      expect(notifies.map((e) => e.ok)).toEqual([false, false, true]);
      expect(calls).toBe(3);

      // Same method, encoding and fields reached the handler: a GET with the signed query string.
      const forwarded = new URL(received[2]!.url, 'http://x');
      expect(received[2]!.method).toBe('GET');
      expect(forwarded.pathname).toBe('/iotpay/notify');
      const fields = Object.fromEntries(forwarded.searchParams);
      expect(verify(fields, KEY).status).toBe('valid');
      expect(fields).toMatchObject({ payOrderId, mchId: '20001222', status: '2', backType: '2', param1: created.request.mchOrderNo, param2: 'p-two', amount: '100' });
      for (const name of ['channelOrderNo', 'paySuccTime', 'clientIp', 'device', 'subject', 'body', 'currency', 'channelId']) expect(fields).toHaveProperty(name);

      // The child's log line may trail the HTTP answer: poll for it.
      const events = await waitFor(() => {
        const seen = jsonLines(listen.proc.lines()).filter((e) => e.verdict);
        return seen.length >= 3 ? seen : undefined;
      }, 'three listen log lines');
      expect(events.map((e) => (e.forward as { status: number }).status)).toEqual([500, 500, 200]);
      expect(events.map((e) => e.repeat)).toEqual([false, true, true]);
      expect(events[2]).toMatchObject({ verdict: 'verified', payOrderId, answer: { status: 200, body: 'success' } });

      const q = JSON.parse((await runCli(['query', '--pay-order-id', payOrderId, '--json'], { env })).stdout);
      expect(q).toMatchObject({ status: 3, statusText: 'paid and notified', paid: true });
      // Stopped, each says what its run saw: a script can check the counts.
      expect(await listen.proc.stop('SIGINT')).toBe(0);
      expect(jsonLines(listen.proc.lines()).at(-1)).toEqual({ event: 'stopped', verdicts: { verified: 3 }, repeats: 2 });
      expect(await mock.proc.stop('SIGINT')).toBe(0);
      expect(jsonLines(mock.proc.lines()).at(-1)).toEqual({ event: 'stopped', requests: 2, failed: 0, faulted: 0, noEndpoint: 0, payments: 1, cancelled: 0, delivered: 1, undelivered: 2, refunds: 0 });
    } finally {
      await new Promise<void>((r) => handler.close(() => r()));
    }
  });

  it('--auto-pay pays by itself and the notify reaches listen; empty fields are sent but unsigned', async () => {
    const listen = await startListen();
    const mock = await startMock(['--auto-pay', '0']);
    const env = baseEnv({ IOTPAY_BASE_URL: mock.baseUrl });
    await runCli(['create', '-c', 'ALIPAY_QR', '-a', '100', '--notify-url', `${listen.url}/n`], { env });
    const event = await waitFor(() => jsonLines(listen.proc.lines()).find((e) => e.verdict === 'verified'), 'a verified notify');
    expect(event).toMatchObject({ method: 'GET', encoding: 'query', status: '2', amount: '100', answer: { status: 200, body: 'success' } });
  });
});

describe('mock: the notify again', () => {
  /** A mock and a listener, and two orders whose notify goes to the listener: one to pay, one left unpaid. */
  async function twoOrders() {
    const listen = await startListen();
    const mock = await startMock();
    const env = baseEnv({ IOTPAY_BASE_URL: mock.baseUrl });
    const create = async () =>
      JSON.parse((await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', `${listen.url}/notify`, '--json'], { env })).stdout).response.payOrderId as string;
    return { listen, mock, paid: await create(), unpaid: await create() };
  }

  it("POST /mock/orders/<id>/notify sends a paid order's notify again, which listen marks a repeat; an unpaid order is 409", async () => {
    const { listen, mock, paid, unpaid } = await twoOrders();
    const again = (id: string) => fetch(`${mock.url}/mock/orders/${id}/notify`, { method: 'POST' });
    const early = await again(paid);
    expect(early.status).toBe(409);
    expect(await early.json()).toMatchObject({ error: 'order is created: only a paid order is notified' });
    expect((await fetch(`${mock.url}/mock/orders/${paid}/pay`, { method: 'POST' })).status).toBe(200);
    await waitFor(() => jsonLines(mock.proc.lines()).find((e) => e.event === 'notify' && e.ok === true), 'the first notify delivered');
    const resent = await again(paid);
    expect(resent.status).toBe(200);
    expect(await resent.json()).toMatchObject({ payOrderId: paid, status: 3 });
    const events = await waitFor(() => {
      const seen = jsonLines(listen.proc.lines()).filter((e) => e.verdict === 'verified');
      return seen.length >= 2 ? seen : undefined;
    }, 'the notify again');
    expect(events.map((e) => [e.payOrderId, e.repeat])).toEqual([[paid, false], [paid, true]]);
    expect((await again(unpaid)).status).toBe(409);
    expect((await again('P404')).status).toBe(404);
  });

  it('the checkout page of a paid order says where its notify stands and sends it again from a button', async () => {
    const { listen, mock, paid: id, unpaid } = await twoOrders();
    const page = `${mock.url}/mock/pay/${id}`;
    expect(await (await fetch(page)).text()).not.toContain('Send the notify again');
    expect((await fetch(`${mock.url}/mock/pay/${unpaid}/notify`, { method: 'POST' })).status).toBe(409);
    await fetch(page, { method: 'POST', redirect: 'manual' });
    await waitFor(() => jsonLines(mock.proc.lines()).find((e) => e.event === 'notify' && e.ok === true), 'the notify delivered');
    const paidPage = await (await fetch(page)).text();
    expect(paidPage).toContain(`<dt>Notify</dt><dd>delivered to ${listen.url}/notify</dd>`);
    expect(paidPage).toContain(`<form method="post" action="/mock/pay/${id}/notify"><button type="submit">Send the notify again</button></form>`);
    const sent = await fetch(`${page}/notify`, { method: 'POST', redirect: 'manual' });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`/mock/pay/${id}`);
    const events = await waitFor(() => {
      const seen = jsonLines(listen.proc.lines()).filter((e) => e.verdict === 'verified' && e.payOrderId === id);
      return seen.length >= 2 ? seen : undefined;
    }, 'the notify again');
    expect(events.map((e) => e.repeat)).toEqual([false, true]);
    expect((await fetch(`${page}/notify`)).status).toBe(405);
    expect((await fetch(`${page}/other`)).status).toBe(404);
  });
});

describe('listen under bad input', () => {
  const notify = { payOrderId: 'P1', mchId: '20001222', mchOrderNo: 'M1', amount: 100, currency: 'CAD', status: 2, param2: '' };
  const signed = { ...notify, sign: sign(notify, KEY) };

  it('accepts GET query, POST form and POST JSON; answers fail to forged and malformed; 413 for oversize; keeps serving', async () => {
    const listen = await startListen();
    const query = new URLSearchParams(Object.entries(signed).map(([k, v]) => [k, String(v)])).toString();
    const get = await fetch(`${listen.url}/notify?${query}`);
    expect([get.status, await get.text()]).toEqual([200, 'success']);
    expect(await post(`${listen.url}/notify`, query, 'application/x-www-form-urlencoded')).toEqual({ status: 200, text: 'success' });
    expect(await post(`${listen.url}/notify`, JSON.stringify(signed), 'application/json')).toEqual({ status: 200, text: 'success' });

    const forged = { ...signed, amount: 1 };
    expect(await post(`${listen.url}/notify`, JSON.stringify(forged), 'application/json')).toEqual({ status: 400, text: 'fail' });
    expect(await post(`${listen.url}/notify`, '{"oops', 'application/json')).toEqual({ status: 400, text: 'fail' });
    expect(await post(`${listen.url}/notify`, '[1,2]', 'application/json')).toEqual({ status: 400, text: 'fail' });
    expect(await post(`${listen.url}/notify`, Buffer.from([0xff, 0xfe, 0x00]), 'application/octet-stream')).toMatchObject({ status: 400 });
    expect(await post(`${listen.url}/notify`, 'a=%E6%B5', 'application/x-www-form-urlencoded')).toMatchObject({ status: 400 });
    const big = await post(`${listen.url}/notify`, 'a='.padEnd(1024 * 1024 + 10, 'x'), 'application/x-www-form-urlencoded').catch(() => ({ status: 413, text: 'fail' }));
    expect(big.status).toBe(413);

    const after = await fetch(`${listen.url}/notify?${query}`);
    expect(after.status).toBe(200);
    const events = await waitFor(() => {
      const seen = jsonLines(listen.proc.lines()).filter((e) => e.verdict);
      return seen.length >= 10 ? seen : undefined;
    }, 'ten listen log lines');
    expect(events.map((e) => e.verdict)).toEqual(['verified', 'verified', 'verified', 'forged', 'malformed', 'malformed', 'malformed', 'malformed', 'too-large', 'verified']);
    expect(events[1]!.repeat).toBe(true);
  });

  it('--verbose shows each notify as it came: its query string or its body', async () => {
    const proc = startIotpay(['listen', '--port', '0', '--verbose'], baseEnv({ NO_COLOR: '1' }));
    started.push(proc);
    const url = /(http:\/\/\S+)/.exec(await proc.waitForLine((l) => l.includes('listening for notifies on')))![1]!;
    const query = new URLSearchParams(Object.entries(signed).map(([k, v]) => [k, String(v)])).toString();
    expect((await fetch(`${url}/notify?${query}`)).status).toBe(200);
    await proc.waitForLine((l) => l.includes('received'));
    // A form body with a raw escape byte (a subject the signer did not sign, so forged).
    const body = `${query}&subject=tea\u001b[2J`;
    expect((await post(`${url}/notify`, body, 'application/x-www-form-urlencoded')).status).toBe(400);
    await waitFor(() => (proc.lines().filter((l) => l.includes('received')).length >= 2 ? true : undefined), 'two received lines');
    const lines = proc.lines();
    const received = lines.filter((l) => l.startsWith('          received  '));
    expect(received[0]).toBe(`          received  ${query}`);
    // The body as sent, its escape sequence shown escaped.
    expect(received[1]).toBe(`          received  ${query}&subject=tea\\x1b[2J`);
    expect(lines.join('\n')).not.toContain('\u001b');
    expect(lines[lines.indexOf(received[1]!) - 1]).toMatch(/✗ forged/);
    // --json: a field of the notify's line.
    const json = await startListen(['--verbose']);
    await fetch(`${json.url}/notify?${query}`);
    const event = await waitFor(() => jsonLines(json.proc.lines()).find((e) => e.verdict), 'the notify line');
    expect(event).toMatchObject({ verdict: 'verified', received: query });
  });

  it('a body with no notify field and no sign is malformed (not a notify), a notify without its sign forged', async () => {
    const listen = await startListen();
    expect(await post(`${listen.url}/notify`, 'garbage', 'application/x-www-form-urlencoded')).toEqual({ status: 400, text: 'fail' });
    expect(await post(`${listen.url}/notify`, JSON.stringify({ hello: 'world', a: 1, b: 2, c: 3 }), 'application/json')).toEqual({ status: 400, text: 'fail' });
    expect(await post(`${listen.url}/notify`, JSON.stringify(notify), 'application/json')).toEqual({ status: 400, text: 'fail' });
    const events = await waitFor(() => {
      const seen = jsonLines(listen.proc.lines()).filter((e) => e.verdict);
      return seen.length >= 3 ? seen : undefined;
    }, 'three listen log lines');
    expect(events.map((e) => [e.verdict, e.reason])).toEqual([
      ['malformed', 'not a notify: none of its fields (payOrderId, mchOrderNo, amount, status, sign…), only garbage'],
      ['malformed', 'not a notify: none of its fields (payOrderId, mchOrderNo, amount, status, sign…), only hello, a, b, …'],
      ['forged', 'no sign'],
    ]);
  });

  it('human output: control characters a sender put in a notify are shown escaped, on one line', async () => {
    // A zone 5:30 from UTC: the line's clock is this machine's local time, not UTC.
    const proc = startIotpay(['listen', '--port', '0'], baseEnv({ TZ: 'Asia/Kolkata' }));
    started.push(proc);
    const banner = await proc.waitForLine((l) => l.includes('listening for notifies on'));
    const url = /(http:\/\/\S+)/.exec(banner)![1]!;
    const hostile = { ...signed, payOrderId: 'P\u001b[31mRED\nFAKE verified', sign: 'A\nB\u001b[2J' };
    expect(await post(`${url}/notify`, JSON.stringify(hostile), 'application/json')).toEqual({ status: 400, text: 'fail' });
    const line = await proc.waitForLine((l) => l.includes('✗ forged'));
    const clock = /^(\d\d):(\d\d):\d\d /.exec(line)!;
    const minutes = (Number(clock[1]) * 60 + Number(clock[2]) - (new Date().getUTCHours() * 60 + new Date().getUTCMinutes()) + 1440) % 1440;
    expect([329, 330, 331]).toContain(minutes);
    expect(line).toContain('P\\x1b[31mRED\\x0aFAKE verified');
    expect(line).toContain('sign A\\x0aB\\x1b[2J does not match: the received sign is 7 characters, not all hex');
    expect(proc.lines().join('\n')).not.toContain('\u001b');
    expect(proc.lines().filter((l) => l.includes('FAKE'))).toEqual([line]);
  });

  it('stopping, the human output says what arrived: verified (with repeats), forged', async () => {
    const proc = startIotpay(['listen', '--port', '0'], baseEnv());
    started.push(proc);
    const url = /(http:\/\/\S+)/.exec(await proc.waitForLine((l) => l.includes('listening for notifies on')))![1]!;
    // The banner names the notify URL to give orders; the notifies below go to it.
    expect(await proc.waitForLine((l) => l.includes('notify URL'))).toBe(`  give orders this notify URL: --notify-url ${url}/notify (iotpay mock calls it; a gateway elsewhere needs a tunnel to it)`);
    for (const body of [signed, signed, { ...signed, sign: 'F'.repeat(32) }]) await post(`${url}/notify`, JSON.stringify(body), 'application/json');
    await proc.waitForLine((l) => l.includes('✗ forged'));
    expect(await proc.stop('SIGINT')).toBe(0);
    expect(proc.lines().filter((l) => l !== '').at(-1)).toBe('listener stopped after 3 notifies: 2 verified (1 repeat), 1 forged');
    const idle = startIotpay(['listen', '--port', '0'], baseEnv());
    started.push(idle);
    await idle.waitForLine((l) => l.includes('listening for notifies on'));
    expect(await idle.stop('SIGINT')).toBe(0);
    expect(idle.lines().filter((l) => l !== '').at(-1)).toBe('listener stopped: no notify arrived');
  });

  it("a forged notify's reason names the likely cause, as verify does", async () => {
    const listen = await startListen();
    const withSubject = { ...notify, subject: 'tea & cakes' };
    const encoded = { ...withSubject, subject: encodeURIComponent(withSubject.subject), sign: sign(withSubject, KEY) };
    expect(await post(`${listen.url}/notify`, JSON.stringify(encoded), 'application/json')).toEqual({ status: 400, text: 'fail' });
    const event = await waitFor(() => jsonLines(listen.proc.lines()).find((e) => e.verdict), 'the log line');
    expect(event).toMatchObject({ verdict: 'forged' });
    expect(event.reason).toBe(`sign ${encoded.sign} does not match: subject arrived URL-encoded but was signed decoded: decode the transport once before verifying`);
  });

  it("a sign made with another profile's key: listen's reason and the mock's likely cause name the profile, never a key", async () => {
    const other = 'TEST-k3y-0123456789-bb';
    expect((await runCli(['config', 'set', '--profile', 'test', 'key', other], { env: { IOTPAY_CONFIG_DIR: dir } })).code).toBe(0);
    const listen = await startListen();
    const mock = await startMock();
    const signed = { ...notify, sign: sign(notify, other) };
    expect(await post(`${listen.url}/notify`, JSON.stringify(signed), 'application/json')).toEqual({ status: 400, text: 'fail' });
    const event = await waitFor(() => jsonLines(listen.proc.lines()).find((e) => e.verdict), 'the log line');
    expect(event.reason).toBe(
      `sign ${signed.sign} does not match: the sign was made with the key of profile "test", not this run's key (from IOTPAY_KEY): run listen with --profile test and IOTPAY_KEY unset if that is the account, else the signer has the wrong account's key`,
    );
    const order = { mchId: '20001222', mchOrderNo: 'K-1', channelId: 'WX_NATIVE', currency: 'CAD', amount: 4, clientIp: '1.2.3.4', notifyUrl: 'http://127.0.0.1:9/', subject: 's', body: 'b', jobNo: 'j' };
    const body = new URLSearchParams({ params: JSON.stringify({ ...order, sign: sign(order, other) }) }).toString();
    expect(JSON.parse((await post(`${mock.baseUrl}/create_order`, body, 'application/x-www-form-urlencoded')).text)).toEqual({ retCode: 'FAIL', retMsg: 'Verify XX pay sign failed' });
    const logged = await waitFor(() => jsonLines(mock.proc.lines()).find((e) => e.mchOrderNo === 'K-1'), 'the mock log line');
    expect(logged.likelyCause).toBe(
      `the sign was made with the key of profile "test", not this run's key (from IOTPAY_KEY): start the mock with --profile test and IOTPAY_KEY unset if that is the account, else the signer has the wrong account's key`,
    );
    for (const p of [listen.proc, mock.proc]) expect(p.lines().join('\n')).not.toContain(other);
  });

  it('never forwards a forged notify', async () => {
    const handler = await startMerchantHandler();
    try {
      const listen = await startListen(['--forward-to', handler.url]);
      const forged = { ...signed, sign: sign(notify, 'other-key') };
      expect(await post(`${listen.url}/`, JSON.stringify(forged), 'application/json')).toEqual({ status: 400, text: 'fail' });
      expect(await post(`${listen.url}/`, JSON.stringify(signed), 'application/json')).toEqual({ status: 200, text: 'success' });
      expect(handler.calls()).toBe(1);
    } finally {
      await handler.close();
    }
  });

  it('a handler that answers something other than "success" is flagged in the line: the gateway will send it again', async () => {
    const answers = ['OK', 'success\n'];
    const handler = http.createServer((_req, res) => res.end(answers.shift()));
    await new Promise<void>((r) => handler.listen(0, '127.0.0.1', r));
    try {
      const proc = startIotpay(['listen', '--port', '0', '--forward-to', `http://127.0.0.1:${(handler.address() as net.AddressInfo).port}/h`], baseEnv({ NO_COLOR: '1' }));
      started.push(proc);
      const url = /(http:\/\/\S+)/.exec(await proc.waitForLine((l) => l.includes('listening for notifies on')))![1]!;
      for (let i = 0; i < 2; i++) await post(`${url}/`, JSON.stringify(signed), 'application/json');
      await proc.waitForLine((l) => l.includes('(repeat)'));
      const lines = proc.lines().filter((l) => l.includes('✓ verified'));
      expect(lines[0]).toContain('→ handler HTTP 200 "OK" (not "success": the gateway will send it again)  → 200 OK');
      // The handler's answer quoted as JSON writes it (a line break as \\n, not doubled escapes).
      expect(lines[1]).toContain('→ handler HTTP 200 "success\\n"  → 200 success\\x0a');
      expect(lines[1]).not.toContain('not "success"');
    } finally {
      await new Promise<void>((r) => handler.close(() => r()));
    }
  });

  it('a handler that is down makes listen answer 502 fail, so the gateway retries', async () => {
    const listen = await startListen(['--forward-to', 'http://127.0.0.1:9/down']);
    expect(await post(`${listen.url}/`, JSON.stringify(signed), 'application/json')).toEqual({ status: 502, text: 'fail' });
    // The log says why in words as well as by code.
    const event = await waitFor(() => jsonLines(listen.proc.lines()).find((e) => e.verdict), 'the log line');
    expect(event).toMatchObject({ verdict: 'verified', forward: { error: 'ECONNREFUSED', message: 'connection to 127.0.0.1:9 refused' }, answer: { status: 502, body: 'fail' } });
  });

  // openssl makes the dev server's certificate; without it the case is skipped, as in faults.test.ts.
  const haveOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  it.skipIf(!haveOpenssl)('a handler on https with a self-signed certificate: refused and said how, then reached with --skip-verify, by listen and by the mock', async () => {
    const https = await import('node:https');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1',
      '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    let reached = 0;
    const handler = https.createServer({ cert: fs.readFileSync(path.join(dir, 'cert.pem')), key: fs.readFileSync(path.join(dir, 'key.pem')) }, (_req, res) => {
      reached++;
      res.end('success');
    });
    await new Promise<void>((r) => handler.listen(0, '127.0.0.1', r));
    const target = `https://127.0.0.1:${(handler.address() as net.AddressInfo).port}/iotpay/notify`;
    try {
      const strict = await startListen(['--forward-to', target]);
      expect(await post(`${strict.url}/`, JSON.stringify(signed), 'application/json')).toEqual({ status: 502, text: 'fail' });
      const refused = await waitFor(() => jsonLines(strict.proc.lines()).find((e) => e.verdict), 'the log line');
      expect((refused.forward as { message: string }).message).toMatch(/^TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\); --skip-verify forwards to it without checking$/);
      expect(reached).toBe(0);
      const lax = await startListen(['--forward-to', target, '--skip-verify']);
      // The human banner says the certificate goes unchecked.
      const human = startIotpay(['listen', '--port', '0', '--forward-to', target, '--skip-verify'], baseEnv());
      started.push(human);
      expect(await human.waitForLine((l) => l.includes('listening for notifies'))).toMatch(/→ forwarding valid ones to https:\/\/127\.0\.0\.1:\d+\/iotpay\/notify \(its certificate not checked: --skip-verify\)$/);
      expect(await post(`${lax.url}/`, JSON.stringify(signed), 'application/json')).toEqual({ status: 200, text: 'success' });
      expect(reached).toBe(1);
      // Only for an https handler: elsewhere the flag would silently mean nothing.
      const misplaced = await runCli(['listen', '--port', '0', '--forward-to', 'http://127.0.0.1:9/n', '--skip-verify'], { env: baseEnv() });
      expect(misplaced.code).toBe(2);
      expect(misplaced.stderr).toBe('error: --skip-verify applies only to an https --forward-to\n');
      // A handler's URL written without its scheme: refused, with the one it meant.
      const bare = await runCli(['listen', '--port', '0', '--forward-to', 'localhost:3000/iotpay/notify'], { env: baseEnv() });
      expect([bare.code, bare.stderr]).toEqual([2, 'error: --forward-to "localhost:3000/iotpay/notify" is not an http(s) URL (did you mean http://localhost:3000/iotpay/notify?)\n']);
      // The mock delivering its notify straight to that handler: refused and said how, then delivered with --skip-verify.
      for (const [flags, ok] of [[['--notify-attempts', '1'], false], [['--notify-attempts', '1', '--skip-verify'], true]] as const) {
        const mock = await startMock([...flags]);
        const env = baseEnv({ IOTPAY_BASE_URL: mock.baseUrl });
        const id = JSON.parse((await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', target, '--json'], { env })).stdout).response.payOrderId;
        expect((await fetch(`${mock.url}/mock/orders/${id}/pay`, { method: 'POST' })).status).toBe(200);
        const delivery = await waitFor(() => jsonLines(mock.proc.lines()).find((e) => e.event === 'notify'), 'the notify attempt');
        expect(delivery.ok, String(delivery.detail)).toBe(ok);
        if (!ok) expect(delivery.detail).toMatch(/^TLS certificate of 127\.0\.0\.1:\d+ is not trusted \(DEPTH_ZERO_SELF_SIGNED_CERT\); mock --skip-verify delivers to it without checking$/);
      }
      expect(reached).toBe(2);
    } finally {
      await new Promise<void>((r) => handler.close(() => r()));
    }
  });
});

describe('shutdown', () => {
  it('SIGINT and SIGTERM stop mock and listen with exit 0 and release the port', async () => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      const mock = await startMock();
      const listen = await startListen();
      const mockPort = Number(new URL(mock.baseUrl).port);
      const listenPort = Number(new URL(listen.url).port);
      expect(await mock.proc.stop(signal)).toBe(0);
      expect(await listen.proc.stop(signal)).toBe(0);
      expect(await portIsFree(mockPort)).toBe(true);
      expect(await portIsFree(listenPort)).toBe(true);
      // --json ends with the counts, as a last JSON line.
      expect(jsonLines(mock.proc.lines()).at(-1)).toEqual({ event: 'stopped', requests: 0, failed: 0, faulted: 0, noEndpoint: 0, payments: 0, cancelled: 0, delivered: 0, undelivered: 0, refunds: 0 });
      expect(jsonLines(listen.proc.lines()).at(-1)).toEqual({ event: 'stopped', verdicts: {}, repeats: 0 });
    }
  });

  it.each(['json', 'human'])('pending notify retries are dropped with a log line (%s)', async (mode) => {
    const human = mode === 'human';
    const mock = await startMock(['--retry-delay', '60000'], baseEnv(), human);
    const env = baseEnv({ IOTPAY_BASE_URL: mock.baseUrl });
    const created = JSON.parse((await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/refused', '--json'], { env })).stdout);
    const id = created.response.payOrderId as string;
    await fetch(`${mock.url}/mock/orders/${id}/pay`, { method: 'POST' });
    await waitFor(() => mock.proc.lines().find((l) => (human ? l.includes(`notify ${id} attempt 1/5`) : l.includes('"event":"notify"'))), 'the first notify attempt');
    expect(await mock.proc.stop('SIGTERM')).toBe(0);
    if (human) {
      expect(mock.proc.lines()).toContainEqual(expect.stringMatching(new RegExp(`^\\d\\d:\\d\\d:\\d\\d  stopping: 0 in-flight notifies finished, 0 cut off, 1 retry dropped \\(${id}\\)$`)));
    } else {
      expect(jsonLines(mock.proc.lines()).find((e) => e.event === 'shutdown')).toMatchObject({ retriesDropped: [id] });
    }
  });

  it('stopping, the human output says what happened: requests (and FAILs), payments, notifies, refunds', async () => {
    const idle = await startMock([], baseEnv(), true);
    expect(await idle.proc.stop('SIGINT')).toBe(0);
    expect(idle.proc.lines().filter((l) => l !== '').at(-1)).toBe('mock stopped: no request arrived');
    const mock = await startMock(['--notify-attempts', '1'], baseEnv(), true);
    const env = baseEnv({ IOTPAY_BASE_URL: mock.baseUrl });
    const id = JSON.parse((await runCli(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n', '--json'], { env })).stdout).response.payOrderId;
    expect((await runCli(['query', '--mch-order-no', 'NO-SUCH'], { env })).code).toBe(1);
    expect((await fetch(`${mock.url}/mock/orders/${id}/pay`, { method: 'POST' })).status).toBe(200);
    await mock.proc.waitForLine((l) => l.includes(`notify ${id} attempt 1/1`));
    expect((await runCli(['refund', '--pay-order-id', id, '-a', '40', '--yes'], { env })).code).toBe(0);
    await mock.proc.waitForLine((l) => l.includes('refund'));
    expect(await mock.proc.stop('SIGINT')).toBe(0);
    // create, the query for an unknown order (FAIL), refund's check and the refund itself.
    expect(mock.proc.lines().filter((l) => l !== '').at(-1)).toBe('mock stopped after 4 requests (1 answered FAIL), 1 payment, 0 notifies delivered (1 attempt failed), 1 refund');
    // A simulated fault is not a FAIL answer.
    const faulty = await startMock(['--fault', 'http500'], baseEnv(), true);
    expect((await runCli(['query', '--mch-order-no', 'X'], { env: baseEnv({ IOTPAY_BASE_URL: faulty.baseUrl }) })).code).toBe(3);
    expect(await faulty.proc.stop('SIGINT')).toBe(0);
    expect(faulty.proc.lines().filter((l) => l !== '').at(-1)).toBe('mock stopped after 1 request (1 given the --fault)');
    // The banner says what it was started to do differently (a forgotten --fault is otherwise a mystery); a plain mock says nothing of it.
    expect(faulty.proc.lines()).toContain('  answers every gateway call with HTTP 500 (--fault http500)');
    expect(mock.proc.lines().slice(0, 4).join('\n')).not.toMatch(/--fault|pays each order|expires/);
    // With --json the listening line carries the same, as numbers.
    const quiet = await startMock(['--auto-pay', '5', '--expire-after', '60', '--latency', '200', '--fault', 'badsign', '--skip-verify']);
    expect(jsonLines(quiet.proc.lines())[0]).toMatchObject({ event: 'listening', autoPaySeconds: 5, expireAfterSeconds: 60, latencyMs: 200, fault: 'badsign', skipVerify: true });
    const plain = await startMock([]);
    expect(Object.keys(jsonLines(plain.proc.lines())[0]!).sort()).toEqual(['baseUrl', 'event', 'mchId', 'sandbox']);
    const busy = await startMock(['--auto-pay', '5', '--expire-after', '60', '--latency', '200', '--fault', 'badsign'], baseEnv(), true);
    await busy.proc.waitForLine((l) => l.includes('--fault badsign'));
    expect(busy.proc.lines()).toContain(
      '  pays each order 5 s after it is created; expires each order still unpaid 60 s after it is created; answers after 200 ms; signs every answer wrongly (--fault badsign)',
    );
    // A duration with a unit: refused, naming the number in the flag's own unit.
    for (const [flag, given, said] of [
      ['--auto-pay', '5s', 'must be a whole number of seconds up to 86400, got "5s" (did you mean 5?)'],
      ['--latency', '3s', 'must be a whole number of milliseconds up to 600000, got "3s" (did you mean 3000?)'],
      ['--expire-after', '25h', 'must be a whole number of seconds up to 86400, got "25h"'],
    ] as const) {
      const r = await runCli(['mock', '--port', '0', flag, given], { env: baseEnv() });
      expect([r.code, r.stderr]).toEqual([2, `error: ${flag} ${said}\n`]);
    }
  });

  it('a client at the wrong path or with the wrong method is logged and told where the API is; a browser\'s favicon is not logged', async () => {
    const mock = await startMock([], baseEnv(), true);
    const noV1 = await fetch(`${mock.url}/create_order`, { method: 'POST', body: 'params={}', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(noV1.status).toBe(404);
    expect(await noV1.json()).toEqual({ error: 'no such endpoint: POST /create_order; the API is at /v1/create_order (a base URL ends in /v1)' });
    const get = await fetch(`${mock.baseUrl}/query_order?mchId=1`);
    expect(get.status).toBe(405);
    expect(await get.json()).toEqual({ retCode: 'FAIL', retMsg: 'POST only' });
    expect((await fetch(`${mock.url}/favicon.ico`)).status).toBe(404);
    expect((await fetch(`${mock.url}/api/pay`, { method: 'POST' })).status).toBe(404);
    await mock.proc.waitForLine((l) => l.includes('POST /api/pay'));
    expect(await mock.proc.stop('SIGINT')).toBe(0);
    const logged = mock.proc.lines().filter((l) => /^\d\d:\d\d:\d\d {2}/.test(l)).map((l) => l.slice(10));
    expect(logged).toEqual([
      'POST /create_order  →  no such endpoint; the API is at /v1/create_order (a base URL ends in /v1)',
      'GET /v1/query_order  →  FAIL POST only',
      'POST /api/pay  →  no such endpoint',
    ]);
    expect(mock.proc.lines().filter((l) => l !== '').at(-1)).toBe('mock stopped after 3 requests (1 answered FAIL, 2 sent to no endpoint)');
  });

  it('a busy port is exit 2 with a clear message', async () => {
    const mock = await startMock();
    const port = new URL(mock.baseUrl).port;
    const r = await runCli(['mock', '--port', port], { env: baseEnv() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`port ${port} on 127.0.0.1 is already in use`));
  });
});

describe('--sandbox', () => {
  it('create --sandbox --wait --json ends paid with no configuration at all', async () => {
    const r = await runCli(['create', '--sandbox', '--channel', 'WX_NATIVE', '--amount', '100', '--wait', '--json'], {
      env: { IOTPAY_CONFIG_DIR: path.join(dir, 'fresh') },
      timeoutMs: 20_000,
    });
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ signature: 'verified', paid: true, payment: { kind: 'qr' } });
    expect([2, 3]).toContain(doc.status);
    expect(r.stderr).toMatch(/verified/); // the notify arriving, on stderr in --json mode
    const later = await runCli(['query', '--sandbox', '--mch-order-no', doc.request.mchOrderNo, '--json'], { env: { IOTPAY_CONFIG_DIR: path.join(dir, 'fresh') } });
    expect(later.code).toBe(0);
    expect(JSON.parse(later.stdout).paid).toBe(true);
    // History marks the order as sandbox data (query's order picker keeps it apart from real gateways').
    const history = fs.readFileSync(path.join(dir, 'fresh', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(history).toEqual([expect.objectContaining({ type: 'create', sandbox: true, request: expect.objectContaining({ mchOrderNo: doc.request.mchOrderNo }) })]);
    const listed = await runCli(['history'], { env: { IOTPAY_CONFIG_DIR: path.join(dir, 'fresh') } });
    expect(listed.stdout).toMatch(new RegExp(`${doc.request.mchOrderNo} .* SUCCESS \\(sandbox\\)\n$`));
  }, 30_000);

  it('every next step a sandbox order names is a sandbox command, and refund --sandbox refunds it', async () => {
    const env = { IOTPAY_CONFIG_DIR: path.join(dir, 'next-steps') };
    const made = await runCli(['create', '--sandbox', '--channel', 'WX_NATIVE', '--amount', '100'], { env });
    expect(made.code, made.stderr).toBe(0);
    const follow = /follow it: (iotpay query --mch-order-no (\S+) --sandbox --wait)\n$/.exec(made.stdout);
    expect(follow, made.stdout).not.toBeNull();
    // What it names works: the order is found (and pays itself within the wait).
    const followed = await runCli([...follow![1]!.split(' ').slice(1), '--json'], { env, timeoutMs: 20_000 });
    expect(followed.code, followed.stderr).toBe(0);
    expect(JSON.parse(followed.stdout)).toMatchObject({ paid: true, response: expect.objectContaining({ mchOrderNo: follow![2] }) });
    // And it can be refunded there, in parts, the sandbox keeping count across runs.
    const payOrderId = JSON.parse(followed.stdout).response.payOrderId as string;
    const refund = (cents: string) => runCli(['refund', '--sandbox', '--pay-order-id', payOrderId, '--amount', cents, '--yes', '--json'], { env });
    const part = await refund('40');
    expect(part.code, part.stderr).toBe(0);
    expect(JSON.parse(part.stdout).response).toMatchObject({ retCode: 'SUCCESS', refundAmount: 40 });
    const over = await refund('70');
    expect(over.code).toBe(2);
    expect(over.stderr).toMatch(/refund 0\.70 CAD is more than the 0\.60 CAD that remains of \S+ \(1\.00 CAD paid, 0\.40 CAD of it refunded from this machine\)/);
    // The sandbox gateway keeps count too: without the check, it refuses.
    const unchecked = await runCli(['refund', '--sandbox', '--pay-order-id', payOrderId, '--amount', '70', '--yes', '--no-check'], { env });
    expect(unchecked.code).toBe(1);
    expect(unchecked.stderr).toMatch(/refundAmount 70 is more than what remains refundable \(60\)/);
    const refunds = fs.readFileSync(path.join(dir, 'next-steps', 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.type === 'refund');
    expect(refunds).toEqual([expect.objectContaining({ sandbox: true }), expect.objectContaining({ sandbox: true })]);
    // Without --sandbox, a gateway (here a separate mock) does not know the order: its FAIL says where it lives.
    const elsewhere = await startMock();
    const outside = { ...baseEnv(), ...env, IOTPAY_BASE_URL: elsewhere.baseUrl };
    const sandboxHint = /this machine made that order with --sandbox, and only the sandbox knows it: run the command again with --sandbox\n$/;
    const lost = await runCli(['query', '--mch-order-no', follow![2]!], { env: outside });
    expect(lost.code).toBe(1);
    expect(lost.stderr).toMatch(/^error: query_order FAIL: order does not exist; /);
    expect(lost.stderr).toMatch(sandboxHint);
    // With no credentials at all, setting them is not the fix: --sandbox is.
    const unconfigured = await runCli(['query', '--mch-order-no', follow![2]!], { env });
    expect(unconfigured.code).toBe(2);
    expect(unconfigured.stderr).toMatch(/^error: mch-id is required to query an order; this machine made that order with --sandbox/);
    expect(unconfigured.stderr).toMatch(sandboxHint);
    const unconfiguredRefund = await runCli(['refund', '--pay-order-id', payOrderId, '--amount', '1', '--yes'], { env });
    expect(unconfiguredRefund.code).toBe(2);
    expect(unconfiguredRefund.stderr).toMatch(/^error: mch-id is required to refund; this machine made that order with --sandbox/);
    // An order it did not make there: the usual way to set the credential.
    expect((await runCli(['query', '--mch-order-no', 'NEVER-MADE'], { env })).stderr).toMatch(/; set it with --mch-id, IOTPAY_MCH_ID, or `iotpay config set mch-id`\n$/);
    for (const check of [[], ['--no-check']]) {
      const refunded = await runCli(['refund', '--pay-order-id', payOrderId, '--amount', '1', '--yes', ...check], { env: outside });
      expect(refunded.code, check.join()).toBe(1);
      expect(refunded.stderr, check.join()).toMatch(sandboxHint);
    }
    // Its mchOrderNo given as a payOrderId: the id to use, with --sandbox.
    const swapped = await runCli(['query', '--pay-order-id', follow![2]!], { env: outside });
    expect(swapped.code).toBe(1);
    expect(swapped.stderr).toMatch(new RegExp(`; ${follow![2]} is the mchOrderNo of an order this machine created, not a payOrderId; its payOrderId is ${payOrderId}: use --pay-order-id ${payOrderId} --sandbox\n$`));
    // An order this machine did not make in the sandbox gets no such word.
    const unknown = await runCli(['query', '--mch-order-no', 'NEVER-MADE'], { env: outside });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).not.toMatch(/sandbox/);
    // A wait that runs out before the sandbox pays names the sandbox query too.
    const short = await runCli(['create', '--sandbox', '--channel', 'WX_NATIVE', '--amount', '100', '--wait', '--wait-timeout', '1'], { env, timeoutMs: 20_000 });
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/not paid after 1 s .*check later with iotpay query --mch-order-no \S+ --sandbox\n/);
  }, 30_000);

  it('--web opens a redirect channel\'s page with $BROWSER (in the sandbox, waiting while it is served); other payments are said to be no page', async () => {
    const env = { IOTPAY_CONFIG_DIR: path.join(dir, 'web') };
    // A browser that writes down what it was asked to open.
    const opened = path.join(dir, 'opened.txt');
    const browser = path.join(dir, 'browser.sh');
    fs.writeFileSync(browser, `#!/bin/sh\nprintf '%s\\n' "$@" > '${opened}.tmp' && mv '${opened}.tmp' '${opened}'\n`, { mode: 0o755 });
    const page = await runCli(['create', '--sandbox', '--channel', 'ALIPAY_PC', '--amount', '100', '--web', '--json'], { env: { ...env, BROWSER: browser }, timeoutMs: 20_000 });
    expect(page.code, page.stderr).toBe(0);
    const doc = JSON.parse(page.stdout);
    // The page was served until paid: --web in the sandbox waits as --wait does.
    expect(doc).toMatchObject({ payment: { kind: 'redirect' }, paid: true });
    const argv = await waitFor(() => (fs.existsSync(opened) ? fs.readFileSync(opened, 'utf8') : undefined), 'the browser to be started');
    expect(argv).toBe(`${doc.payment.value}\n`);
    expect(page.stderr).not.toMatch(/warning/);
    // Human output says so under the URL.
    fs.rmSync(opened);
    const human = await runCli(['create', '--sandbox', '--channel', 'UPI_SEQ', '--amount', '100', '--web'], { env: { ...env, BROWSER: browser }, timeoutMs: 20_000 });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/\n(http:\/\/127\.0\.0\.1:\d+\/mock\/pay\/\S+)\nopened in your browser\n/);
    expect(await waitFor(() => (fs.existsSync(opened) ? fs.readFileSync(opened, 'utf8') : undefined), 'the browser again')).toMatch(/\/mock\/pay\/UP/);
    // A QR is no page: said, nothing opened, no wait.
    const qr = await runCli(['create', '--sandbox', '--channel', 'WX_NATIVE', '--amount', '100', '--web', '--json'], { env: { ...env, BROWSER: browser } });
    expect(qr.code).toBe(0);
    expect(JSON.parse(qr.stdout)).not.toHaveProperty('paid');
    expect(qr.stderr).toBe("warning: --web: WX_NATIVE's payment is a QR code to scan, not a web page: nothing to open\n");
    // A browser that cannot be started: a warning, and the order goes on.
    const missing = await runCli(['create', '--sandbox', '--channel', 'ALIPAY_PC', '--amount', '100', '--web', '--json'], { env: { ...env, BROWSER: path.join(dir, 'no-such-browser') }, timeoutMs: 20_000 });
    expect(missing.code, missing.stderr).toBe(0);
    expect(JSON.parse(missing.stdout).paid).toBe(true);
    expect(missing.stderr).toMatch(/^warning: --web: the payment page was not opened \(\S+no-such-browser: not found \(from BROWSER\)\); open its URL yourself$/m);
  }, 40_000);

  it("the flags' own errors come before the sandbox starts; a query without an order names the last one made on that gateway", async () => {
    const env = { IOTPAY_CONFIG_DIR: path.join(dir, 'early') };
    for (const args of [
      ['create', '--channel', 'WX_NATIVE', '--amount', '28.65'],
      ['create', '--amount', '100'],
      ['create', '--channel', 'WX_NATIVE'],
      ['create', '--channel', 'WX_NATIVE', '--amount', '1', '--extra', '{x'],
      ['create', '--channel', 'WX_NATIVE', '--amount', '1', '--wait', '--wait-timeout', '0'],
      ['query', '--mch-order-no', 'A', '--pay-order-id', 'B'],
      ['query', '--mch-order-no', 'A', '--wait-timeout', 'x'],
      ['refund', '--amount', '1', '--yes'],
      ['refund', '--pay-order-id', 'P1', '--yes'],
      ['refund', '--pay-order-id', 'P1', '--amount', '1'],
    ]) {
      const r = await runCli([...args, '--sandbox'], { env });
      expect(r.code, args.join(' ')).toBe(2);
      // One line: the error, no "sandbox: mock gateway …" line before it.
      expect(r.stderr, args.join(' ')).toMatch(/^error: [^\n]+\n$/);
    }
    const none = await runCli(['query', '--sandbox'], { env });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('error: which order? pass --mch-order-no <no> or --pay-order-id <id>\n');
    const made = await runCli(['create', '--sandbox', '--channel', 'WX_NATIVE', '--amount', '100', '--json'], { env });
    expect(made.code, made.stderr).toBe(0);
    const { mchOrderNo } = JSON.parse(made.stdout).request as { mchOrderNo: string };
    const named = await runCli(['query', '--sandbox', '--json'], { env });
    expect(named.code).toBe(2);
    expect(named.stdout).toBe('');
    expect(named.stderr).toBe(`error: which order? pass --mch-order-no <no> or --pay-order-id <id>; the last sandbox order this machine created: --mch-order-no ${mchOrderNo}\n`);
    // Outside the sandbox the sandbox's orders are not named; an order made on the gateway in use is.
    const gateway = await startMock();
    const outside = { ...baseEnv(), ...env, IOTPAY_BASE_URL: gateway.baseUrl };
    const unnamed = await runCli(['query'], { env: outside });
    expect(unnamed.stderr).toBe('error: which order? pass --mch-order-no <no> or --pay-order-id <id>\n');
    const real = await runCli(['create', '--channel', 'WX_NATIVE', '--amount', '100', '--notify-url', 'http://127.0.0.1:9/n', '--json'], { env: outside });
    expect(real.code, real.stderr).toBe(0);
    const last = await runCli(['query'], { env: outside });
    expect(last.stderr).toMatch(new RegExp(`; the last order this machine created: --mch-order-no ${JSON.parse(real.stdout).request.mchOrderNo}\n$`));
  }, 30_000);

  it('a redirect channel needs no return URL in the sandbox: the checkout comes back to the mock, and says its page closes with the run; --verbose names --sandbox as the source', async () => {
    const env = { IOTPAY_CONFIG_DIR: path.join(dir, 'redirect') };
    const json = await runCli(['create', '--sandbox', '--channel', 'ALIPAY_PC', '--amount', '1999', '--json'], { env });
    expect(json.code, json.stderr).toBe(0);
    const doc = JSON.parse(json.stdout);
    expect(doc.payment.kind).toBe('redirect');
    const checkout = new URL(doc.payment.value);
    expect(doc.request.returnUrl).toBe(`${checkout.origin}/`);
    // A channel that does not redirect gets none, and a given one is kept.
    const qr = await runCli(['create', '--sandbox', '--channel', 'WX_NATIVE', '--amount', '100', '--json'], { env });
    expect(JSON.parse(qr.stdout).request).not.toHaveProperty('returnUrl');
    const own = await runCli(['create', '--sandbox', '--channel', 'ALIPAY_PC', '--amount', '100', '--return-url', 'https://shop.example/back', '--json'], { env });
    expect(JSON.parse(own.stdout).request.returnUrl).toBe('https://shop.example/back');
    const human = await runCli(['create', '--sandbox', '--channel', 'ALIPAY_PC', '--amount', '100'], { env });
    expect(human.stdout).toMatch(/\/mock\/pay\/\S+\nthat page is served only while this command runs: add --wait to open it, or --web to have it opened \(the sandbox pays the order after 3 s\)\nfollow it: /);
    // --verbose says where the sandbox's settings come from: not the flags and variables, which it does not read.
    const verbose = await runCli(['--verbose', 'query', '--sandbox', '--mch-order-no', 'NOPE'], { env: { ...env, IOTPAY_MCH_ID: '777', IOTPAY_TIMEOUT: '5000' } });
    expect(verbose.stderr.split('\n').filter((l) => / = .* \(from /.test(l))).toEqual([
      'mchId = 10000001 (from --sandbox)',
      'key = iotp…et (from --sandbox)',
      expect.stringMatching(/^baseUrl = http:\/\/127\.0\.0\.1:\d+\/v1 \(from --sandbox\)$/),
      'timeout = 15000 (from default)',
    ]);
    const waited = await runCli(['create', '--sandbox', '--channel', 'ALIPAY_PC', '--amount', '100', '--wait'], { env, timeoutMs: 20_000 });
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).not.toMatch(/served only while/);
  }, 30_000);
});
