// create/query/qr/history on the built binary against a gateway stub on 127.0.0.1.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sign as signFields, signCanonical, verify } from '../../src/core/sign.js';
import { runCli, tempDir, type RunResult } from '../helpers/cli.js';
import { json, startGatewayStub, type GatewayStub } from '../helpers/gateway-stub.js';
import { decodeHalfBlockQr } from '../helpers/qr-decode.js';

const CANARY = 'CANARY-k3y-0123456789-zz';
let stub: GatewayStub;
let dir: string;
const results: RunResult[] = [];

beforeAll(async () => {
  stub = await startGatewayStub();
});
afterAll(() => stub.close());
beforeEach(() => {
  dir = tempDir();
  stub.requests.length = 0;
});
afterEach(() => {
  for (const r of results.splice(0)) {
    expect(r.stdout).not.toContain(CANARY);
    expect(r.stderr).not.toContain(CANARY);
  }
  const history = path.join(dir, 'history.jsonl');
  if (fs.existsSync(history)) expect(fs.readFileSync(history, 'utf8')).not.toContain(CANARY);
  fs.rmSync(dir, { recursive: true, force: true });
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    IOTPAY_CONFIG_DIR: dir,
    IOTPAY_KEY: CANARY,
    IOTPAY_MCH_ID: '10000701',
    IOTPAY_JOB_NO: 'alice',
    IOTPAY_BASE_URL: stub.baseUrl,
    ...extra,
  };
}

async function iotpay(args: string[], extra: Record<string, string> = {}): Promise<RunResult> {
  const r = await runCli(args, { env: env(extra) });
  results.push(r);
  return r;
}

const NOTIFY = ['--notify-url', 'https://shop.example/notify'];

/** A signed SUCCESS answer for the order in the request, plus channel fields. */
function success(fields: Record<string, unknown>) {
  return (req: { params?: Record<string, unknown> }, res: import('node:http').ServerResponse) =>
    json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: 'P0001', mchOrderNo: req.params?.mchOrderNo, ...fields }, CANARY);
}

describe('create: bytes on the wire', () => {
  it('POSTs one params form field with a signed JSON object', async () => {
    stub.handle(success({ codeUrl: 'weixin://wxpay/bizpayurl?pr=abc', prepayId: 'wx1' }));
    const r = await iotpay(['create', '--channel', 'WX_NATIVE', '--amount', '2865', ...NOTIFY, '--param2', 'p2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(stub.requests).toHaveLength(1);
    const req = stub.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/v1/create_order');
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers['user-agent']).toMatch(/^iotpay-cli\/\d+\.\d+\.\d+/);
    expect([...new URLSearchParams(req.body).keys()]).toEqual(['params']);
    const p = req.params!;
    expect(p.amount).toBe(2865);
    expect(typeof p.extra).toBe('string');
    expect(JSON.parse(p.extra as string)).toEqual({ productId: p.mchOrderNo });
    expect(p).toMatchObject({ mchId: '10000701', channelId: 'WX_NATIVE', currency: 'CAD', jobNo: 'alice', clientIp: '127.0.0.1', device: 'WEB', param2: 'p2' });
    expect('param1' in p).toBe(false);
    expect(String(p.mchOrderNo).length).toBeLessThanOrEqual(30);
    expect(verify(p as never, CANARY).status).toBe('valid');
  });
});

describe('create: presentation per channel', () => {
  it('WX_NATIVE: a half-block QR (no escape codes when piped) that scans back to codeUrl', async () => {
    const codeUrl = 'weixin://wxpay/bizpayurl?pr=Zx81Kq';
    stub.handle(success({ codeUrl, prepayId: 'wx1' }));
    const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '2865', ...NOTIFY]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stdout).toMatch(/[▀▄█]/);
    expect(decodeHalfBlockQr(r.stdout)).toBe(codeUrl);
    expect(r.stdout).toContain(codeUrl);
    expect(r.stdout).toContain('28.65 CAD');
    expect(r.stdout).toContain('payOrderId  P0001');
    expect(r.stdout).toContain('response sign verified');
    // The next step, with the order's own number.
    const mchOrderNo = stub.requests.at(-1)!.params!.mchOrderNo;
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(`follow it: iotpay query --mch-order-no ${mchOrderNo} --wait`);
  });

  const cases: Array<[string, string[], Record<string, unknown>, string]> = [
    ['ALIPAY_QR', [], { qr_code: 'https://qr.alipay.com/bax123' }, 'https://qr.alipay.com/bax123'],
    ['UPI_QR', [], { qrCode: 'https://qr.95516.com/00010000/x' }, 'https://qr.95516.com/00010000/x'],
  ];
  it.each(cases)('%s: QR of the answer', async (channel, args, fields, value) => {
    stub.handle(success(fields));
    const r = await iotpay(['create', '-c', channel, '-a', '100', ...NOTIFY, ...args]);
    expect(r.code).toBe(0);
    expect(decodeHalfBlockQr(r.stdout)).toBe(value);
  });

  const links: Array<[string, string[], Record<string, unknown>, string, string]> = [
    ['ALIPAY_PC', ['--return-url', 'https://shop.example/r'], { payUrl: '<form/>', retParams: { url: 'https://ac.alipay.com/pay?x=1', tradeNo: 'T1' } }, 'redirect', 'https://ac.alipay.com/pay?x=1'],
    ['ALIPAY_WAP', ['--return-url', 'https://shop.example/r', '--os-type', 'ios'], { retParams: { alipayUrl: 'https://invoice.iotpay.ca/wap?x' } }, 'redirect', 'https://invoice.iotpay.ca/wap?x'],
    ['ALIPAY_MOBILE', ['--return-url', 'https://shop.example/r', '--os-type', 'ANDROID'], { payParams: 'alipayconnect://platformapi/acwallet?code=1', retParams: { url: 'https://render.alipay.com/x' } }, 'scheme', 'alipayconnect://platformapi/acwallet?code=1'],
    ['UPI_SEQ', [], { payUrl: 'https://unionpay.example/pay', retParams: { unionpayUrl: 'https://unionpay.example/redirect' } }, 'redirect', 'https://unionpay.example/redirect'],
    ['WX_APP', ['--app-id', 'wxapp1'], { payParams: { appid: 'wxapp1', prepayid: 'wx2' } }, 'sdk', '{"appid":"wxapp1","prepayid":"wx2"}'],
    ['WX_JSAPI', ['--open-id', 'o1', '--app-id', 'a1'], { payParams: '{"timeStamp":"1","package":"prepay_id=wx3"}' }, 'sdk', '{"timeStamp":"1","package":"prepay_id=wx3"}'],
    ['UPI_APP', [], { payParams: { tn: '123' } }, 'sdk', '{"tn":"123"}'],
    ['CC_PAX', [], { extra: '{"cardType":"M","authNum":"01046Z"}' }, 'card', '{"cardType":"M","authNum":"01046Z"}'],
  ];
  it.each(links)('%s: %s data in human output and --json', async (channel, args, fields, kind, value) => {
    stub.handle(success(fields));
    const human = await iotpay(['create', '-c', channel, '-a', '100', ...NOTIFY, ...args]);
    expect(human.code, human.stderr).toBe(0);
    if (kind === 'sdk' || kind === 'card') expect(human.stdout).toContain(JSON.stringify(JSON.parse(value), null, 2).split('\n')[1]!.trim());
    else expect(human.stdout).toContain(value);
    const r = await iotpay(['create', '-c', channel, '-a', '100', ...NOTIFY, ...args, '--json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.payment).toEqual({ kind, value });
    expect(['verified', 'unverifiable']).toContain(doc.signature);
    if (channel === 'WX_JSAPI') expect(JSON.parse(stub.requests.at(-1)!.params!.extra as string)).toEqual({ openId: 'o1', appId: 'a1', type: 'minipay' });
    if (channel === 'ALIPAY_WAP') expect(stub.requests.at(-1)!.params!.osType).toBe('IOS');
  });

  it('--json is one clean document: request, response, signature, payment', async () => {
    stub.handle(success({ codeUrl: 'weixin://x', prepayId: 'p' }));
    const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(Object.keys(doc)).toEqual(['request', 'response', 'signature', 'payment']);
    expect(doc.signature).toBe('verified');
    expect(doc.payment).toEqual({ kind: 'qr', value: 'weixin://x' });
    expect(doc.request.sign).toMatch(/^[0-9A-F]{32}$/);
    expect(r.stdout).not.toMatch(/[▀▄█]|\x1b/);
  });
});

describe('create: exit codes', () => {
  it('1: retCode FAIL with the gateway words; resCode FAIL with errCode', async () => {
    stub.handle((_req, res) => json(res, { retCode: 'FAIL', retMsg: 'Verify sign failed' }));
    const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "error: create_order FAIL: Verify sign failed; the gateway did not accept the request's sign: most often the key is not the one it has for merchant 10000701; iotpay doctor checks the key without creating anything\n",
    );
    // IOTPAY_KEY overriding another key the profile holds: create, query and refund name it, as the stale one may be the override.
    expect((await runCli(['config', 'set', 'key', 'PROFILE-k3y-0123456789'], { env: { IOTPAY_CONFIG_DIR: dir } })).code).toBe(0);
    const overridden = "the gateway did not accept the request's sign: most often the key is not the one it has for merchant 10000701; iotpay doctor checks the key without creating anything; the key is read from IOTPAY_KEY, which overrides the other key profile \"default\" holds (unset IOTPAY_KEY to try that one)\n";
    for (const [endpoint, args] of [
      ['create_order', ['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY]],
      ['query_order', ['query', '--mch-order-no', 'IOT1']],
      ['refund_order', ['refund', '--pay-order-id', 'P1', '-a', '1', '--yes', '--no-check']],
    ] as const) {
      const o = await iotpay([...args]);
      expect(o.code).toBe(1);
      expect(o.stderr).toBe(`error: ${endpoint} FAIL: Verify sign failed; ${overridden}`);
      expect(o.stderr).not.toContain('PROFILE-k3y');
    }
    // The merchant check comes first at the gateway; its hint names the merchant id and where it is set.
    stub.handle((_req, res) => json(res, { retCode: 'FAIL', retMsg: "Can't found mchInfo[mchId=10000701] record in db" }));
    const unknown = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(
      "error: create_order FAIL: Can't found mchInfo[mchId=10000701] record in db; check the merchant id 10000701 (--mch-id, IOTPAY_MCH_ID or iotpay config set mch-id) and that the base URL is its gateway\n",
    );
    stub.handle((_req, res) => json(res, { retCode: 'SUCCESS', resCode: 'FAIL', errCode: 'ORDERPAID', errCodeDes: 'order already paid' }, CANARY));
    const j = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout).response.errCode).toBe('ORDERPAID');
    expect(j.stderr).toMatch(/ORDERPAID order already paid/);
    // The gateway's words reach the terminal as one line with no control characters.
    stub.handle((_req, res) => json(res, { retCode: 'FAIL', retMsg: 'bad\u001b[2J\nerror: forged line' }));
    const hostile = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY]);
    expect(hostile.code).toBe(1);
    expect(hostile.stderr).toBe('error: create_order FAIL: bad\\x1b[2J\\x0aerror: forged line\n');
  });

  it('2: validation before sending, one line naming the field and the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['-c', 'WX_NATIVE', '-a', '28.65', ...NOTIFY], /amount is in cents: did you mean 2865\?/],
      [['-c', 'WX_NATIVE', '-a', '100'], /--notify-url is required.*config set notify-url/],
      [['-a', '100', ...NOTIFY], /--channel is required/],
      [['-c', 'WX_NATIVE', ...NOTIFY], /--amount is required/],
      [['-c', 'ALIPAY_WAP', '-a', '100', ...NOTIFY, '--return-url', 'https://r.example'], /osType \(IOS or ANDROID\) is required for ALIPAY_WAP; set it with --os-type/],
      [['-c', 'ALIPAY_PC', '-a', '100', ...NOTIFY], /returnUrl is required for ALIPAY_PC; set it with --return-url/],
      [['-c', 'WX_MICROPAY', '-a', '100', ...NOTIFY], /^error: WX_MICROPAY is not served by create_order \(it uses another endpoint\); create_order serves WX_NATIVE, .*, CC_PAX; change it with --channel$/m],
      [['-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--currency', 'dollars'], /currency must be 3 capital letters such as CAD, got "DOLLARS"; change it with --currency$/m],
      [['-c', 'WX_APP', '-a', '100', ...NOTIFY], /extra\.appId is required for WX_APP; set it with --app-id \(or --extra\)$/m],
      [['-c', 'WX_JSAPI', '-a', '100', ...NOTIFY, '--app-id', 'a1'], /extra\.openId is required for WX_JSAPI; set it with --open-id \(or --extra\)$/m],
      [['-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--extra', '{"productId":""}'], /extra\.productId is required for WX_NATIVE; set it with --product-id \(or --extra\)$/m],
      [['-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--extra', '{"productId":'], /--extra is not valid JSON/],
      [
        ['-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--extra', "{'productId':'x'}"],
        /^error: --extra is not valid JSON: \{'productId':'x'\}: its names are in single quotes \(a Python dict or a JavaScript object printed, not JSON\): print it with json\.dumps or JSON\.stringify; e\.g\. --extra/m,
      ],
      [['-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'shop.example/n'], /^error: notifyUrl "shop\.example\/n" is not a URL \(did you mean https:\/\/shop\.example\/n\?\); change it with --notify-url \(or iotpay config set notify-url\)$/m],
      [['-c', 'ALIPAY_PC', '-a', '100', ...NOTIFY, '--return-url', 'javascript:alert(1)'], /^error: returnUrl "javascript:alert\(1\)" is not an http\(s\) URL; change it with --return-url/m],
      [['-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--extra', '[1]'], /--extra must be a JSON object/],
      [
        ['-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--extra', '{"productId":120989823123456789012}'],
        /^error: --extra "productId" is the number 120989823123456789012, which JSON parsing turns into 120989823123456790000: that is what would be sent; write it as a string$/m,
      ],
      [['-c', 'CC_PAX', '-a', '100', ...NOTIFY, '--extra', '{"card":{"fee":1.10}}'], /^error: --extra "fee" is the number 1\.10, which JSON parsing turns into 1\.1: that is what would be sent; write it as 1\.1, or as a string$/m],
      [['-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--extra', '{"productId":"1","productId":"2"}'], /^error: --extra has "productId" twice: only one of them would be sent$/m],
      [['-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--wait', '--wait-timeout', '0'], /^error: --wait-timeout must be a whole number of seconds from 1 to 999999, got "0"$/m],
      [['-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--wait', '--wait-timeout', '5m'], /^error: --wait-timeout must be a whole number of seconds from 1 to 999999, got "5m" \(did you mean 300\?\)$/m],
      [['-c', 'NEW_PAY', '-a', '100', ...NOTIFY, '--strict'], /^error: unknown channel NEW_PAY; change it with --channel$/m],
      [['-c', 'WXNATIVE', '-a', '100', ...NOTIFY, '--strict'], /^error: unknown channel WXNATIVE \(did you mean WX_NATIVE\?\); change it with --channel$/m],
      [['-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--mch-order-no', 'x'.repeat(31), '--strict'], /over the documented limit of 30/],
      [['-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--client-ip', 'localhost', '--strict'], /^error: clientIp "localhost" is not an IP address \(the payer's IPv4 or IPv6 address, such as 203\.0\.113\.7\); change it with --client-ip$/m],
    ];
    for (const [args, message] of cases) {
      const r = await iotpay(['create', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    const noJob = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY], { IOTPAY_JOB_NO: '' });
    expect(noJob.code).toBe(2);
    expect(noJob.stderr).toMatch(/job-no is required.*--job-no, IOTPAY_JOB_NO/);
    expect(stub.requests).toHaveLength(0);
  });

  it('warnings (unknown channel, long field) go to stderr and the order is still sent', async () => {
    stub.handle(success({ payUrl: 'https://pay.example/x' }));
    const r = await iotpay(['create', '-c', 'NEW_PAY', '-a', '100', ...NOTIFY, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: unknown channel NEW_PAY: sent as given$/m);
    expect(JSON.parse(r.stdout).payment).toEqual({ kind: 'redirect', value: 'https://pay.example/x' });
    // A clientIp that is no IP address is warned about, and sent as given.
    const host = await iotpay(['create', '-c', 'NEW_PAY', '-a', '100', ...NOTIFY, '--client-ip', 'localhost', '--json']);
    expect(host.code).toBe(0);
    expect(host.stderr).toMatch(/^warning: clientIp "localhost" is not an IP address \(the payer's IPv4 or IPv6 address, such as 203\.0\.113\.7\)$/m);
    expect(stub.requests.at(-1)!.params!.clientIp).toBe('localhost');
    // A long subject is warned about once: the body copied from it is not warned about by name.
    stub.handle(success({ codeUrl: 'weixin://long' }));
    const long = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--subject', 's'.repeat(300)]);
    expect(long.code).toBe(0);
    expect(long.stderr).toBe('warning: subject is 300 characters, over the documented limit of 64\n');
    const both = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--subject', 's'.repeat(300), '--body', 'b'.repeat(300)]);
    expect(both.stderr).toBe('warning: subject is 300 characters, over the documented limit of 64\nwarning: body is 300 characters, over the documented limit of 255\n');
  });

  it('3: HTTP 500, HTML body, truncated JSON, reset, timeout, redirect; the message names the order and the query', async () => {
    const faults: Array<[string, (res: import('node:http').ServerResponse) => void, RegExp, string[]?]> = [
      ['HTTP 500', (res) => json(res, { error: 'boom' }, undefined, 500), /answered HTTP 500/],
      ['HTML body', (res) => { res.writeHead(200, { 'content-type': 'text/html' }); res.end('<html><body>Bad Gateway</body></html>'); }, /is not JSON \(it starts "<html>/],
      ['truncated JSON', (res) => { res.writeHead(200); res.end('{"retCode":"SUC'); }, /is not JSON/],
      ['reset', (res) => res.socket?.destroy(), /was reset/],
      ['timeout', () => {}, /within 400 ms \(timeout\)/, ['--timeout', '400']],
      ['redirect', (res) => { res.writeHead(302, { location: 'https://evil.example/steal' }); res.end(); }, /HTTP 302 \(redirect to https:\/\/evil.example\/steal\): not followed/],
    ];
    for (const [name, fault, message, extraArgs] of faults) {
      stub.handle((_req, res) => fault(res));
      const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--mch-order-no', 'ORD-1', ...(extraArgs ?? [])]);
      expect(r.code, name).toBe(3);
      expect(r.stderr, name).toMatch(message);
      expect(r.stderr).toContain('mchOrderNo ORD-1');
      expect(r.stderr).toContain('iotpay query --mch-order-no ORD-1');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect(stub.requests.filter((q) => q.url !== '/v1/create_order')).toHaveLength(0);
  });

  it('3: connection refused', async () => {
    const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY], { IOTPAY_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(r.code).toBe(3);
    // Refused before a byte was written: the order surely does not exist, so no query is suggested.
    expect(r.stderr).toMatch(/^error: connection to 127\.0\.0\.1:9 refused; nothing was sent, so no order was created \(mchOrderNo IOT\w+ is unused\)\n$/);
  });

  it('4: a forged response sign never shows the payment', async () => {
    stub.handle((req, res) =>
      json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', payOrderId: 'P1', mchOrderNo: req.params?.mchOrderNo, codeUrl: 'weixin://evil', sign: signFields({ a: '1' }, 'wrong') }),
    );
    const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY]);
    expect(r.code).toBe(4);
    expect(r.stdout).not.toContain('weixin://evil');
    expect(r.stdout).not.toMatch(/[▀▄█]/);
    expect(r.stderr).toMatch(/forged or wrong sign/);
    const j = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--json']);
    expect(j.code).toBe(4);
    const doc = JSON.parse(j.stdout);
    expect(doc.signature).toBe('mismatch');
    expect(doc.payment).toEqual({ kind: 'none', value: '' });
  });

  it('plain http to a non-loopback host is refused with exit 2', async () => {
    const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY], { IOTPAY_BASE_URL: 'http://api.example.com/v1' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/plain http:\/\/ is refused/);
  });
});

describe('create --dry-run', () => {
  it('prints the signed request and a curl command; sends nothing; no key', async () => {
    const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--dry-run', '--mch-order-no', 'DRY-1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"mchOrderNo": "DRY-1"');
    expect(r.stdout).toContain(`curl -sS -X POST '${stub.baseUrl}/create_order'`);
    expect(r.stdout).toContain("--data-urlencode 'params={");
    expect(r.stdout).toContain('CANA…zz');
    // The exact text that was hashed, key masked: what to hold against another client's.
    const canonical = /^# canonical: (.*)key=CANA…zz$/m.exec(r.stdout)?.[1];
    expect(canonical).toMatch(/^amount=100&body=iotpay-cli order&channelId=WX_NATIVE&/);
    const signed = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'), r.stdout.indexOf('\n}\n') + 2));
    expect(signCanonical(canonical!, CANARY)).toBe(signed.sign);
    const j = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--dry-run', '--json']);
    const doc = JSON.parse(j.stdout);
    expect(Object.keys(doc)).toEqual(['request', 'curl']);
    expect(verify(doc.request, CANARY).status).toBe('valid');
    expect(stub.requests).toHaveLength(0);
    expect(fs.existsSync(path.join(dir, 'history.jsonl'))).toBe(false);
  });

  it('--wait and --web with --dry-run are said to do nothing; the dry run is as without them', async () => {
    const plain = await iotpay(['create', '-c', 'ALIPAY_PC', '-a', '100', ...NOTIFY, '--return-url', 'https://shop.example/r', '--dry-run', '--json', '--mch-order-no', 'DRY-2']);
    for (const [flags, said] of [
      [['--wait'], '--wait does'],
      [['--web'], '--web does'],
      [['--wait', '--web'], '--wait and --web do'],
    ] as const) {
      const r = await iotpay(['create', '-c', 'ALIPAY_PC', '-a', '100', ...NOTIFY, '--return-url', 'https://shop.example/r', '--dry-run', '--json', '--mch-order-no', 'DRY-2', ...flags]);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe(`warning: ${said} nothing with --dry-run: no order is made\n`);
      expect(r.stdout).toBe(plain.stdout);
    }
    expect(stub.requests).toHaveLength(0);
  });

  it('a base URL that is not a URL is exit 2, for a dry run too (it printed a curl to foo/create_order)', async () => {
    for (const extra of [[], ['--dry-run']]) {
      const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, ...extra], { IOTPAY_BASE_URL: 'api.iotpaycloud.com/v1' });
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr).toBe('error: base URL (from IOTPAY_BASE_URL) refused: "api.iotpaycloud.com/v1" is not a URL (expected e.g. https://api.iotpaycloud.com/v1)\n');
      expect(r.stdout).toBe('');
    }
    const warned = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', '--notify-url', 'http://localhost:1/n', '--dry-run'], { IOTPAY_BASE_URL: 'nope' });
    expect(warned.stderr).toBe('error: base URL (from IOTPAY_BASE_URL) refused: "nope" is not a URL (expected e.g. https://api.iotpaycloud.com/v1)\n');
  });

  it('--verbose says where each setting came from, once each', async () => {
    const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--dry-run', '--verbose']);
    expect(r.code).toBe(0);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('baseUrl = '))).toEqual([`baseUrl = ${stub.baseUrl} (from IOTPAY_BASE_URL)`]);
    expect(new Set(lines).size).toBe(lines.length);
  });

  it('warns that the gateway cannot call a notifyUrl on this machine or a private network, unless the gateway is local too', async () => {
    const args = ['create', '-c', 'WX_NATIVE', '-a', '100', '--dry-run', '--json'];
    for (const notify of ['http://localhost:3000/n', 'http://192.168.1.20/n', 'http://10.0.0.5:8080/n', 'http://[::1]:3000/n']) {
      const r = await iotpay([...args, '--notify-url', notify], { IOTPAY_BASE_URL: 'https://api.iotpaycloud.com/v1' });
      expect(r.code, notify).toBe(0);
      expect(r.stderr).toBe(
        `warning: notifyUrl ${notify} is on this machine or a private network: api.iotpaycloud.com cannot call it, so no notify will arrive; expose your handler with a tunnel, or try the flow locally with iotpay mock and iotpay listen\n`,
      );
      JSON.parse(r.stdout);
    }
    const local = await iotpay([...args, '--notify-url', 'http://localhost:3000/n']);
    expect(local.stderr).toBe('');
    for (const reachable of ['http://172.32.0.1/n', 'https://10.shop.example/n', 'https://shop.example/n']) {
      const r = await iotpay([...args, '--notify-url', reachable], { IOTPAY_BASE_URL: 'https://api.iotpaycloud.com/v1' });
      expect(r.stderr, reachable).toBe('');
    }
  });
});

describe('query and --wait', () => {
  function queryAnswers(statuses: number[]) {
    let i = 0;
    return (req: { url: string; params?: Record<string, unknown> }, res: import('node:http').ServerResponse) => {
      if (req.url.endsWith('/create_order')) return success({ codeUrl: 'weixin://q' })(req, res);
      const status = statuses[Math.min(i++, statuses.length - 1)]!;
      json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', mchId: '10000701', mchOrderNo: req.params?.mchOrderNo ?? 'M1', payOrderId: 'P0001', amount: 2865, currency: 'CAD', channelId: 'WX_NATIVE', status, paySuccTime: 1505049094262, channelOrderNo: 'wx20170910' }, CANARY);
    };
  }

  it('--verbose shows the exchange: the params as signed and the answer as received, never the key', async () => {
    stub.handle(queryAnswers([2]));
    const r = await iotpay(['--verbose', 'query', '--mch-order-no', 'M1']);
    expect(r.code).toBe(0);
    const sent = stub.requests[0]!.params!;
    expect(r.stderr).toContain(`POST ${stub.baseUrl}/query_order  params=${JSON.stringify(sent)}\n`);
    expect(r.stderr).toMatch(/^← HTTP 200 in \d+ ms: \{"retCode":"SUCCESS","resCode":"SUCCESS",.*"channelOrderNo":"wx20170910","sign":"[0-9A-F]{32}"\}$/m);
  });

  it("a signed answer about another order is not trusted: query's paid status, create's payment data (exit 4)", async () => {
    // A validly signed "paid" for order B must not report order A paid (a replay, or a cache answering for the gateway).
    stub.handle((_req, res) => json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', mchId: '10000701', mchOrderNo: 'OTHER-B', payOrderId: 'P-B', amount: 100, currency: 'CAD', status: 2 }, CANARY));
    const waited = await iotpay(['query', '--mch-order-no', 'MINE-A', '--wait', '--json']);
    expect(waited.code).toBe(4);
    expect(JSON.parse(waited.stdout)).toMatchObject({ paid: false, status: null });
    expect(waited.stderr).toBe(
      'error: the query_order answer is about another order (mchOrderNo "OTHER-B", asked about "MINE-A"): not trusting its status; something between here and the gateway (a cache, a proxy) may be answering for it; --verbose shows the exchange\n',
    );
    const created = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--mch-order-no', 'MINE-A']);
    expect(created.code).toBe(4);
    expect(created.stdout).not.toContain('weixin://');
    expect(created.stderr).toMatch(/^error: the create_order answer is about another order \(mchOrderNo "OTHER-B", asked about "MINE-A"\): its payment data is not shown; check with: iotpay query --mch-order-no MINE-A/);
    // create --wait --json whose wait meets such an answer (or a FAIL) still prints its document: the order exists,
    // and its ids and payment data were lost before.
    stub.handle((req, res) =>
      req.url.endsWith('/create_order')
        ? json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', mchOrderNo: req.params?.mchOrderNo, payOrderId: 'P-A', codeUrl: 'weixin://mine' }, CANARY)
        : json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', mchOrderNo: 'OTHER-B', payOrderId: 'P-B', status: 2 }, CANARY),
    );
    const wait = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--mch-order-no', 'MINE-W', '--wait', '--json']);
    expect(wait.code).toBe(4);
    expect(JSON.parse(wait.stdout)).toMatchObject({ request: { mchOrderNo: 'MINE-W' }, payment: { kind: 'qr', value: 'weixin://mine' }, paid: false });
    // The same ids in another case are the same order (a case-insensitive database answers so).
    stub.handle((_req, res) => json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', mchId: '10000701', mchOrderNo: 'MINE-A', payOrderId: 'P-A', amount: 100, currency: 'CAD', status: 2 }, CANARY));
    expect((await iotpay(['query', '--mch-order-no', 'mine-a'])).code).toBe(0);
  });

  it('query by mchOrderNo: signed request, status name, --json shape', async () => {
    stub.handle(queryAnswers([2]));
    // Times for a person are in the machine's zone, with the offset where a time stands alone.
    const r = await iotpay(['query', '--mch-order-no', 'M1'], { TZ: 'America/Toronto' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('paid');
    expect(r.stdout).toContain('28.65 CAD');
    // Every label stands apart from its value, the longest (channelOrderNo) too.
    expect(r.stdout).toMatch(/^ {2}channelOrderNo {2}wx20170910$/m);
    expect(r.stdout).toMatch(/^ {2}paid at {9}2017-09-10 09:11:34 -04:00$/m);
    const req = stub.requests[0]!;
    expect(req.url).toBe('/v1/query_order');
    expect(Object.keys(req.params!)).toEqual(['mchId', 'mchOrderNo', 'sign']);
    expect(verify(req.params as never, CANARY).status).toBe('valid');
    const j = await iotpay(['query', '--pay-order-id', 'P0001', '--json']);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ signature: 'verified', status: 2, statusText: 'paid', paid: true });
    expect(stub.requests[1]!.params).toMatchObject({ payOrderId: 'P0001' });
  });

  it('--wait-timeout without --wait is said to do nothing, for query and create', async () => {
    stub.handle(queryAnswers([2]));
    const q = await iotpay(['query', '--mch-order-no', 'M1', '--wait-timeout', '5', '--json']);
    expect(q.code).toBe(0);
    expect(q.stderr).toBe('warning: --wait-timeout does nothing without --wait\n');
    expect((await iotpay(['query', '--mch-order-no', 'M1', '--wait-timeout', '5', '--wait', '--json'])).stderr).toBe('');
    const c = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--dry-run', '--json', '--wait-timeout', '5']);
    expect(c.code).toBe(0);
    expect(c.stderr).toBe('warning: --wait-timeout does nothing without --wait\n');
  });

  it('query reads an order nested under result; an unpaid order still exits 0 without --wait', async () => {
    stub.handle((_req, res) => json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', result: { mchOrderNo: 'M1', status: 0 } }));
    const r = await iotpay(['query', '--mch-order-no', 'M1', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 0, statusText: 'created', paid: false, signature: 'unverifiable' });
  });

  it('query FAIL exits 1; no order given exits 2', async () => {
    stub.handle((_req, res) => json(res, { retCode: 'FAIL', retMsg: 'order does not exist' }));
    const r = await iotpay(['query', '--mch-order-no', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/order does not exist/);
    expect(r.stdout).toBe('');
    // --json still gets the answer, as create --json does for a FAIL.
    const j = await iotpay(['query', '--mch-order-no', 'nope', '--json']);
    expect(j.code).toBe(1);
    expect(JSON.parse(j.stdout)).toEqual({
      response: { retCode: 'FAIL', retMsg: 'order does not exist' },
      signature: 'absent',
      status: null,
      statusText: 'unknown',
      paid: false,
    });
    expect(j.stderr).toBe('error: query_order FAIL: order does not exist\n');
    expect((await iotpay(['query'])).code).toBe(2);
  });

  it('query --json of a forged answer: exit 4, the answer as received, but no status and not paid', async () => {
    stub.handle((_req, res) => json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', mchOrderNo: 'M1', status: 2 }, 'another-key-0123456789'));
    const j = await iotpay(['query', '--mch-order-no', 'M1', '--json']);
    expect(j.code).toBe(4);
    const doc = JSON.parse(j.stdout);
    expect(doc).toMatchObject({ response: { status: 2 }, signature: 'mismatch', status: null, statusText: 'unknown', paid: false });
    expect(j.stderr).toMatch(/^error: the query_order answer's sign does not match/);
  });

  it('create --wait: QR, then polls until paid; exit 0; --json has status', async () => {
    stub.handle(queryAnswers([0, 2]));
    const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '2865', ...NOTIFY, '--wait', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ status: 2, statusText: 'paid', paid: true, signature: 'verified' });
    expect(stub.requests.map((q) => q.url)).toEqual(['/v1/create_order', '/v1/query_order', '/v1/query_order']);
  });

  it('query --wait until the timeout: exit 1 with the last status', async () => {
    stub.handle(queryAnswers([1]));
    const r = await iotpay(['query', '--mch-order-no', 'M1', '--wait', '--wait-timeout', '2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not paid after 2 s \(status: paying\); raise --wait-timeout, or check later with iotpay query --mch-order-no M1$/m);
  });

  it('query --wait ends at a cancelled order with exit 1', async () => {
    stub.handle(queryAnswers([9]));
    const r = await iotpay(['query', '--mch-order-no', 'M1', '--wait', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 9, statusText: 'cancelled by the user', paid: false });
  });
});

describe('history', () => {
  it('an order that cannot be recorded is still created: one warning saying why', async () => {
    stub.handle(success({ codeUrl: 'weixin://h' }));
    fs.mkdirSync(path.join(dir, 'history.jsonl'), { recursive: true });
    try {
      const r = await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).response.payOrderId).toBe('P0001');
      expect(r.stderr).toBe('warning: could not record this order in history: it is a folder, not a file\n');
    } finally {
      fs.rmSync(path.join(dir, 'history.jsonl'), { recursive: true, force: true });
    }
  });

  it('records every create (answered or not) without the key, and lists them', async () => {
    stub.handle(success({ codeUrl: 'weixin://h' }));
    await iotpay(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--mch-order-no', 'H-1']);
    stub.handle((_req, res) => res.socket?.destroy());
    await iotpay(['create', '-c', 'WX_NATIVE', '-a', '250', ...NOTIFY, '--mch-order-no', 'H-2']);
    const lines = fs.readFileSync(path.join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ type: 'create', request: { mchOrderNo: 'H-1' }, response: { payOrderId: 'P0001' }, signature: 'verified' });
    expect(lines[1]).toMatchObject({ type: 'create', request: { mchOrderNo: 'H-2' } });
    expect(lines[1].error).toMatch(/reset/);
    expect(fs.statSync(path.join(dir, 'history.jsonl')).mode & 0o777).toBe(0o600);
    const list = await iotpay(['history']);
    expect(list.stdout).toMatch(/create.*WX_NATIVE.*1\.00 CAD.*H-1.*P0001.*SUCCESS/);
    expect(list.stdout).toMatch(/2\.50 CAD.*H-2.*no answer/);
    // Columns line up whatever the ids' lengths: every row's result starts at the same place.
    stub.handle(success({ codeUrl: 'weixin://h' }));
    await iotpay(['create', '-c', 'WX_NATIVE', '-a', '123456', ...NOTIFY, '--mch-order-no', 'H-3-A-MUCH-LONGER-NUMBER']);
    const rows = (await iotpay(['history'])).stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((row) => row.search(/SUCCESS|no answer/))).size).toBe(1);
    expect(new Set(rows.map((row) => row.indexOf(' CAD'))).size).toBe(1);
    const j = JSON.parse((await iotpay(['history', '-n', '1', '--json'])).stdout);
    expect(j).toHaveLength(1);
    expect(j[0].request.mchOrderNo).toBe('H-3-A-MUCH-LONGER-NUMBER');
  });

  it('history lines that are JSON but not entries are skipped with a warning, not a crash', async () => {
    // A hand-edited or foreign line made `history` fail: "unexpected failure: Cannot read properties of undefined".
    const good = JSON.stringify({ time: '2026-11-30T08:00:00.000Z', type: 'create', baseUrl: stub.baseUrl, request: { mchOrderNo: 'G-1', amount: 100, currency: 'CAD' } });
    const junk = ['{}', '1', 'null', '"x"', '[]', '{"time":5,"type":"create","baseUrl":"x","request":{}}', '{"time":"t","type":"create","baseUrl":"x","request":null}'];
    fs.writeFileSync(path.join(dir, 'history.jsonl'), [...junk, good].join('\n') + '\n', { mode: 0o600 });
    const human = await iotpay(['history'], { TZ: 'Asia/Kolkata' });
    expect(human.code, human.stderr).toBe(0);
    // 08:00 UTC is 13:30 in India: the row is in this machine's time zone.
    expect(human.stdout).toMatch(/^2026-11-30 13:30:00 {2}create .*G-1/);
    expect(human.stdout.trim().split('\n')).toHaveLength(1);
    expect(human.stderr).toBe(`warning: ${junk.length} unreadable lines in ${path.join(dir, 'history.jsonl')} were skipped\n`);
    const json = await iotpay(['history', '--json']);
    expect(JSON.parse(json.stdout).map((e: { request: { mchOrderNo: string } }) => e.request.mchOrderNo)).toEqual(['G-1']);
  });

  it('a history grown past what one string holds is read from its end', async () => {
    // 600 MB (sparse: no disk used) before three real lines. A whole-file read failed here after
    // taking a gigabyte of memory: "Cannot create a string longer than 0x1fffffe8 characters".
    const file = path.join(dir, 'history.jsonl');
    const line = (no: string) => `${JSON.stringify({ time: '2026-11-30T08:00:00.000Z', type: 'create', baseUrl: stub.baseUrl, request: { mchOrderNo: no, amount: 100, currency: 'CAD', channelId: 'WX_NATIVE' }, response: { retCode: 'SUCCESS', payOrderId: `P-${no}` }, signature: 'verified' })}\n`;
    fs.writeFileSync(file, '', { mode: 0o600 });
    fs.truncateSync(file, 600 * 1024 * 1024);
    fs.appendFileSync(file, `\n${line('S-1')}${line('S-2')}${line('S-3')}`);
    try {
      const last = await iotpay(['history', '-n', '2', '--json']);
      expect(last.code, last.stderr).toBe(0);
      expect(last.stderr).toBe('');
      expect(JSON.parse(last.stdout).map((e: { request: { mchOrderNo: string } }) => e.request.mchOrderNo)).toEqual(['S-2', 'S-3']);
      // Asked for more than there are, the 600 MB run of zeros is one unreadable line, skipped with a warning.
      const all = await iotpay(['history']);
      expect(all.code).toBe(0);
      expect(all.stdout.trimEnd().split('\n').map((row) => /S-\d/.exec(row)?.[0])).toEqual(['S-1', 'S-2', 'S-3']);
      expect(all.stderr).toBe(`warning: 1 unreadable line in ${file} was skipped\n`);
    } finally {
      // afterEach reads the history whole (for the key): it gets the real lines alone.
      fs.writeFileSync(file, `${line('S-1')}${line('S-2')}${line('S-3')}`);
    }
  });
});

describe('qr', () => {
  it('draws any text; --json has no art; --out writes PNG and SVG', async () => {
    const r = await iotpay(['qr', 'hello till']);
    expect(r.code).toBe(0);
    expect(decodeHalfBlockQr(r.stdout)).toBe('hello till');
    const fromStdin = await runCli(['qr', '-'], { env: env(), input: 'from stdin\n' });
    expect(decodeHalfBlockQr(fromStdin.stdout)).toBe('from stdin');
    expect(JSON.parse((await iotpay(['qr', 'x', '--json'])).stdout)).toEqual({ text: 'x' });
    const png = path.join(dir, 'till.png');
    const svg = path.join(dir, 'till.svg');
    expect((await iotpay(['qr', 'https://pay.example/1', '--out', png])).code).toBe(0);
    expect(fs.readFileSync(png).subarray(1, 4).toString()).toBe('PNG');
    expect((await iotpay(['qr', 'https://pay.example/1', '--out', svg])).code).toBe(0);
    expect(fs.readFileSync(svg, 'utf8')).toMatch(/<svg[^>]*>.*<path/s);
    expect((await iotpay(['qr', 'x', '--out', path.join(dir, 'a.gif')])).code).toBe(2);
    expect((await iotpay(['qr', 'a'.repeat(4000)])).code).toBe(2);
    // --small draws for a terminal: with an image it is said to do nothing, and the image is as without it.
    const small = await iotpay(['qr', 'https://pay.example/1', '--out', path.join(dir, 'small.png'), '--small']);
    expect([small.code, small.stderr]).toEqual([0, 'warning: --small does nothing with --out: the image is 512 pixels wide\n']);
    expect(fs.readFileSync(path.join(dir, 'small.png'))).toEqual(fs.readFileSync(png));
  });
});

describe('transport details', () => {
  /**
   * Runs the built CLI, sends `signal` once the stub has seen a request to `endpoint` (the order is out or
   * being waited for), and says how it ended and how long the stop took.
   */
  async function interruptOnceSent(args: string[], endpoint: string, signal: NodeJS.Signals, extraEnv: Record<string, string> = {}) {
    const { spawn } = await import('node:child_process');
    const { BIN, baseEnv } = await import('../helpers/cli.js');
    const child = spawn(process.execPath, [BIN, ...args], { env: baseEnv(env(extraEnv)) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const closed = new Promise<number | null>((r) => child.on('close', r));
    const deadline = Date.now() + 10_000;
    while (!stub.requests.some((q) => q.url.endsWith(`/${endpoint}`))) {
      if (Date.now() > deadline) throw new Error(`no ${endpoint} request; stderr: ${stderr}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const killedAt = Date.now();
    child.kill(signal);
    const code = await closed;
    return { code, stdout, stderr, stopMs: Date.now() - killedAt };
  }

  it.each([
    ['Ctrl-C', 'SIGINT', []],
    ['a CI timeout (SIGTERM) with --json', 'SIGTERM', ['--json']],
  ] as const)('%s during --wait exits 130, says how to check the order later, and --json still gets its document', async (_, signal, extra) => {
    stub.handle((req, res) =>
      req.url.endsWith('/create_order')
        ? success({ codeUrl: 'weixin://w' })(req, res)
        : json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', status: 0 }, CANARY),
    );
    const r = await interruptOnceSent(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--mch-order-no', 'INT-1', '--wait', ...extra], 'query_order', signal);
    expect(r.code).toBe(130);
    expect(r.stderr).toMatch(/stopped waiting; the order may still be paid: check with iotpay query --mch-order-no INT-1/);
    if (extra.length > 0) {
      const doc = JSON.parse(r.stdout);
      expect(doc).toMatchObject({ request: { mchOrderNo: 'INT-1' }, response: { payOrderId: 'P0001' }, payment: { kind: 'qr', value: 'weixin://w' } });
      expect(doc).toMatchObject({ status: 0, statusText: 'created', paid: false });
    }
  });

  it('Ctrl-C while create_order is out stops at once: exit 130, the order may exist, the query command, a history line', async () => {
    stub.handle(() => {}); // never answers
    const r = await interruptOnceSent(['create', '-c', 'WX_NATIVE', '-a', '100', ...NOTIFY, '--mch-order-no', 'INT-3'], 'create_order', 'SIGINT', { IOTPAY_TIMEOUT: '60000' });
    expect(r.code).toBe(130);
    // It does not sit out the 60 s timeout.
    expect(r.stopMs).toBeLessThan(8000);
    expect(r.stderr).toBe(
      'error: interrupted before the gateway answered; the order may exist at the gateway (mchOrderNo INT-3); check with: iotpay query --mch-order-no INT-3\n',
    );
    const lines = fs.readFileSync(path.join(dir, 'history.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ type: 'create', request: { mchOrderNo: 'INT-3' }, error: 'interrupted before the gateway answered' });
  });

  it('Ctrl-C during --wait while a query is out stops at once, with no "still waiting" warning', async () => {
    stub.handle(() => {}); // never answers
    const r = await interruptOnceSent(['query', '--mch-order-no', 'INT-4', '--wait'], 'query_order', 'SIGINT', { IOTPAY_TIMEOUT: '60000' });
    expect(r.code).toBe(130);
    expect(r.stopMs).toBeLessThan(8000);
    expect(r.stderr).toBe('error: stopped waiting; the order may still be paid: check with iotpay query --mch-order-no INT-4\n');
  });

  it.each([
    ['query', ['query', '--mch-order-no', 'INT-5']],
    ['doctor', ['doctor']],
  ])('Ctrl-C during a plain %s (no step of its own listens) exits 130 with one line, not by the signal', async (_, args) => {
    stub.handle(() => {}); // never answers
    const r = await interruptOnceSent(args, 'query_order', 'SIGINT', { IOTPAY_TIMEOUT: '60000' });
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('error: interrupted\n');
  });

  it('query --wait --json stopped by SIGTERM prints the last answer it had, exit 130', async () => {
    stub.handle((_req, res) => json(res, { retCode: 'SUCCESS', resCode: 'SUCCESS', mchOrderNo: 'INT-2', status: 1 }, CANARY));
    const r = await interruptOnceSent(['query', '--mch-order-no', 'INT-2', '--wait', '--json'], 'query_order', 'SIGTERM');
    expect(r.code).toBe(130);
    expect(JSON.parse(r.stdout)).toMatchObject({ response: { mchOrderNo: 'INT-2' }, status: 1, statusText: 'paying', paid: false });
  });

});
