import fc from 'fast-check';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalString, compareCaseInsensitive, signedEntries, signedFieldNames, UnsignableFieldError, withoutNestedValues } from '../../src/core/canonical.js';
import { sign, signCanonical, signsEqual, verify, withSign } from '../../src/core/sign.js';
import { vectors, VECTORS_COPY, VECTORS_SHARED } from '../helpers/vectors.js';

describe('signature vectors', () => {
  it('the repo copy matches ../shared/vectors/sign.json when that exists', () => {
    if (!fs.existsSync(VECTORS_SHARED)) return;
    expect(JSON.parse(fs.readFileSync(VECTORS_COPY, 'utf8'))).toEqual(JSON.parse(fs.readFileSync(VECTORS_SHARED, 'utf8')));
  });

  it('has vectors to test', () => expect(vectors.length).toBeGreaterThanOrEqual(7));

  it.each(vectors.map((v) => [v.name, v] as const))('%s: canonical, sign and verify', (_name, v) => {
    expect(canonicalString(v.params)).toBe(v.canonical);
    expect(sign(v.params, v.key)).toBe(v.sign);
    expect(signCanonical(v.canonical, v.key)).toBe(v.sign);
    expect(verify({ ...v.params, sign: v.sign }, v.key).status).toBe('valid');
    expect(verify({ ...v.params, sign: v.sign }, v.key + 'x').status).toBe('mismatch');
  });
});

describe('compareCaseInsensitive (Java String.CASE_INSENSITIVE_ORDER)', () => {
  const table: Array<[string, string, '<' | '=' | '>']> = [
    ['a', 'B', '<'],
    ['B', 'a', '>'],
    ['abc', 'ABC', '='],
    ['param10=y&', 'param1=x&', '<'], // '0' (48) < '=' (61)
    ['a_b', 'aB', '<'], // '_' (95) against lower-cased 'b' (98)
    ['Z', '_', '>'], // lower-cased 'z' (122) against '_' (95): not the ASCII order 'Z' < '_'
    ['', 'a', '<'],
    ['ä', 'Ä', '='],
    ['straße', 'STRASSE', '>'], // per-unit: 'ß' stays, compares against 'S'
    ['é', 'f', '>'],
  ];
  it.each(table)('%j vs %j is %s', (a, b, rel) => {
    const d = compareCaseInsensitive(a, b);
    const got = d < 0 ? '<' : d > 0 ? '>' : '=';
    expect(got).toBe(rel);
  });
});

describe('canonical string rules', () => {
  it('drops null, undefined and empty strings but keeps 0, false and spaces', () => {
    expect(canonicalString({ a: null, b: undefined, c: '', d: 0, e: false, f: ' ' })).toBe('d=0&e=false&f= &');
  });
  it('never signs the sign field', () => {
    expect(canonicalString({ sign: 'X', a: '1' })).toBe('a=1&');
  });
  it('signs values as they are: no URL-encoding, no trimming', () => {
    expect(canonicalString({ u: 'http://x/?a=1&b=2', s: ' x ' })).toBe('s= x &u=http://x/?a=1&b=2&');
  });
  it('signs extra as its exact JSON string', () => {
    expect(canonicalString({ extra: '{"productId": "1"}' })).toBe('extra={"productId": "1"}&');
  });
  it('refuses nested objects and arrays', () => {
    expect(() => canonicalString({ retParams: { url: 'x' } })).toThrow(UnsignableFieldError);
    expect(() => canonicalString({ list: [1] })).toThrow(/nested object/);
  });
  it('lists signed field names in signing order', () => {
    expect(signedFieldNames({ b: '1', A: '2', c: '', sign: 'x' })).toEqual(['A', 'b']);
  });
  it('orders names that do not decide by their values, as whole entries', () => {
    // "a=2&" < "a=b=1&" ('2' < 'b'); "x=b&" < "X=c&" (names equal but for case)
    expect(signedFieldNames({ 'a=b': '1', a: '2' })).toEqual(['a', 'a=b']);
    expect(signedFieldNames({ 'a=b': '1', a: 'z' })).toEqual(['a=b', 'a']);
    expect(canonicalString({ X: 'c', x: 'b' })).toBe('x=b&X=c&');
    // a digit sorts before '=': "amount1=…" precedes "amount=…"
    expect(signedFieldNames({ amount: '1', amount1: '2' })).toEqual(['amount1', 'amount']);
  });
  it('reports the first nested value in the fields own order', () => {
    expect(() => canonicalString({ z: { a: 1 }, a: [1] })).toThrow(/"z"/);
  });
  it('a shape seen before is signed with its new values', () => {
    // The order of a set of names is worked out once; the values must still decide what is signed.
    expect(canonicalString({ b: '1', a: '2', sign: 'x' })).toBe('a=2&b=1&');
    expect(canonicalString({ b: '3', a: '', sign: 'x' })).toBe('b=3&');
    expect(canonicalString({ b: 4, a: null, sign: 'x' })).toBe('b=4&');
    expect(canonicalString({ b: '1', a: true, sign: 'x' })).toBe('a=true&b=1&');
    expect(() => canonicalString({ b: { n: 1 }, a: [1], sign: 'x' })).toThrow(/"b"/);
    expect(() => canonicalString({ b: '1', a: Number.NaN, sign: 'x' })).toThrow(/"a"/);
    expect(canonicalString({ b: '5', a: '6', sign: 'x' })).toBe('a=6&b=5&');
  });
  it('names that tie are ordered by their values every time, never by a kept order', () => {
    expect(canonicalString({ X: 'c', x: 'b' })).toBe('x=b&X=c&');
    expect(canonicalString({ X: 'b', x: 'c' })).toBe('X=b&x=c&');
    expect(canonicalString({ 'a=b': '1', a: '2' })).toBe('a=2&a=b=1&');
    expect(canonicalString({ 'a=b': '1', a: 'z' })).toBe('a=b=1&a=z&');
  });
  it('keeps giving the right order when more shapes come than it keeps', () => {
    for (let round = 0; round < 3; round++) {
      for (let n = 1; n <= 20; n++) {
        const fields = Object.fromEntries(Array.from({ length: n }, (_, i) => [`F${(i * 7) % n}x${n}`, `${round}${i}`]));
        expect(canonicalString(fields)).toBe(signedEntries(fields, compareCaseInsensitive).join(''));
      }
    }
  });
  it('withSign replaces an existing sign and keeps field order', () => {
    const signed = withSign({ b: '1', sign: 'old', a: '2' }, 'k');
    expect(Object.keys(signed)).toEqual(['b', 'a', 'sign']);
    expect(signed.sign).toBe(sign({ a: '2', b: '1' }, 'k'));
  });
  it('signsEqual is exact', () => {
    expect(signsEqual('ABC', 'ABC')).toBe(true);
    expect(signsEqual('ABC', 'abc')).toBe(false);
    expect(signsEqual('ABC', 'ABCD')).toBe(false);
    expect(signsEqual('ABCD', 'ABC')).toBe(false);
    expect(signsEqual('ABC', 'ABD')).toBe(false);
    expect(signsEqual('', '')).toBe(true);
    expect(signsEqual('A', '')).toBe(false);
    expect(signsEqual('', 'A')).toBe(false);
    expect(signsEqual('\u0141', 'A')).toBe(false);
  });
});

describe('properties', () => {
  const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_]{0,11}$/).filter((n) => n !== 'sign');
  const value = fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.integer({ min: 0, max: 2147483647 }));
  const fieldsArb = fc.dictionary(name, value, { minKeys: 1, maxKeys: 15 });
  const key = fc.string({ minLength: 1, maxLength: 32 });

  it('field order never changes the sign', () => {
    fc.assert(
      fc.property(fieldsArb, key, fc.integer(), (fields, k, seed) => {
        const entries = Object.entries(fields);
        const shuffled = [...entries].sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7));
        return sign(Object.fromEntries(shuffled), k) === sign(fields, k) && sign(Object.fromEntries(entries.reverse()), k) === sign(fields, k);
      }),
    );
  });

  it('adding an empty or null field never changes the sign', () => {
    fc.assert(
      fc.property(fieldsArb, key, name, fc.constantFrom('', null, undefined), (fields, k, extraName, empty) => {
        fc.pre(!(extraName in fields));
        return sign({ ...fields, [extraName]: empty }, k) === sign(fields, k);
      }),
    );
  });

  it('changing any signed character always changes the sign', () => {
    fc.assert(
      fc.property(fieldsArb, key, fc.nat(), fc.nat(), (fields, k, pickField, pickChar) => {
        const names = Object.keys(fields);
        const target = names[pickField % names.length]!;
        const text = String(fields[target]);
        const i = pickChar % text.length;
        const code = text.charCodeAt(i);
        const changed = text.slice(0, i) + String.fromCharCode(code === 0x41 ? 0x42 : 0x41) + text.slice(i + 1);
        return sign({ ...fields, [target]: changed }, k) !== sign(fields, k);
      }),
    );
  });

  it('the fast insertion sort gives exactly Array.sort with the Java comparator, any size and alphabet', () => {
    const anyName = fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', 'A', 'b', 'B', '1', '0', '_', '=', '[', '`', 'é', 'É', 'ß', 'ı', 'İ', 'ſ', 's', 'S', 'k', '\u212a', 'Z') });
    fc.assert(
      fc.property(fc.dictionary(anyName, fc.string({ minLength: 1, maxLength: 3 }), { minKeys: 1, maxKeys: 40 }), (fields) => {
        return canonicalString(fields) === signedEntries(fields, compareCaseInsensitive).join('');
      }),
    );
  });

  it('a shape signed again with other values, some empty, gives what the full sort gives', () => {
    const anyName = fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', 'A', 'b', 'B', '1', '_', '=', 'é', 'É', 'ß', 'ſ', 's', 'S', '\u212a', 'k') });
    const anyValue = fc.oneof(fc.string({ maxLength: 3 }), fc.constant(null), fc.integer());
    fc.assert(
      fc.property(fc.uniqueArray(anyName, { minLength: 1, maxLength: 20 }), fc.array(fc.tuple(anyValue, anyValue), { minLength: 20, maxLength: 20 }), (names, values) => {
        const first = Object.fromEntries(names.map((n, i) => [n, values[i]![0]]));
        const second = Object.fromEntries(names.map((n, i) => [n, values[i]![1]]));
        return [first, second, first].every((fields) => canonicalString(fields) === signedEntries(fields, compareCaseInsensitive).join(''));
      }),
    );
  });

  it('sign over a shape signed again and again equals the full sort, or refuses the same field', () => {
    // sign() fills a template kept per shape: any value it cannot take goes to the full path.
    const anyName = fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', 'A', 'b', '1', '_', '=', 'é', 'ß', 's', 'S', 'k', 'sign') });
    const anyValue = fc.oneof(fc.string({ maxLength: 3 }), fc.constant(''), fc.constant(null), fc.constant(undefined), fc.integer(), fc.double(), fc.boolean(), fc.constant({ nested: 1 }));
    const outcome = (run: () => string): string => {
      try {
        return run();
      } catch (err) {
        if (err instanceof UnsignableFieldError) return `refused ${err.field}`;
        throw err;
      }
    };
    fc.assert(
      fc.property(fc.uniqueArray(anyName, { minLength: 1, maxLength: 16 }), fc.array(fc.array(anyValue, { minLength: 16, maxLength: 16 }), { minLength: 1, maxLength: 4 }), key, (names, rounds, k) =>
        rounds.every((values) => {
          const fields = Object.fromEntries(names.map((n, i) => [n, values[i]]));
          return outcome(() => sign(fields, k)) === outcome(() => signCanonical(signedEntries(fields, compareCaseInsensitive).join(''), k));
        }),
      ),
      { numRuns: 500 },
    );
  });

  it('verify accepts exactly what sign produced', () => {
    fc.assert(fc.property(fieldsArb, key, (fields, k) => verify(withSign(fields, k), k).status === 'valid'));
  });
});

describe('non-ASCII case folding follows Java, unit by unit', () => {
  it.each([
    ['İ', 'i', '='], // Java: toLowerCase('İ') is 'i' (JavaScript's full mapping is "i̇")
    ['ß', 'SS', '>'], // no single-unit upper case: 'ß' stays and outranks 'S'
    ['é', 'É', '='],
    ['ω', 'Ω', '='],
  ])('%j vs %j is %s', (a, b, rel) => {
    const d = compareCaseInsensitive(a, b);
    expect(d < 0 ? '<' : d > 0 ? '>' : '=').toBe(rel);
  });
});

describe('withoutNestedValues', () => {
  it('drops objects and arrays, keeps every flat value, and returns flat fields as they are', () => {
    const flat = { a: '1', b: 2, c: true, d: null, e: '' };
    expect(withoutNestedValues(flat)).toBe(flat);
    const mixed = { a: '1', retParams: { url: 'x' }, list: [1], d: null };
    expect(withoutNestedValues(mixed)).toEqual({ a: '1', d: null });
    expect(mixed).toHaveProperty('retParams'); // the input is not changed
  });
});
