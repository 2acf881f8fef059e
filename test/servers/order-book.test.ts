// The mock's order book: ids that carry their place, lookups by id and by mchOrderNo.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../src/servers/order-book.js';

const order = (payOrderId: string, mchOrderNo: string, mchId = 'M1') => ({ payOrderId, mchOrderNo, mchId });

describe('OrderBook', () => {
  it('issues distinct ids in creation order and finds each by id and by mchOrderNo', () => {
    const book = new OrderBook<ReturnType<typeof order>>('M1');
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const id = book.nextId('P', '20261129120000000');
      expect(id).toMatch(/^P20261129120000000\d{8}$/);
      book.add(order(id, `N${i}`));
      ids.push(id);
    }
    expect(new Set(ids).size).toBe(1000);
    expect(book.get(ids[0]!)?.mchOrderNo).toBe('N0');
    expect(book.get(ids[999]!)?.mchOrderNo).toBe('N999');
    expect(book.find('N500')?.payOrderId).toBe(ids[500]);
    expect(book.all().map((o) => o.mchOrderNo).slice(0, 2)).toEqual(['N0', 'N1']);
    expect(book.latest(2).map((o) => o.mchOrderNo)).toEqual(['N998', 'N999']);
  });

  it('answers undefined for ids it did not issue, whatever their shape', () => {
    const book = new OrderBook<ReturnType<typeof order>>('M1');
    const id = book.nextId('P', '20261129120000000');
    book.add(order(id, 'N0'));
    const other = `X${id.slice(1)}`; // same digits, another id
    for (const bad of [other, '', 'P', 'abc', id.slice(0, -1), `${id}0`, 'P20261129120000000zzzzzzzz']) expect(book.get(bad)).toBeUndefined();
    expect(book.find('nope')).toBeUndefined();
  });

  it('finds orders loaded from an earlier run by their own ids, and new ids do not collide with them', () => {
    const book = new OrderBook<ReturnType<typeof order>>('M1');
    book.load(order('P2026010100000000012345678', 'OLD'));
    book.load(order('P2026010100000000099999999', 'OTHER', 'M2'));
    const id = book.nextId('P', '20261129120000000');
    book.add(order(id, 'NEW'));
    expect(book.get('P2026010100000000012345678')?.mchOrderNo).toBe('OLD');
    expect(book.get(id)?.mchOrderNo).toBe('NEW');
    expect(book.find('OLD')?.payOrderId).toBe('P2026010100000000012345678');
    // another merchant's order is kept and listed, but never found by mchOrderNo
    expect(book.find('OTHER')).toBeUndefined();
    expect(book.all()).toHaveLength(3);
  });
});

describe('OrderBook when full', () => {
  it('keeps the newest orders: the oldest are forgotten by id and by mchOrderNo, and their numbers can be reused', () => {
    const book = new OrderBook<ReturnType<typeof order>>('M1', 3);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = book.nextId('P', '20261129120000000');
      book.add(order(id, `N${i}`));
      ids.push(id);
    }
    expect(ids.slice(0, 2).map((id) => book.get(id))).toEqual([undefined, undefined]);
    expect(book.find('N0')).toBeUndefined();
    expect(ids.slice(2).map((id) => book.get(id)?.mchOrderNo)).toEqual(['N2', 'N3', 'N4']);
    expect(book.all().map((o) => o.mchOrderNo)).toEqual(['N2', 'N3', 'N4']);
    expect(book.latest(2).map((o) => o.mchOrderNo)).toEqual(['N3', 'N4']);
    const again = book.nextId('P', '20261129120000000');
    book.add(order(again, 'N0'));
    expect(book.find('N0')?.payOrderId).toBe(again);
    expect(book.get(ids[2]!)).toBeUndefined();
  });

  it('forgets a loaded order like any other', () => {
    const book = new OrderBook<ReturnType<typeof order>>('M1', 2);
    book.load(order('P2026010100000000012345678', 'OLD'));
    for (let i = 0; i < 2; i++) book.add(order(book.nextId('P', '20261129120000000'), `N${i}`));
    expect(book.get('P2026010100000000012345678')).toBeUndefined();
    expect(book.find('OLD')).toBeUndefined();
  });
});

describe('OrderBook across many turns of the ring', () => {
  it('agrees with a plain list of the newest orders, for any mix of merchants, reuses and loads', () => {
    type Step = { kind: 'add' | 'load'; no: number; other: boolean };
    const step = fc.record({ kind: fc.constantFrom<'add' | 'load'>('add', 'add', 'add', 'load'), no: fc.integer({ min: 0, max: 12 }), other: fc.boolean() });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(step, { maxLength: 60 }), (capacity, steps: Step[]) => {
        const book = new OrderBook<ReturnType<typeof order>>('M1', capacity);
        const model: ReturnType<typeof order>[] = [];
        steps.forEach((s, i) => {
          const o = order(s.kind === 'load' ? `P20260101000000000${String(90000000 + i)}` : book.nextId('P', '20261129120000000'), `N${s.no}`, s.other ? 'M2' : 'M1');
          if (s.kind === 'load') book.load(o);
          else book.add(o);
          model.push(o);
          if (model.length > capacity) model.shift();
          for (let no = 0; no <= 12; no++) {
            const expected = model.filter((m) => m.mchId === 'M1' && m.mchOrderNo === `N${no}`).at(-1);
            expect(book.find(`N${no}`)).toBe(expected);
          }
          for (const m of model) expect(book.get(m.payOrderId)).toBe(m);
          expect(book.all()).toEqual(model);
        });
      }),
      { numRuns: 300 },
    );
  });
});
