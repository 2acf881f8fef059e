import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { clientIpProblem } from '../../src/core/client-ip.js';
import { formatMoney, parseCents } from '../../src/core/money.js';
import { buildCreateParams, generateOrderNo, validateCreate, type CreateInput } from '../../src/core/order.js';
import { failureCause, outcome, paymentPresentation, queryOrder, orderStatus, checkResponseSign } from '../../src/core/response.js';
import { statusText, isPaid, isFinal } from '../../src/core/status.js';
import { channelSuggestion } from '../../src/core/channels.js';
import { ROOT } from '../helpers/cli.js';

describe('channelSuggestion: what an unknown channel id meant', () => {
  it.each([
    ['WXNATIVE', 'did you mean WX_NATIVE?'],
    ['UPI-QR', 'did you mean UPI_QR?'],
    ['alipay qr', 'did you mean ALIPAY_QR?'],
    ['WX_NATIV', 'did you mean WX_NATIVE?'],
    ['WX_NTAIVE', 'did you mean WX_NATIVE?'],
    ['ALIPAY_WEP', 'did you mean ALIPAY_WAP?'],
    ['WECHAT', "WeChat Pay's channels are WX_NATIVE, WX_JSAPI, WX_APP"],
    ['UnionPay', "UnionPay's channels are UPI_SEQ, UPI_QR, UPI_APP"],
    ['UPI_QRX', 'did you mean UPI_QR?'],
    // Two channels as near (ALIPAY_PC and ALIPAY_QR, two letters off each): no guess.
    ['ALIPAY_XX', undefined],
    ['NEW_PAY', undefined],
    ['WX_MICROPAY2', undefined],
  ])('%s → %s', (id, meant) => {
    expect(channelSuggestion(id)).toBe(meant);
  });
});

describe('parseCents (no floats)', () => {
  const ok: Array<[string, number]> = [
    ['1', 1],
    ['2865', 2865],
    ['007', 7],
    ['2147483647', 2147483647],
  ];
  it.each(ok)('%s is %i cents', (text, cents) => expect(parseCents(text)).toEqual({ ok: true, cents }));
  const bad: Array<[string, RegExp]> = [
    ['28.65', /did you mean 2865\?/],
    ['28.6', /did you mean 2860\?/],
    ['0.05', /did you mean 5\?/],
    ['28,65', /did you mean 2865\?/],
    ['28.655', /whole number/],
    ['0', /more than 0/],
    ['-5', /^amount must be a positive number of cents, got "-5"$/],
    ['2147483648', /over the gateway's limit/],
    ['99999999999999999999', /over the gateway's limit/],
    ['1e3', /whole number of cents/],
    ['0x10', /whole number of cents/],
    ['', /whole number of cents/],
    ['ten', /whole number of cents/],
    ['$10', /^amount is in cents, without a currency sign \(the currency is --currency\): did you mean 1000\?$/],
    ['$28.65', /did you mean 2865\?$/],
    ['CA$ 0.5', /did you mean 50\?$/],
    ['¥100', /did you mean 10000\?$/],
    ['€3,5', /did you mean 350\?$/],
    ['$1,000', /^amount must be a whole number of cents, got "\$1,000"$/],
    ['$', /whole number of cents/],
    ['100$', /whole number of cents/],
  ];
  it.each(bad)('%j is refused', (text, message) => {
    const r = parseCents(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(message);
  });
  it('formats cents as money with integer arithmetic', () => {
    expect(formatMoney(2865, 'CAD')).toBe('28.65 CAD');
    expect(formatMoney(5)).toBe('0.05');
    expect(formatMoney('2147483647', 'CAD')).toBe('21474836.47 CAD');
  });
  it.each([
    ['1.5', '', '1.5 (cents)'],
    ['12abc', 'CAD', '12abc CAD (cents)'],
    [1.5, 'CAD', '1.5 CAD (cents)'],
    ['', '', ' (cents)'],
    [' 100 ', '', '1.00'],
    ['-250', 'CAD', '-2.50 CAD'],
  ] as const)('shows %j, which is not whole cents or is, as it is (never cut to another amount)', (cents, currency, shown) => {
    expect(formatMoney(cents, currency)).toBe(shown);
  });
});

const input: CreateInput = {
  mchId: '10000701',
  mchOrderNo: 'A1',
  channelId: 'WX_NATIVE',
  amount: 100,
  currency: 'CAD',
  clientIp: '127.0.0.1',
  device: 'WEB',
  notifyUrl: 'https://shop.example/n',
  subject: 's',
  body: 'b',
  jobNo: 'alice',
  extra: { productId: 'p1' },
};

describe('buildCreateParams', () => {
  it('sends extra as a compact JSON string, amount as a number, never param1', () => {
    const p = buildCreateParams({ ...input, param2: 'x' });
    expect(p.extra).toBe('{"productId":"p1"}');
    expect(p.amount).toBe(100);
    expect('param1' in p).toBe(false);
    expect(p.param2).toBe('x');
  });
  it('drops undefined optional fields', () => {
    const p = buildCreateParams({ ...input, extra: {} });
    expect(Object.keys(p)).not.toContain('extra');
    expect(Object.keys(p)).not.toContain('osType');
  });
});

describe('validateCreate', () => {
  const valid = buildCreateParams(input);
  it('accepts a complete WX_NATIVE order', () => expect(validateCreate(valid)).toEqual([]));
  const cases: Array<[string, Record<string, unknown>, string, 'error' | 'warning']> = [
    ['missing notifyUrl', { notifyUrl: undefined }, 'notifyUrl is required', 'error'],
    ['amount 0', { amount: 0 }, 'amount must be a whole number', 'error'],
    ['amount float', { amount: 28.65 }, 'amount must be a whole number', 'error'],
    ['currency lower', { currency: 'cad' }, 'currency must be 3 capital letters', 'error'],
    ['WX_NATIVE without productId', { extra: '{}' }, 'extra.productId is required for WX_NATIVE', 'error'],
    ['WX_JSAPI without openId', { channelId: 'WX_JSAPI', extra: '{"appId":"a"}' }, 'extra.openId is required for WX_JSAPI', 'error'],
    ['WX_APP without appId', { channelId: 'WX_APP', extra: '{"type":"apppay"}' }, 'extra.appId is required for WX_APP', 'error'],
    ['ALIPAY_WAP without osType', { channelId: 'ALIPAY_WAP', extra: undefined, returnUrl: 'https://r' }, 'osType (IOS or ANDROID) is required for ALIPAY_WAP', 'error'],
    ['ALIPAY_MOBILE bad osType', { channelId: 'ALIPAY_MOBILE', osType: 'WINDOWS', returnUrl: 'https://r' }, 'osType must be IOS or ANDROID', 'error'],
    ['ALIPAY_PC without returnUrl', { channelId: 'ALIPAY_PC', extra: undefined }, 'returnUrl is required for ALIPAY_PC', 'error'],
    ['extra not JSON', { extra: '{oops' }, 'extra is not valid JSON', 'error'],
    ['micropay channel', { channelId: 'WX_MICROPAY', extra: undefined }, 'uses another endpoint', 'error'],
    ['unknown channel', { channelId: 'NEW_PAY', extra: undefined }, 'unknown channel NEW_PAY', 'warning'],
    ['mchOrderNo over 30', { mchOrderNo: 'd5195b47-98e7-4745-8e65-f4779318df51' }, 'mchOrderNo is 36 characters, over the documented limit of 30', 'warning'],
    ['param1 filled', { param1: 'x' }, 'param1 is filled by the gateway', 'warning'],
    ['clientIp not an IP', { clientIp: '10.0.0' }, 'clientIp "10.0.0" is not an IP address', 'warning'],
  ];
  it.each(cases)('%s', (_n, change, message, severity) => {
    const findings = validateCreate({ ...valid, ...change } as never);
    const found = findings.find((f) => f.message.includes(message));
    expect(found, JSON.stringify(findings)).toBeDefined();
    expect(found!.severity).toBe(severity);
  });
  it.each(['127.0.0.1', '203.0.113.7', '::1', '2001:db8::7', '::ffff:192.0.2.1'])('clientIp %s is an IP address', (clientIp) => {
    expect(clientIpProblem(clientIp)).toBeUndefined();
    expect(validateCreate({ ...valid, clientIp } as never)).toEqual([]);
  });
  it.each(['localhost', '10.0.0', '256.1.1.1', '1.2.3.4 ', '2001:db8:::7', 'fe80::1%eth0x y'])('clientIp %j is not', (clientIp) => {
    expect(clientIpProblem(clientIp)).toMatch(/^clientIp ".*" is not an IP address/);
  });
  it('the mock, which skips warnings, takes any clientIp', () => expect(validateCreate({ ...valid, clientIp: 'x' } as never, { warnings: false })).toEqual([]));
  it('a missing extra key is its own field (so its flag can be named)', () => {
    const findings = validateCreate({ ...valid, channelId: 'WX_APP', extra: '{"type":"apppay"}' } as never);
    expect(findings).toEqual([{ field: 'extra.appId', message: 'extra.appId is required for WX_APP', severity: 'error', missing: true }]);
  });
});

describe('generateOrderNo', () => {
  it('is 28 characters, time-ordered, and random at the end', () => {
    const a = generateOrderNo(new Date('2026-11-29T18:55:48.123Z'), () => new Uint8Array(8));
    expect(a).toBe('IOT20261129185548123AAAAAAAA');
    expect(a.length).toBeLessThanOrEqual(30);
    const b = generateOrderNo(new Date('2026-11-29T18:55:48.124Z'), () => new Uint8Array(8).fill(31));
    expect(b > a).toBe(true);
  });
});

describe('responses', () => {
  const seed = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/fixtures/seed-responses.json'), 'utf8'));

  it('outcome: SUCCESS needs retCode and resCode; FAIL carries the gateway words', () => {
    expect(outcome({ retCode: 'SUCCESS', resCode: 'SUCCESS' }).ok).toBe(true);
    expect(outcome({ retCode: 'SUCCESS', resCode: 'FAIL', errCode: 'E01', errCodeDes: 'amount too small' })).toEqual({
      ok: false,
      message: 'E01 amount too small',
    });
    expect(outcome({ retCode: 'FAIL', retMsg: 'Verify sign failed' })).toEqual({ ok: false, message: 'Verify sign failed' });
  });

  it.each([
    ["Can't found mchInfo[mchId=1] record in db", 'unknown-merchant'],
    ['商户不存在', 'unknown-merchant'],
    ['Verify XX pay sign failed', 'bad-sign'],
    ['签名错误', 'bad-sign'],
    ['order does not exist', undefined],
    ['mchOrderNo M1 already exists', undefined],
    ['channelId NEW_PAY is not open for this merchant', undefined],
    ['unknown merchant', 'unknown-merchant'],
    ['signature mismatch', 'bad-sign'],
    ['design error', undefined],
  ] as const)('failureCause(%j) is %s', (retMsg, cause) => {
    expect(failureCause({ retCode: 'FAIL', retMsg })).toBe(cause);
  });

  const presentations: Array<[string, string, Record<string, unknown>, string, string]> = [
    ['WX_NATIVE codeUrl', 'WX_NATIVE', { codeUrl: 'weixin://wxpay/bizpayurl?pr=1', prepayId: 'x' }, 'qr', 'weixin://wxpay/bizpayurl?pr=1'],
    ['ALIPAY_QR qr_code', 'ALIPAY_QR', { qr_code: 'https://qr.alipay.com/x' }, 'qr', 'https://qr.alipay.com/x'],
    ['UPI_QR', 'UPI_QR', { qrCode: 'https://qr.95516.com/x' }, 'qr', 'https://qr.95516.com/x'],
    ['ALIPAY_PC new: retParams.url', 'ALIPAY_PC', seed['ALIPAY_PC-new'], 'redirect', seed['ALIPAY_PC-new'].retParams.url],
    ['ALIPAY_PC original: alipayUrl', 'ALIPAY_PC', seed['ALIPAY_PC-original'], 'redirect', seed['ALIPAY_PC-original'].retParams.alipayUrl],
    ['ALIPAY_WAP new: retParams.url', 'ALIPAY_WAP', seed['ALIPAY_WAP-new'], 'redirect', seed['ALIPAY_WAP-new'].retParams.url],
    ['ALIPAY_MOBILE new: payParams scheme', 'ALIPAY_MOBILE', seed['ALIPAY_MOBILE-new'], 'scheme', seed['ALIPAY_MOBILE-new'].payParams],
    ['UPI_SEQ unionpayUrl', 'UPI_SEQ', { payUrl: 'https://p', retParams: { unionpayUrl: 'https://u' } }, 'redirect', 'https://u'],
    ['WX_APP sdk params', 'WX_APP', { payParams: { appid: 'wx1', prepayid: 'p' } }, 'sdk', '{"appid":"wx1","prepayid":"p"}'],
    ['CC_PAX card', 'CC_PAX', { extra: '{"cardType":"M"}' }, 'card', '{"cardType":"M"}'],
    ['nothing', 'WX_NATIVE', {}, 'none', ''],
  ];
  it.each(presentations)('%s', (_n, channel, response, kind, value) => {
    const p = paymentPresentation(channel, response as never);
    expect(p.kind).toBe(kind);
    expect(p.value).toBe(value);
  });

  it('seed responses with a nested retParams are unverifiable, never a mismatch', () => {
    expect(checkResponseSign(seed['ALIPAY_PC-new'], 'any-key').verdict).toBe('unverifiable');
  });

  it('query: reads the order at the top level or under result', () => {
    expect(orderStatus({ retCode: 'SUCCESS', status: 2 })).toBe(2);
    expect(orderStatus({ retCode: 'SUCCESS', result: { status: '3' } })).toBe(3);
    expect(queryOrder({ result: '{"amount":5}' }).amount).toBe(5);
  });

  it('status names', () => {
    expect([0, 1, 2, 3, 4, 9].map(statusText)).toEqual([
      'created',
      'paying',
      'paid',
      'paid and notified',
      'cancelled by the system',
      'cancelled by the user',
    ]);
    expect(isPaid(3)).toBe(true);
    expect(isFinal(1)).toBe(false);
    expect(statusText(7)).toBe('unknown status 7');
  });
});
