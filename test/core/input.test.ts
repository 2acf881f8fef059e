import { describe, expect, it } from 'vitest';
import {
  decodeInputBytes,
  InputError,
  lostInParsing,
  parseArguments,
  parseFieldText,
  parseQueryString,
} from '../../src/core/input.js';

describe('parseFieldText detects the format', () => {
  const table: Array<[string, string, string, Record<string, unknown>]> = [
    ['JSON object', '{"a":"1","amount":100}', 'json', { a: '1', amount: 100 }],
    ['JSON with BOM and CRLF', '\uFEFF{"a":"1"}\r\n', 'json', { a: '1' }],
    ['params= form body', 'params=%7B%22a%22%3A%221%22%2C%22b%22%3A2%7D', 'params-form', { a: '1', b: 2 }],
    ['params= form with raw JSON', 'params={"a":"x y"}', 'params-form', { a: 'x y' }],
    ['query string', 'a=1&b=two+words&c=%E6%B5%8B', 'query', { a: '1', b: 'two words', c: '测' }],
    ['query with leading ?', '?a=1', 'query', { a: '1' }],
    ['query keeps empty values', 'a=&b=1', 'query', { a: '', b: '1' }],
    ['notify URL', 'https://shop.example/notify?payOrderId=P1&amount=100&sign=ABC', 'url', { payOrderId: 'P1', amount: '100', sign: 'ABC' }],
    ['http URL', 'http://127.0.0.1:4242/?a=1', 'url', { a: '1' }],
    ['one name=value a line, taken literally', 'mchId=1\namount=100\r\nsubject=a+b%20c\n\nurl=https://x.example/?q=1\n', 'lines', { mchId: '1', amount: '100', subject: 'a+b%20c', url: 'https://x.example/?q=1' }],
    ['lines keep a value with & and = in it', 'notifyUrl=https://x.example/n?a=1&b=2\nmchId=1', 'lines', { notifyUrl: 'https://x.example/n?a=1&b=2', mchId: '1' }],
    ['a query string with a final line break is still a query string', 'a=1&b=2\r\n', 'query', { a: '1', b: '2' }],
  ];
  it.each(table)('%s', (_name, text, format, fields) => {
    const parsed = parseFieldText(text);
    expect(parsed.format).toBe(format);
    expect({ ...parsed.fields }).toEqual(fields);
  });
});

describe('parseFieldText refuses bad input with one clear message', () => {
  const table: Array<[string, string, RegExp]> = [
    ['empty', '', /empty/],
    ['white space only', ' \r\n\t', /empty/],
    ['JSON array', '[1,2]', /JSON array/],
    ['JSON scalar in params', 'params=1', /JSON number/],
    ['broken JSON', '{"a":', /not valid JSON \([^)]*\)$/],
    ['JSON with curly quotes (pasted from a chat)', '{\u201Camount\u201D:100}', /not valid JSON .*: it has curly quotes \(“ ” ‘ ’\), as a chat app or word processor writes them: use straight double quotes$/],
    ['a Python dict', "{'amount': 100, 'sign': 'X'}", /not valid JSON .*: its names are in single quotes \(a Python dict or a JavaScript object printed, not JSON\): print it with json\.dumps or JSON\.stringify$/],
    ['a trailing comma', '{"amount":100,"sign":"X",}', /not valid JSON .*: it has a comma before a closing } or \], which JSON does not allow$/],
    ['a comma inside a string is no slip', '{"subject":"a,}","x":}', /not valid JSON \([^)]*\)$/],
    ['garbage', 'hello world', /cannot tell the input format/],
    ['PHP print_r output', 'Array\n(\n    [amount] => 100\n    [sign] => X\n)', /^this is PHP's print_r output, which does not keep the values exactly: pass json_encode\(\$params\) instead$/],
    ['PHP var_dump output', 'array(2) {\n  ["amount"]=>\n  int(100)\n}', /^this is PHP's var_dump output/],
    ['PHP var_export output', "array (\n  'amount' => 100,\n)", /^this is PHP's var_export output/],
    ['binary-ish garbage', '\u0000\u0001\u0002', /cannot tell/],
    ['URL without query', 'https://example.com/notify', /no query string/],
    ['duplicate query field', 'a=1&a=2', /"a" appears twice/],
    ['a query string HTML-escaped (&amp;)', 'a=1&amp;b=2&amp;sign=X', /^the fields are joined with "&amp;" instead of "&" \(HTML-escaped, as copied from a web page or an HTML log\): replace each "&amp;" with "&"$/],
    ['a notify URL HTML-escaped', 'https://shop.example/n?a=1&amp;sign=X', /joined with "&amp;" instead of "&"/],
    ['a line that is not name=value, named by number (never echoed)', 'a=1\n\nS3CRET-KEY', /^line 3 is not name=value: give one name=value a line, or one query string/],
    ['its number counts the blank lines before the first field', '\r\n\na=1\nS3CRET-KEY', /^line 4 is not name=value/],
    ['a repeated line', 'a=1\na=2', /"a" appears twice/],
    ['duplicate JSON field', '{"a":1,"b":{"a":3},"a":2}', /^field "a" appears twice: the gateway would see only one of them$/],
    ['duplicate JSON field, escaped the second time', '{"amount":100,"amo\\u0075nt":1}', /^field "amount" appears twice/],
    ['duplicate field in a params form', 'params=' + encodeURIComponent('{"sign":"A","sign":"B"}'), /^field "sign" appears twice/],
    ['bad percent-encoding', 'a=%E6%B5', /invalid percent-encoding/],
    ['params form with other fields', 'params={}&x=1', /besides "params"/],
    ['form without params', 'params', /cannot tell|no "params"/],
    ['empty field name', '=1&a=2', /cannot tell|empty name/],
  ];
  it.each(table)('%s', (_name, text, message) => {
    expect(() => parseFieldText(text)).toThrow(InputError);
    expect(() => parseFieldText(text)).toThrow(message);
  });
});

describe('JSON numbers are signed only when their text survives parsing', () => {
  // The gateway signs the text it received; after JSON.parse only String(value) is left.
  const refused: Array<[string, string, RegExp]> = [
    ['trailing zero', '{"mchId":"1","amount":1.10}', /field "amount" is the number 1\.10, which JSON parsing turns into 1\.1: .*write it as 1\.1, or as a string$/],
    ['exponent', '{"amount":1e2}', /the number 1e2, which JSON parsing turns into 100: .*write it as 100/],
    ['integer with a fraction', '{"amount": 100.0 }', /the number 100\.0, .* into 100/],
    ['negative zero', '{"n":-0}', /the number -0, .* into 0/],
    ['beyond 2^53', '{"id":12345678901234567890}', /the number 12345678901234567890, .*; write it as a string$/],
    ['beyond a double', '{"id":1e400}', /into Infinity: .*; write it as a string$/],
    ['after other fields, in a params form', 'params=' + encodeURIComponent('{"a":"x","b":true,"c":null,"d":[1.10],"e":{"f":2.50},"amount":2.50}'), /field "amount" is the number 2\.50/],
    ['a name with an escaped quote', '{"a\\"b":0.50}', /field "a"b" is the number 0\.50/],
  ];
  it.each(refused)('refuses %s', (_name, text, message) => {
    expect(() => parseFieldText(text)).toThrow(InputError);
    expect(() => parseFieldText(text)).toThrow(message);
  });
  const kept: Array<[string, string, Record<string, unknown>]> = [
    ['integers', '{"amount":100,"n":-5,"z":0}', { amount: 100, n: -5, z: 0 }],
    ['a fraction written as JavaScript writes it', '{"rate":1.5}', { rate: 1.5 }],
    ['the largest safe integer', '{"id":9007199254740991}', { id: 9007199254740991 }],
    ['numbers inside strings', '{"extra":"{\\"amount\\":1.10}","s":"1e2"}', { extra: '{"amount":1.10}', s: '1e2' }],
    ['numbers nested (refused later, as nested)', '{"o":{"x":1.10},"l":[1e2]}', { o: { x: 1.1 }, l: [100] }],
    ['a nested name that repeats a top-level one', '{"a":1,"o":{"a":2,"b":{"a":3}}}', { a: 1, o: { a: 2, b: { a: 3 } } }],
  ];
  it.each(kept)('keeps %s', (_name, text, fields) => {
    expect(parseFieldText(text).fields).toEqual(fields);
  });
});

describe('lostInParsing at any depth (a JSON text sent as written out again: create --extra)', () => {
  it.each([
    ['a nested fraction', '{"productId":"a","card":{"fee":1.10}}', { name: 'fee', number: '1.10' }],
    ['a long id in an array', '{"ids":[1,30000000000000000001]}', { name: 'ids', number: '30000000000000000001' }],
    ['a top-level one', '{"productId":120989823123456789012}', { name: 'productId', number: '120989823123456789012' }],
    ['a name given twice', '{"productId":"1","productId":"2"}', { name: 'productId', duplicate: true }],
  ])('finds %s', (_what, text, found) => {
    expect(lostInParsing(text, true)).toEqual(found);
  });
  it.each([
    ['numbers kept as written', '{"productId":120989823,"card":{"fee":1.5,"n":[0,-3]}}'],
    ['numbers in strings', '{"productId":"1.10","s":"1e2"}'],
  ])('finds nothing in %s', (_what, text) => {
    expect(lostInParsing(text, true)).toBeUndefined();
  });
  it('without anyDepth, nested numbers are left to the nested-value check', () => {
    expect(lostInParsing('{"card":{"fee":1.10}}')).toBeUndefined();
  });
});

describe('parseArguments', () => {
  it('takes values literally, = included', () => {
    expect({ ...parseArguments(['a=1', 'url=http://x/?q=1', 'e=', 'p=%41']) }).toEqual({
      a: '1',
      url: 'http://x/?q=1',
      e: '',
      p: '%41',
    });
  });
  it('refuses a bare word and duplicates', () => {
    expect(() => parseArguments(['amount'])).toThrow(/not name=value/);
    expect(() => parseArguments(['a=1', 'a=2'])).toThrow(/appears twice/);
  });
});

describe('parseQueryString', () => {
  it('does not let __proto__ pollute anything', () => {
    const fields = parseQueryString('__proto__=x&a=1');
    expect(fields.__proto__).toBe('x');
    expect(({} as Record<string, unknown>).a).toBeUndefined();
  });
});

describe('decodeInputBytes', () => {
  it('refuses invalid UTF-8', () => {
    expect(() => decodeInputBytes(Buffer.from([0x61, 0x3d, 0xff, 0xfe]), 'stdin')).toThrow(/not valid UTF-8/);
  });
  it('refuses input over 1 MiB', () => {
    expect(() => decodeInputBytes(new Uint8Array(1024 * 1024 + 1), 'stdin')).toThrow(/larger than 1 MiB/);
  });
  it('drops a BOM', () => {
    expect(decodeInputBytes(Buffer.from('\uFEFFa=1'), 'x')).toBe('a=1');
  });
});
