// refund, doctor and completion on the built binary against `iotpay mock`.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { json, startGatewayStub } from '../helpers/gateway-stub.js';
import { killAll, startIotpay, type Running } from '../helpers/process.js';
import { runOnPty } from '../helpers/pty.js';

const KEY = 'CANARY-k3y-0123456789-zz';
const dir = tempDir();
let mock: Running;
let baseUrl: string;
const env = () => ({ IOTPAY_CONFIG_DIR: dir, IOTPAY_KEY: KEY, IOTPAY_MCH_ID: '20001222', IOTPAY_JOB_NO: 'alice', IOTPAY_BASE_URL: baseUrl });

beforeAll(async () => {
  mock = startIotpay(['mock', '--port', '0', '--json', '--auto-pay', '0'], { IOTPAY_CONFIG_DIR: dir, IOTPAY_KEY: KEY, IOTPAY_MCH_ID: '20001222' });
  baseUrl = JSON.parse(await mock.waitForLine((l) => l.includes('"listening"'))).baseUrl;
});
afterAll(async () => {
  await mock.stop();
  killAll();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function iotpay(args: string[], extra: Record<string, string> = {}): Promise<RunResult> {
  const r = await runCli(args, { env: { ...env(), ...extra } });
  expect(r.stdout).not.toContain(KEY);
  expect(r.stderr).not.toContain(KEY);
  return r;
}

/** A paid order of `amount` cents (the mock pays at once with --auto-pay 0). */
async function paidOrder(amount: number): Promise<string> {
  const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', String(amount), '--notify-url', 'http://127.0.0.1:9/n', '--json']);
  const payOrderId = JSON.parse(r.stdout).response.payOrderId as string;
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const q = JSON.parse((await iotpay(['query', '--pay-order-id', payOrderId, '--json'])).stdout);
    if (q.paid) return payOrderId;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('order never paid');
}

describe('refund', () => {
  it("an order's ids given in each other's flags: the FAIL says which id it is, from this machine's history", async () => {
    const created = JSON.parse((await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n', '--mch-order-no', 'SWAP-1', '--json'])).stdout);
    const payOrderId = created.response.payOrderId as string;
    const asPay = await iotpay(['query', '--pay-order-id', 'SWAP-1']);
    expect(asPay.code).toBe(1);
    expect(asPay.stderr).toBe(`error: query_order FAIL: order does not exist; SWAP-1 is the mchOrderNo of an order this machine created, not a payOrderId; its payOrderId is ${payOrderId}: use --pay-order-id ${payOrderId}\n`);
    const refund = await iotpay(['refund', '--pay-order-id', 'SWAP-1', '-a', '1', '--yes']);
    expect(refund.code).toBe(1);
    expect(refund.stderr).toMatch(new RegExp(`; SWAP-1 is the mchOrderNo of an order this machine created, not a payOrderId; its payOrderId is ${payOrderId}: use --pay-order-id ${payOrderId}\n$`));
    const asMch = await iotpay(['query', '--mch-order-no', payOrderId]);
    expect(asMch.code).toBe(1);
    expect(asMch.stderr).toBe(`error: query_order FAIL: order does not exist; ${payOrderId} is the payOrderId of an order this machine created, not a mchOrderNo: use --pay-order-id ${payOrderId}\n`);
    // An id this machine never made gets no such word.
    expect((await iotpay(['query', '--pay-order-id', 'NEVER-SEEN'])).stderr).toBe('error: query_order FAIL: order does not exist\n');
  });

  it('full refund: signed refund_order with every field, --json, history line', async () => {
    const id = await paidOrder(2865);
    const r = await iotpay(['refund', '--pay-order-id', id, '--amount', '2865', '--yes', '--mch-refund-no', 'RF-FULL', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.signature).toBe('verified');
    expect(doc.request).toMatchObject({ mchId: '20001222', mchRefundNo: 'RF-FULL', refundAmount: 2865, currency: 'CAD', clientIp: '127.0.0.1', loginName: 'alice', payOrderId: id });
    expect(doc.request.sign).toMatch(/^[0-9A-F]{32}$/);
    expect(doc.response).toMatchObject({ retCode: 'SUCCESS', resCode: 'SUCCESS', refundAmount: 2865 });
    const lines = fs.readFileSync(path.join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ type: 'refund', request: { mchRefundNo: 'RF-FULL', refundAmount: 2865 }, response: { retCode: 'SUCCESS' } });
    expect((await iotpay(['history', '-n', '1'])).stdout).toMatch(/refund.*28\.65 CAD.*RF-FULL.*SUCCESS/);
  });

  it('partial refunds add up: above what remains is refused from history (exit 2), or by the gateway (exit 1); a generated number is at most 30 chars', async () => {
    const id = await paidOrder(1000);
    const first = await iotpay(['refund', '--pay-order-id', id, '-a', '600', '--yes', '--json', '--client-ip', 'shop-server']);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout).request.mchRefundNo.length).toBeLessThanOrEqual(30);
    // A clientIp that is no IP address is warned about and sent as given, as by create.
    expect(first.stderr).toBe(`warning: clientIp "shop-server" is not an IP address (the payer's IPv4 or IPv6 address, such as 203.0.113.7)\n`);
    expect(JSON.parse(first.stdout).request.clientIp).toBe('shop-server');
    // This machine's history says 6.00 of the 10.00 were refunded: 5.00 more is refused before anything is sent.
    const over = await iotpay(['refund', '--pay-order-id', id, '-a', '500', '--yes']);
    expect(over.code).toBe(2);
    expect(over.stderr).toBe(
      `error: refund 5.00 CAD is more than the 4.00 CAD that remains of ${id} (10.00 CAD paid, 6.00 CAD of it refunded from this machine); no refund was sent; history counts the refunds made from this machine; --no-check skips this check\n`,
    );
    // Without the check the gateway decides, with its own words.
    const unchecked = await iotpay(['refund', '--pay-order-id', id, '-a', '500', '--yes', '--no-check']);
    expect(unchecked.code).toBe(1);
    expect(unchecked.stderr).toMatch(/refund_order FAIL: refundAmount 500 is more than what remains refundable \(400\)/);
    const rest = await iotpay(['refund', '--pay-order-id', id, '-a', '400', '--yes', '--mch-refund-no', 'RF-REST']);
    expect(rest.code).toBe(0);
    // The two ids line up under each other.
    expect(rest.stdout).toMatch(/^✓ refunded 4\.00 CAD of P\S+\n  mchRefundNo    RF-REST\n  refundOrderId  R\S+\n$/);
    // The order's own lines: its create and its refunds (the refused ones too), by either id.
    const mine = await iotpay(['history', '--order', id]);
    expect(mine.code).toBe(0);
    const lines = mine.stdout.trimEnd().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[2])).toEqual(['create', 'refund', 'refund', 'refund']);
    expect(lines.at(-1)).toMatch(/refund +4\.00 CAD +RF-REST +\S+ +SUCCESS$/);
    const mchOrderNo = JSON.parse((await iotpay(['history', '--order', id, '--json'])).stdout)[0].request.mchOrderNo as string;
    expect(JSON.parse((await iotpay(['history', '--order', mchOrderNo, '--json', '-n', '1'])).stdout)).toEqual([expect.objectContaining({ type: 'refund', request: expect.objectContaining({ mchRefundNo: 'RF-REST' }) })]);
    expect((await iotpay(['history', '--order', 'NEVER'])).stdout).toBe('nothing about NEVER in the last 10,000 history lines\n');
    // query adds what was refunded from here, which the gateway's answer does not say.
    const q = await iotpay(['query', '--pay-order-id', id]);
    expect(q.stdout).toMatch(/\n  refunded        10\.00 CAD \(from this machine, by its history\)\n/);
  });

  it('over-refund is refused before sending (exit 2), or by the gateway with --no-check (exit 1)', async () => {
    const id = await paidOrder(500);
    const checked = await iotpay(['refund', '--pay-order-id', id, '-a', '501', '--yes']);
    expect(checked.code).toBe(2);
    expect(checked.stderr).toMatch(/refund 5\.01 CAD is more than the 5\.00 CAD paid/);
    const unchecked = await iotpay(['refund', '--pay-order-id', id, '-a', '501', '--yes', '--no-check']);
    expect(unchecked.code).toBe(1);
    expect(unchecked.stderr).toMatch(/more than what remains refundable/);
  });

  it('transport errors: a refused connection made no refund; a timeout may have (retry with the same number)', async () => {
    const refused = await iotpay(['refund', '--pay-order-id', 'P1', '-a', '100', '--yes', '--no-check', '--mch-refund-no', 'RF-X'], { IOTPAY_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toBe('error: connection to 127.0.0.1:9 refused; nothing was sent, so no refund was made\n');
    // The check before the refund fails on its own terms, with its exit code, and says no refund was sent.
    const checkRefused = await iotpay(['refund', '--pay-order-id', 'P1', '-a', '100', '--yes'], { IOTPAY_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(checkRefused.code).toBe(3);
    expect(checkRefused.stderr).toBe('error: checking order P1 before the refund: connection to 127.0.0.1:9 refused; no refund was sent\n');
    const unknown = await iotpay(['refund', '--pay-order-id', 'P-NONE', '-a', '100', '--yes']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error: checking order P-NONE before the refund: query_order FAIL: order does not exist; no refund was sent/);
    const silent = http.createServer(() => {});
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`;
      const timedOut = await iotpay(['refund', '--pay-order-id', 'P1', '-a', '100', '--yes', '--no-check', '--mch-refund-no', 'RF-X', '--timeout', '300'], { IOTPAY_BASE_URL: url });
      expect(timedOut.code).toBe(3);
      expect(timedOut.stderr).toMatch(/within 300 ms \(timeout\); the refund may have been made \(mchRefundNo RF-X\); retry with the same --mch-refund-no RF-X/);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });

  it('a reused mchRefundNo is FAIL', async () => {
    const id = await paidOrder(300);
    expect((await iotpay(['refund', '--pay-order-id', id, '-a', '100', '--yes', '--mch-refund-no', 'RF-DUP'])).code).toBe(0);
    const again = await iotpay(['refund', '--pay-order-id', id, '-a', '100', '--yes', '--mch-refund-no', 'RF-DUP']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/mchRefundNo RF-DUP already exists/);
  });

  it('without a terminal it needs --yes; bad amounts and missing ids are exit 2; nothing is sent', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['refund', '--pay-order-id', 'P1', '-a', '100'], /needs confirmation; pass --yes/],
      [['refund', '--pay-order-id', 'P1', '-a', '1.5', '--yes'], /refund amount is in cents: did you mean 150\?/],
      [['refund', '--pay-order-id', 'P1', '-a', '0', '--yes'], /more than 0/],
      [['refund', '-a', '100', '--yes'], /--pay-order-id is required/],
      [['refund', '--pay-order-id', 'P1', '--yes'], /^error: --amount is required; pass --amount <cents>$/m],
    ];
    for (const [args, message] of cases) {
      const r = await iotpay(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('an unpaid order is refused before sending', async () => {
    // The shared mock pays at once; a mock without --auto-pay keeps the order unpaid.
    const fresh = startIotpay(['mock', '--port', '0', '--json'], { IOTPAY_CONFIG_DIR: dir, IOTPAY_KEY: KEY, IOTPAY_MCH_ID: '20001222' });
    try {
      const url = JSON.parse(await fresh.waitForLine((l) => l.includes('"listening"'))).baseUrl;
      const created = JSON.parse((await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://127.0.0.1:9/n', '--json'], { IOTPAY_BASE_URL: url })).stdout);
      const refused = await iotpay(['refund', '--pay-order-id', created.response.payOrderId, '-a', '100', '--yes'], { IOTPAY_BASE_URL: url });
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(/is created, not paid: nothing to refund/);
    } finally {
      await fresh.stop();
    }
  });

  it('asks for confirmation on a terminal: n sends nothing (exit 130), y refunds', async () => {
    const id = await paidOrder(800);
    const no = runOnPty(['refund', '--pay-order-id', id, '-a', '100', '--mch-refund-no', 'RF-TTY-N'], env());
    await no.waitFor('Refund 1.00 CAD of order');
    no.write('n\r');
    expect(await no.exited).toBe(130);
    const yes = runOnPty(['refund', '--pay-order-id', id, '-a', '100', '--mch-refund-no', 'RF-TTY-N'], env());
    await yes.waitFor('Refund 1.00 CAD of order');
    yes.write('y\r');
    expect(await yes.exited).toBe(0);
    expect(yes.output()).toContain('refunded 1.00 CAD');
  });

  it('asks on a terminal for a missing order (picked from recent ones) and amount: what remains is the default, more is refused there', async () => {
    const id = await paidOrder(900);
    const pty = runOnPty(['refund', '--mch-refund-no', 'RF-TTY-ASK'], env());
    // The orders this machine created here, newest (this one) first; Enter takes it.
    await pty.waitFor('Which order?');
    await pty.waitFor(`payOrderId ${id}`);
    await pty.waitFor('another order: type its payOrderId');
    pty.write('\r');
    await pty.waitFor('Refund amount in cents (9.00 CAD paid)');
    await pty.waitFor('(900)');
    pty.write('901\r');
    await pty.waitFor('more than the 9.00 CAD that remains');
    pty.write('\x7f\x7f\x7f250\r');
    await pty.waitFor('Refund 2.50 CAD of order');
    pty.write('y\r');
    expect(await pty.exited).toBe(0);
    expect(pty.output()).toContain(`refunded 2.50 CAD of ${id}`);
    // Next time what remains is offered, from this machine's history: 6.50 of the 9.00, and more is refused there.
    const rest = runOnPty(['refund', '--pay-order-id', id, '--mch-refund-no', 'RF-TTY-ALL'], env());
    await rest.waitFor('Refund amount in cents (9.00 CAD paid, 2.50 CAD of it refunded from this machine)');
    await rest.waitFor('(650)');
    rest.write('651\r');
    await rest.waitFor('more than the 6.50 CAD that remains');
    rest.write('\x7f\x7f\x7f\r');
    await rest.waitFor('Refund 6.50 CAD of order');
    rest.write('y\r');
    expect(await rest.exited).toBe(0);
    // Refunded in full from this machine: said before any prompt for an amount.
    const none = runOnPty(['refund', '--pay-order-id', id], env());
    expect(await none.exited).toBe(2);
    expect(none.output()).toMatch(new RegExp(`order ${id} was refunded in full from this machine \\(9\\.00 CAD paid, 9\\.00 CAD of it refunded from this machine\\); no refund was sent`));
  });
});

describe('doctor', () => {
  it('good credentials: exit 0, every check passes, the verdict is said to be inferred', async () => {
    const r = await iotpay(['doctor']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✓ credentials accepted: .*inferred from the gateway's answer.*"order does not exist".*nothing was created or charged/);
    expect(r.stdout).toMatch(/^✓ gateway answers: HTTP works: query_order answered in \d+ ms$/m);
    const j = await iotpay(['doctor', '--json']);
    const checks = JSON.parse(j.stdout);
    expect(Array.isArray(checks)).toBe(true);
    expect(checks.map((c: { id: string }) => c.id)).toEqual(['config', 'key', 'dns', 'http', 'clock', 'credentials']);
    for (const c of checks) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'title', 'status', 'detail']));
      expect(['pass', 'warn']).toContain(c.status);
    }
    // The mock shares this machine's clock: in step, whatever part of a second its Date header cut off.
    expect(checks.find((c: { id: string }) => c.id === 'clock')).toEqual({
      id: 'clock',
      title: 'clock skew',
      status: 'pass',
      detail: "this machine's clock is in step with the gateway's (to the second its Date header gives)",
    });
  });

  it('a gateway whose clock is three minutes behind: the clock check warns, with the fix', async () => {
    const stub = await startGatewayStub();
    try {
      stub.handle((_req, res) => {
        res.setHeader('date', new Date(Date.now() - 180_000).toUTCString());
        json(res, { retCode: 'FAIL', retMsg: 'order does not exist' });
      });
      const r = await iotpay(['doctor', '--json'], { IOTPAY_BASE_URL: stub.baseUrl });
      expect(r.code, r.stderr).toBe(0);
      const clock = JSON.parse(r.stdout).find((c: { id: string }) => c.id === 'clock');
      expect(clock).toMatchObject({ status: 'warn', fix: 'sync the clock (NTP): order times and paySuccTime will look wrong' });
      const ahead = /^this machine is about (\d+) s ahead of the gateway$/.exec(clock.detail);
      expect(ahead, clock.detail).not.toBeNull();
      expect(Math.abs(Number(ahead![1]) - 180)).toBeLessThanOrEqual(1);
    } finally {
      await stub.close();
    }
  });

  it('wrong key: exit 1, bad signature', async () => {
    const r = await iotpay(['doctor', '--json'], { IOTPAY_KEY: 'wrong-key-0123456789abc' });
    expect(r.code).toBe(1);
    const cred = JSON.parse(r.stdout).find((c: { id: string }) => c.id === 'credentials');
    expect(cred.status).toBe('fail');
    expect(cred.detail).toMatch(/rejected the signature.*Verify XX pay sign failed/);
    // The fix names where the key was read from: set in the profile, IOTPAY_KEY would still win.
    expect(cred.fix).toBe('copy the key again from the IOTPay merchant console: it is read from IOTPAY_KEY');
    const flag = await iotpay(['doctor', '--json', '--key', 'wrong-key-0123456789abc']);
    expect(JSON.parse(flag.stdout).find((c: { id: string }) => c.id === 'credentials').fix).toMatch(/it is read from the --key flag$/);
    // From a profile: the command that changes it, with the profile named when it is not the default.
    const own = { IOTPAY_CONFIG_DIR: path.join(dir, 'wrong-key-profile'), IOTPAY_BASE_URL: baseUrl };
    expect((await runCli(['--profile', 'live', 'config', 'set', 'mch-id', '20001222'], { env: own })).code).toBe(0);
    expect((await runCli(['--profile', 'live', 'config', 'set', 'key', '-'], { env: own, input: 'wrong-key-0123456789abc\n' })).code).toBe(0);
    const fromProfile = await runCli(['doctor', '--json', '--profile', 'live'], { env: own });
    expect(fromProfile.code).toBe(1);
    expect(JSON.parse(fromProfile.stdout).find((c: { id: string }) => c.id === 'credentials').fix).toBe(
      'copy the key again from the IOTPay merchant console: it is read from profile "live" (iotpay --profile live config set key)',
    );
    // IOTPAY_KEY or --key over a profile that holds another key: that one may be the right one.
    const over = await runCli(['doctor', '--json', '--profile', 'live'], { env: { ...own, IOTPAY_KEY: 'stale-key-0123456789abc' } });
    expect(over.code).toBe(1);
    expect(JSON.parse(over.stdout).find((c: { id: string }) => c.id === 'credentials').fix).toBe(
      'copy the key again from the IOTPay merchant console: it is read from IOTPAY_KEY, which overrides the other key profile "live" holds (unset IOTPAY_KEY to try that one)',
    );
    expect(over.stdout + over.stderr).not.toContain('wrong-key-0123456789abc');
    const overFlag = await runCli(['doctor', '--json', '--profile', 'live', '--key', 'stale-key-0123456789abc'], { env: own });
    expect(JSON.parse(overFlag.stdout).find((c: { id: string }) => c.id === 'credentials').fix).toMatch(/it is read from the --key flag, which overrides the other key profile "live" holds \(leave out --key to try that one\)$/);
  });

  it('wrong mchId: exit 1, unknown merchant', async () => {
    const r = await iotpay(['doctor'], { IOTPAY_MCH_ID: '99999' });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ credentials accepted: the gateway does not know merchant 99999 .*Can't found mchInfo/);
    expect(r.stdout).toMatch(/^ {4}fix: check the merchant id, read from IOTPAY_MCH_ID, and that the base URL is its gateway$/m);
  });

  it('a closed port: exit 3', async () => {
    const r = await iotpay(['doctor', '--json'], { IOTPAY_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(r.code).toBe(3);
    const checks = JSON.parse(r.stdout);
    expect(checks.find((c: { id: string }) => c.id === 'http')).toMatchObject({ status: 'fail' });
    expect(checks.find((c: { id: string }) => c.id === 'credentials')).toMatchObject({ status: 'skip' });
  });

  it('no configuration: exit 2 naming what to set; the gateway is still checked for reachability, not credentials', async () => {
    const r = await runCli(['doctor', '--json'], { env: { IOTPAY_CONFIG_DIR: path.join(dir, 'empty'), IOTPAY_BASE_URL: baseUrl } });
    expect(r.code).toBe(2);
    const checks = JSON.parse(r.stdout) as Array<{ id: string; status: string; detail: string; fix?: string }>;
    expect(checks[0]).toMatchObject({ id: 'config', status: 'fail' });
    expect(checks[0]!.detail).toMatch(/mch-id is not set; key is not set/);
    expect(checks[0]!.fix).toMatch(/IOTPAY_MCH_ID/);
    // The base URL is a local mock: the fix names the values it uses when nothing is configured.
    expect(checks[0]!.fix).toMatch(/; a local iotpay mock uses sandbox values where none are configured: export IOTPAY_MCH_ID=10000001 IOTPAY_KEY=iotpay-sandbox-key-not-a-secret$/);
    expect(Object.fromEntries(checks.map((c) => [c.id, c.status]))).toEqual({ config: 'fail', key: 'skip', dns: 'pass', http: 'pass', clock: 'pass', credentials: 'skip' });
    expect(checks.find((c) => c.id === 'http')!.detail).toMatch(/^HTTP works: query_order answered in \d+ ms$/);
    expect(checks.find((c) => c.id === 'credentials')!.detail).toBe('configuration incomplete');
  });

  it('no configuration and no gateway: exit 2 still, the unreachable gateway shown too', async () => {
    const r = await runCli(['doctor', '--json'], { env: { IOTPAY_CONFIG_DIR: path.join(dir, 'empty'), IOTPAY_BASE_URL: 'http://127.0.0.1:9/v1' } });
    expect(r.code).toBe(2);
    const checks = JSON.parse(r.stdout) as Array<{ id: string; status: string; detail: string }>;
    expect(Object.fromEntries(checks.map((c) => [c.id, c.status]))).toEqual({ config: 'fail', key: 'skip', dns: 'pass', http: 'fail', clock: 'skip', credentials: 'skip' });
    expect(checks.find((c) => c.id === 'credentials')).toMatchObject({ detail: 'configuration incomplete' });
    expect(r.stderr).toBe('error: doctor: 2 checks failed (configuration, gateway answers)\n');
  });

  it('a base URL it refuses: no network check is made', async () => {
    const r = await iotpay(['doctor', '--json'], { IOTPAY_BASE_URL: 'http://gateway.example/v1' });
    expect(r.code).toBe(2);
    const checks = JSON.parse(r.stdout) as Array<{ id: string; status: string; detail: string }>;
    expect(checks[0]).toMatchObject({ id: 'config', status: 'fail' });
    expect(checks[0]!.detail).toMatch(/^base URL: /);
    expect(checks.filter((c) => ['dns', 'http', 'clock', 'credentials'].includes(c.id)).map((c) => `${c.status} ${c.detail}`)).toEqual(Array(4).fill('skip no valid base URL'));
  });

  it('names quotes kept from a .env file around the key and the merchant id, and where to remove them', async () => {
    const r = await iotpay(['doctor', '--json'], { IOTPAY_KEY: `"${KEY}"`, IOTPAY_MCH_ID: '"20001222"' });
    expect(r.code).toBe(1);
    const checks = JSON.parse(r.stdout) as Array<{ id: string; status: string; detail: string; fix?: string }>;
    expect(checks.find((c) => c.id === 'key')).toMatchObject({
      status: 'warn',
      detail: 'the key is in quotes, which are part of the value (docker --env-file and some CI settings keep the quotes a .env file has)',
      fix: 'remove the quotes around the key in IOTPAY_KEY',
    });
    expect(checks.find((c) => c.id === 'credentials')!.fix).toBe(
      'the merchant id "20001222" is in quotes, which are part of the value: remove them in IOTPAY_MCH_ID (docker --env-file and some CI settings keep the quotes a .env file has)',
    );
    // A quoted base URL is refused before anything is sent, saying so.
    const base = await iotpay(['query', '--mch-order-no', 'X'], { IOTPAY_BASE_URL: `"${baseUrl}"` });
    expect(base.code).toBe(2);
    expect(base.stderr).toBe(`error: base URL (from IOTPAY_BASE_URL) refused: "${baseUrl}" is in quotes, which are part of the value: remove them (docker --env-file and some CI settings keep the quotes a .env file has)\n`);
  });

  it('warns about a configured notify URL the gateway cannot call (create would warn at every order)', async () => {
    const own = { IOTPAY_CONFIG_DIR: path.join(dir, 'notify-check'), IOTPAY_KEY: KEY, IOTPAY_MCH_ID: '20001222', IOTPAY_JOB_NO: 'alice' };
    expect((await runCli(['config', 'set', 'notify-url', 'http://localhost:3000/n'], { env: own })).code).toBe(0);
    // A remote gateway (gateway.test resolves nowhere: the later checks fail, the configuration one is what counts).
    const remote = await runCli(['doctor', '--json'], { env: { ...own, IOTPAY_BASE_URL: 'https://gateway.test/v1', IOTPAY_TIMEOUT: '2000' } });
    const config = JSON.parse(remote.stdout)[0];
    expect(config).toMatchObject({ id: 'config', status: 'warn' });
    expect(config.fix).toBe('the notify URL http://localhost:3000/n (profile "default") is on this machine or a private network, which gateway.test cannot call: set a public one, or use a tunnel');
    // Against a local mock the same URL is fine.
    const local = await runCli(['doctor', '--json'], { env: { ...own, IOTPAY_BASE_URL: baseUrl } });
    expect(JSON.parse(local.stdout)[0]).toMatchObject({ id: 'config', status: 'pass' });
  });

  it('flags a key with white space', async () => {
    const r = await iotpay(['doctor', '--json'], { IOTPAY_KEY: ' short key ' });
    expect(JSON.parse(r.stdout).find((c: { id: string }) => c.id === 'key')).toMatchObject({ status: 'warn' });
  });
});

describe('completion', () => {
  const has = (shell: string) => spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;

  it('bash: sources cleanly and registers iotpay; completes commands, channels and settings', () => {
    const out = execFileSync('bash', ['-c', `source <("${process.execPath}" "${BIN}" completion bash) && complete -p iotpay`]).toString();
    expect(out.trim()).toBe('complete -F _iotpay iotpay');
    const probe = (words: string) =>
      execFileSync('bash', ['-c', `source <("${process.execPath}" "${BIN}" completion bash); COMP_WORDS=(${words}); COMP_CWORD=$(( \${#COMP_WORDS[@]} - 1 )); _iotpay; echo "\${COMPREPLY[*]}"`]).toString().trim();
    expect(probe('iotpay re')).toBe('refund');
    expect(probe('iotpay create --channel ALIPAY_')).toBe('ALIPAY_QR ALIPAY_PC ALIPAY_WAP ALIPAY_MOBILE');
    expect(probe('iotpay config set no')).toBe('notify-url');
    expect(probe('iotpay doctor --ca')).toBe('--ca-file');
  });

  it.skipIf(!has('zsh'))('zsh: passes zsh -n', () => {
    const script = execFileSync(process.execPath, [BIN, 'completion', 'zsh']);
    const file = path.join(dir, 'iotpay.zsh');
    fs.writeFileSync(file, script);
    expect(spawnSync('zsh', ['-n', file]).status).toBe(0);
  });

  it.skipIf(!has('fish'))('fish: passes fish -n', () => {
    const file = path.join(dir, 'iotpay.fish');
    fs.writeFileSync(file, execFileSync(process.execPath, [BIN, 'completion', 'fish']));
    expect(spawnSync('fish', ['-n', file]).status).toBe(0);
  });

  it('--json gives one document with the script in it', async () => {
    const plain = await runCli(['completion', 'bash']);
    const r = await runCli(['completion', 'bash', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ shell: 'bash', script: plain.stdout });
  });

  it('an unknown shell is exit 2', async () => {
    const r = await runCli(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: no completion for the shell "tcsh": bash, zsh, fish; e.g. source <(iotpay completion bash)\n');
  });
});
