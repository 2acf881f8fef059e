// The mock's notify and answers checked against ../shared/vectors through the signing core.
import { describe, expect, it } from 'vitest';
import { canonicalString } from '../../src/core/canonical.js';
import { verify } from '../../src/core/sign.js';
import { notifyFields, type MockOrder } from '../../src/servers/mock.js';
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
    expect(verify(fields, v.key).status).toBe('valid');
  });
});
