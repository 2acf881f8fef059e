// An answer must be about the order asked about: a sign proves who wrote it, not what it answers.
import { describe, expect, it } from 'vitest';
import { otherOrder } from '../../src/core/response.js';

describe('otherOrder', () => {
  it.each([
    ['the same ids', { mchId: '10000701', mchOrderNo: 'A1', payOrderId: 'P1' }, { mchId: '10000701', mchOrderNo: 'A1' }, undefined],
    ['ids the answer leaves out are not compared', { retCode: 'SUCCESS' }, { mchId: '1', mchOrderNo: 'A1' }, undefined],
    ['empty ids are not compared', { mchOrderNo: '', payOrderId: null }, { mchOrderNo: 'A1', payOrderId: 'P1' }, undefined],
    ['ids not asked about are not compared', { payOrderId: 'P9' }, { mchOrderNo: 'A1', payOrderId: undefined }, undefined],
    ['a number for a string id', { mchId: 10000701 }, { mchId: '10000701' }, undefined],
    ['case and surrounding spaces, as a case-insensitive database matches', { mchOrderNo: 'IOT123 ' }, { mchOrderNo: 'iot123' }, undefined],
    ['another order', { mchOrderNo: 'B2' }, { mchOrderNo: 'A1' }, 'mchOrderNo "B2", asked about "A1"'],
    ['another merchant', { mchId: '20001222', mchOrderNo: 'A1' }, { mchId: '10000701', mchOrderNo: 'A1' }, 'mchId "20001222", asked about "10000701"'],
    ['another gateway order', { payOrderId: 'P2' }, { payOrderId: 'P1' }, 'payOrderId "P2", asked about "P1"'],
  ])('%s', (_name, answer, asked, expected) => {
    expect(otherOrder(answer, asked)).toBe(expected);
  });
});
