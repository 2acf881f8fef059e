// Every input parser under arbitrary and hostile input: a parse or an InputError, nothing else, quickly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalString, UnsignableFieldError } from '../../src/core/canonical.js';
import { decodeInputBytes, InputError, parseFieldText, parseJsonObject, parseParamsForm, parseQueryString } from '../../src/core/input.js';
import { verify } from '../../src/core/sign.js';

/** Runs a parser; only InputError may escape. */
function outcome(fn: () => unknown): 'ok' | 'refused' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof InputError) return 'refused';
    throw err;
  }
}

describe('fuzz: parsers never throw anything but InputError', () => {
  const text = fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.string({ maxLength: 200, unit: 'binary' }),
    fc.string({ maxLength: 200, unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '=', '&', '%', '+', '?', '\\', 'a', '1', ' ', '\r', '\n', '\uFEFF', 'é') }),
    fc.json(),
    fc.webUrl({ withQueryParameters: true, withFragments: true }),
  );
  it.each([
    ['parseFieldText', parseFieldText],
    ['parseQueryString', parseQueryString],
    ['parseJsonObject', parseJsonObject],
    ['parseParamsForm', parseParamsForm],
  ] as const)('%s', (_name, parser) => {
    fc.assert(fc.property(text, (t) => ['ok', 'refused'].includes(outcome(() => parser(t)))), { numRuns: 2000 });
  });

  it('decodeInputBytes on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => ['ok', 'refused'].includes(outcome(() => decodeInputBytes(b, 'stdin')))), { numRuns: 2000 });
  });

  it('whatever parses can be signed or is refused as nested, and verify never throws', () => {
    fc.assert(
      fc.property(fc.oneof(fc.json(), fc.string()), (t) => {
        let fields: Record<string, unknown>;
        try {
          fields = parseFieldText(t).fields as Record<string, unknown>;
        } catch {
          return true;
        }
        try {
          canonicalString(fields as never);
        } catch (err) {
          if (!(err instanceof UnsignableFieldError)) throw err;
        }
        return ['valid', 'mismatch', 'unverifiable', 'absent'].includes(verify(fields as never, 'k').status);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('hostile shapes', () => {
  it('deep nesting: refused or unverifiable, never a stack overflow', () => {
    const deepArray = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(outcome(() => parseFieldText(deepArray))).toBe('refused');
    const deepObject = '{"a":'.repeat(50_000) + '1' + '}'.repeat(50_000);
    const r = (() => {
      try {
        return parseFieldText(deepObject);
      } catch (err) {
        if (err instanceof InputError) return undefined;
        throw err;
      }
    })();
    if (r) expect(verify(r.fields, 'k').status).toBe('unverifiable');
  });

  it('BOM and CRLF around every format', () => {
    for (const t of ['\uFEFF{"a":"1"}\r\n', '\uFEFFa=1&b=2\r\n', '\uFEFFhttps://x.example/?a=1\r\n', '\uFEFFparams=%7B%22a%22%3A%221%22%7D\r\n']) {
      expect(parseFieldText(t).fields.a).toBe('1');
    }
  });

  it('a CR or LF inside a query value is kept, as the gateway would sign it', () => {
    expect(parseQueryString('a=x%0D%0Ay').a).toBe('x\r\ny');
  });

  it('huge values and many fields finish quickly', () => {
    const started = Date.now();
    const many = Array.from({ length: 50_000 }, (_, i) => `f${i}=${i}`).join('&');
    expect(Object.keys(parseFieldText(many).fields)).toHaveLength(50_000);
    expect(canonicalString(parseFieldText(many).fields).length).toBeGreaterThan(50_000);
    const huge = parseFieldText(`a=${'x'.repeat(900_000)}`);
    expect(verify({ ...huge.fields, sign: 'X' }, 'k').status).toBe('mismatch');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('duplicate fields in a query string are refused, case-sensitively', () => {
    expect(outcome(() => parseQueryString('amount=1&amount=100'))).toBe('refused');
    expect(outcome(() => parseQueryString('a%6Dount=1&amount=100'))).toBe('refused');
    expect(Object.keys(parseQueryString('a=1&A=2'))).toEqual(['a', 'A']);
  });
});
