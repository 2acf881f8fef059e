// The mock's notify checked against ../shared/vectors through the signing core; its sandbox store and refund numbers.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalString } from '../../src/core/canonical.js';
import { NOTIFY_FIELDS } from '../../src/core/order.js';
import { verify, withSign } from '../../src/core/sign.js';
import { notifyFields, SANDBOX, startMock, type MockGateway, type MockOrder } from '../../src/servers/mock.js';
import { tempDir } from '../helpers/cli.js';
import { vectors } from '../helpers/vectors.js';

describe('mock notify', () => {
  it('signs the notify exactly as the notify-paid vector', () => {
    const v = vectors.find((x) => x.name === 'notify-paid')!;
    const p = v.params as Record<string, string | number>;
    const order: MockOrder = {
      payOrderId: String(p.payOrderId),
      mchId: String(p.mchId),
      mchOrderNo: String(p.mchOrderNo),
      channelId: String(p.channelId),
      currency: String(p.currency),
      amount: Number(p.amount),
      clientIp: String(p.clientIp),
      device: String(p.device),
      subject: String(p.subject),
      body: String(p.body),
      notifyUrl: 'http://127.0.0.1/',
      param2: '',
      extra: '',
      status: 2,
      createdAt: 0,
      paySuccTime: Number(p.paySuccTime),
      channelOrderNo: String(p.channelOrderNo),
      refunded: 0,
      refunds: [],
      notifyAttempts: 0,
      notified: false,
    };
    const fields = notifyFields(order, v.key);
    expect(fields.sign).toBe(v.sign);
    expect(canonicalString(fields)).toBe(v.canonical);
    expect(fields.param2).toBe(''); // present, but not signed
    expect(Object.keys(fields).sort()).toEqual([...Object.keys(v.params), 'sign'].sort());
    // listen tells a notify from other traffic by the same list of fields.
    expect(Object.keys(fields).filter((k) => k !== 'sign').sort()).toEqual([...NOTIFY_FIELDS].sort());
    expect(verify(fields, v.key).status).toBe('valid');
  });
});

const root = tempDir('iotpay-mock-');
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

async function call(mock: MockGateway, endpoint: string, fields: Record<string, string | number>): Promise<Record<string, unknown>> {
  const params = JSON.stringify(withSign({ mchId: SANDBOX.mchId, ...fields }, SANDBOX.key));
  const res = await fetch(`${mock.baseUrl}/${endpoint}`, { method: 'POST', body: new URLSearchParams({ params }) });
  return (await res.json()) as Record<string, unknown>;
}

const order = (mchOrderNo: string) => ({
  mchOrderNo,
  channelId: 'WX_NATIVE',
  currency: 'CAD',
  amount: 100,
  clientIp: '127.0.0.1',
  device: 'WEB',
  subject: 's',
  body: 'b',
  notifyUrl: 'http://127.0.0.1:9/n',
  jobNo: SANDBOX.jobNo,
  extra: JSON.stringify({ productId: 'p1' }),
});

describe('mock sandbox store', () => {
  it('two --sandbox runs at once keep both their orders, and the file is only ever whole', async () => {
    const stateFile = path.join(root, 'sandbox-orders.json');
    const a = await startMock({ mchId: SANDBOX.mchId, key: SANDBOX.key, port: 0, stateFile });
    const b = await startMock({ mchId: SANDBOX.mchId, key: SANDBOX.key, port: 0, stateFile });
    try {
      expect((await call(a, 'create_order', order('A-1'))).retCode).toBe('SUCCESS');
      expect((await call(b, 'create_order', order('B-1'))).retCode).toBe('SUCCESS');
      expect((await call(a, 'create_order', order('A-2'))).retCode).toBe('SUCCESS');
    } finally {
      await a.close();
      await b.close();
    }
    // Written to a temporary file and renamed over: nothing is left beside it.
    expect(fs.readdirSync(root)).toEqual(['sandbox-orders.json']);
    const later = await startMock({ mchId: SANDBOX.mchId, key: SANDBOX.key, port: 0, stateFile });
    try {
      for (const no of ['A-1', 'B-1', 'A-2']) {
        const q = await call(later, 'query_order', { mchOrderNo: no, executeNotify: 'false' });
        expect(q.retCode, no).toBe('SUCCESS');
        expect(q.mchOrderNo ?? (q as { result?: { mchOrderNo?: string } }).result?.mchOrderNo, no).toBe(no);
      }
    } finally {
      await later.close();
    }
  });

  it('remembers the newest refund numbers, as many as orders (refundMemory)', async () => {
    const mock = await startMock({ mchId: SANDBOX.mchId, key: SANDBOX.key, port: 0, autoPaySeconds: 0, refundMemory: 2 });
    try {
      const created = await call(mock, 'create_order', order('R-1'));
      const payOrderId = String(created.payOrderId);
      const paid = async () => String((await call(mock, 'query_order', { payOrderId, executeNotify: 'false' })).status);
      const deadline = Date.now() + 5000;
      while (!['2', '3'].includes(await paid()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const refund = (no: string) => call(mock, 'refund_order', { mchRefundNo: no, refundAmount: 10, currency: 'CAD', clientIp: '127.0.0.1', loginName: SANDBOX.jobNo, payOrderId });
      for (const no of ['r1', 'r2', 'r3']) expect((await refund(no)).retCode, no).toBe('SUCCESS');
      const again = await refund('r3');
      expect(again.retCode === 'FAIL' || again.resCode === 'FAIL').toBe(true);
      expect(JSON.stringify(again)).toMatch(/mchRefundNo r3 already exists/);
      // r1 is the oldest of three with room for two: forgotten, as the order book forgets its oldest orders.
      expect((await refund('r1')).retCode).toBe('SUCCESS');
    } finally {
      await mock.close();
    }
  });
});

describe('mock notify delivery', () => {
  it('an order from another client with a notifyUrl that is not http(s) is not delivered, and the mock runs on', async () => {
    const events: Array<Record<string, unknown>> = [];
    const mock = await startMock({ mchId: SANDBOX.mchId, key: SANDBOX.key, port: 0, autoPaySeconds: 0, notifyAttempts: 1, log: (e) => events.push(e) });
    try {
      for (const notifyUrl of ['ftp://example.com/n', 'javascript:alert(1)']) {
        const made = await call(mock, 'create_order', { ...order(`N-${notifyUrl.slice(0, 3)}`), notifyUrl });
        expect(made.retCode, notifyUrl).toBe('SUCCESS');
      }
      const deadline = Date.now() + 5000;
      while (events.filter((e) => e.event === 'notify').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(events.filter((e) => e.event === 'notify').map((e) => [e.ok, e.detail])).toEqual([
        [false, 'notifyUrl is not an http or https URL (ftp:)'],
        [false, 'notifyUrl is not an http or https URL (javascript:)'],
      ]);
      expect((await call(mock, 'query_order', { mchOrderNo: 'N-ftp', executeNotify: 'false' })).retCode).toBe('SUCCESS');
    } finally {
      await mock.close();
    }
  });
});
